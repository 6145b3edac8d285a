"""Random edits over real configs, as an editor would send them (with positions in UTF-16 units)."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import strategies as st

from builtin import CONFIG_ROOT

ROOT = Path(__file__).resolve().parents[2]
GARBAGE = ["${", "\r\n", "${a.${b}}", "}", "]]", "[[", "{", "\t", "- ", ": ", "&a ", "*a", "'", '"', "#"]
GARBAGE += ["\n", "\n  ", "???", "😀", "你好", "${oc.env:HOME}", "_component_: ", "${.x}"]
ALPHABET = list(" :-[]{}'\"#&*!|>\n\t$.,_abcxyz0189") + ["😀", "你", "\x00", "\r"]


def base_texts() -> list[str]:
    return [
        (CONFIG_ROOT / "llama3_2" / "1B_lora_single_device.yaml").read_text(),
        (ROOT / "configs" / "demo_mistakes.yaml").read_text(),
        (ROOT / "configs" / "tiny" / "lora_cpu.yaml").read_text(),
    ]


snippet = st.one_of(st.text(alphabet=ALPHABET, max_size=12), st.sampled_from(GARBAGE))
edit = st.tuples(st.sampled_from(["insert", "delete", "replace", "line"]), st.floats(0, 1), st.integers(1, 40), snippet)
edits = st.lists(edit, min_size=1, max_size=6)


def apply(text: str, change: tuple[str, float, int, str]) -> tuple[int, int, str]:
    """(start, end, new text) in code points for one random edit of `text`; never inside a \\r\\n,
    nor making one from a \\r and a \\n (no editor can put a cursor there, so no undo could follow)."""
    start, end, new = _pick(text, change)
    if (text[:start] + new)[-1:] == "\r" and text[end : end + 1] == "\n":
        new += " "
    if text[start - 1 : start] == "\r" and (new + text[end:])[:1] == "\n":
        new = " " + new
    return start, end, new


def _pick(text: str, change: tuple[str, float, int, str]) -> tuple[int, int, str]:
    kind, where, length, new = change
    at = snap(text, int(where * len(text)))
    if kind == "insert":
        return at, at, new
    if kind == "line":
        start = max(text.rfind("\n", 0, at), text.rfind("\r", 0, at)) + 1
        return snap(text, start), snap(text, start), new.replace("\n", " ").replace("\r", " ") + "\n"
    return at, snap(text, min(len(text), at + length)), "" if kind == "delete" else new


def snap(text: str, index: int) -> int:
    return index - 1 if 0 < index < len(text) and text[index - 1] == "\r" and text[index] == "\n" else index


def utf16_position(text: str, index: int) -> tuple[int, int]:
    """(line, UTF-16 column) of a code point index; lines end at \\n, \\r\\n or \\r, as in LSP."""
    before = text[:index]
    lines = re.split(r"\r\n|\r|\n", before)
    return len(lines) - 1, len(lines[-1].encode("utf-16-le")) // 2
