"""Benchmark inputs: the server command, torchtune's real 114-line config and synthetic 1,000- and
10,000-line ones."""

from __future__ import annotations

import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVER = [sys.executable, "-m", "tuneconf", "serve"]
CONFIG_ROOT = Path(sysconfig.get_paths()["purelib"]) / "recipes" / "configs"
REAL = CONFIG_ROOT / "llama3_2" / "1B_lora_single_device.yaml"
BLOCK = """\
block_{n:05d}:
  _component_: torchtune.models.llama3_2.lora_llama3_2_1b
  lora_attn_modules: ['q_proj', 'v_proj']
  apply_lora_to_mlp: True
  lora_rank: {rank}
  lora_alpha: 16
optimizer_{n:05d}:
  _component_: torch.optim.AdamW
  weight_decay: 0.01
  lr: 3e-4
"""


def real_config() -> str:
    return REAL.read_text(encoding="utf-8")


def synthetic(lines: int) -> str:
    """The real config followed by unique component blocks until the text has `lines` lines."""
    parts = [real_config()]
    count = parts[0].count("\n")
    n = 0
    while count < lines:
        block = BLOCK.format(n=n, rank=8 + n % 8)
        parts.append(block)
        count += block.count("\n")
        n += 1
    return "".join(parts)


def position_after(text: str, needle: str) -> tuple[int, int]:
    """(line, column) just after the first occurrence of `needle`."""
    return position_at(text, text.index(needle) + len(needle))


def position_at(text: str, index: int) -> tuple[int, int]:
    """(line, column) of the character offset `index`."""
    line = text.count("\n", 0, index)
    return line, index - (text.rfind("\n", 0, index) + 1)
