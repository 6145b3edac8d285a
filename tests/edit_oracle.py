"""The judge of a code action, independent of the code that offers it: apply the action's edits as an
editor would (UTF-16 ranges), then ask OmegaConf itself whether the result loads and which of the
config's top-level sections changed value."""

from __future__ import annotations

import functools
import io
import itertools
import re
from typing import Any

import yaml
from lsprotocol import types
from omegaconf import OmegaConf
from omegaconf._yaml import get_yaml_loader

BREAK = re.compile(r"\r\n|\r|\n")
LOADER = get_yaml_loader()


def offset(text: str, position: types.Position) -> int:
    """The code point offset of an LSP position (UTF-16 columns; lines end at \\n, \\r\\n or \\r)."""
    starts = [0] + [m.end() for m in BREAK.finditer(text)]
    assert position.line < len(starts), position
    line_end = starts[position.line + 1] if position.line + 1 < len(starts) else len(text)
    line = re.sub(r"[\r\n]+$", "", text[starts[position.line] : line_end])
    units = line.encode("utf-16-le")
    assert position.character <= len(units) // 2, (position, line)  # never past the end of the line
    before = units[: position.character * 2].decode("utf-16-le")  # raises inside a surrogate pair
    return starts[position.line] + len(before)


def apply(text: str, edits: list[types.TextEdit]) -> tuple[str, list[tuple[int, int]]]:
    """The text after the edits, and the code point ranges they replaced (checked not to overlap).
    A BOM is not part of the editor's text (VS Code keeps it aside): positions count without it."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    text = text[len(bom) :]
    ranges = sorted((offset(text, e.range.start), offset(text, e.range.end), e.new_text) for e in edits)
    for (_, end, _), (start, _, _) in itertools.pairwise(ranges):
        assert end <= start, "overlapping edits"
    for start, end, new in reversed(ranges):
        assert start <= end
        text = text[:start] + new + text[end:]
    return bom + text, [(a, b) for a, b, _ in ranges]


def edits_of(action: types.CodeAction) -> list[types.TextEdit]:
    assert action.edit is not None and action.edit.changes is not None
    (edits,) = action.edit.changes.values()
    return list(edits)


@functools.lru_cache(maxsize=64)  # the text before the actions: loaded once, not once per action
def omegaconf_loads(text: str) -> dict[str, Any] | None:
    """The config as OmegaConf loads it (plain containers, interpolations as written); None if refused.
    OmegaConf's own YAML loader first (it refuses what the YAML level refuses: duplicate keys, node
    limits, recursive aliases); where it gives plain values only, OmegaConf.create holds them as they are
    (it costs ten times the loader, so only other values are handed to OmegaConf.load itself)."""
    text = text.removeprefix("\ufeff")
    try:
        loaded = yaml.load(text, Loader=LOADER)
    except Exception:
        return None
    if not plain(loaded):
        try:
            loaded = OmegaConf.to_container(OmegaConf.load(io.StringIO(text)))
        except Exception:
            return None
    if loaded is None:
        loaded = {}
    return loaded if isinstance(loaded, dict) else {"": loaded}


def plain(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(plain(v) for v in value)
    return value is None or isinstance(value, (str, int, float, bool))


def sections(text: str) -> list[tuple[str, int, int]]:
    """(key, first offset, end offset) of each top-level section, by PyYAML's own marks."""
    text = text.removeprefix("\ufeff")
    root = yaml.compose(text, Loader=yaml.CSafeLoader)
    if not isinstance(root, yaml.MappingNode):
        return []
    starts = [(str(k.value), k.start_mark.index) for k, _ in root.value]
    ends = [s for _, s in starts[1:]] + [len(text)]
    return [(key, start, end) for (key, start), end in zip(starts, ends)]


def touched(text: str, ranges: list[tuple[int, int]]) -> set[str]:
    """The top-level keys whose sections an edit of `ranges` touches (an insertion at a section's
    first character belongs to the section before)."""
    return {key for key, s, e in sections(text) for a, b in ranges if (s < b and a < e) or s < a <= e}


def judge(text: str, action: types.CodeAction) -> list[str]:
    """What is wrong with offering `action` on `text` (empty when it is safe)."""
    edits = edits_of(action)
    after, replaced = apply(text, edits)
    problems = []
    ending = BREAK.search(text)
    for edit in edits:
        used = set(BREAK.findall(edit.new_text))
        if ending is not None and used - {ending.group()}:
            problems.append(f"{action.title}: inserts {used} line endings into a {ending.group()!r} file")
    before, loaded = omegaconf_loads(text), omegaconf_loads(after)
    if before is None:
        return problems
    if loaded is None:
        return [*problems, f"{action.title}: OmegaConf loads the config, but not after this action"]
    changed = {k for k in before.keys() | loaded.keys() if before.get(k, ...) != loaded.get(k, ...)}
    if changed and changed - (touched(text, replaced) | touched(after, shifted(text, edits))):
        problems.append(f"{action.title}: changes {sorted(changed)}, beyond the sections it edits")
    return problems


def shifted(text: str, edits: list[types.TextEdit]) -> list[tuple[int, int]]:
    """Where each edit's new text lies in the edited text (code points, without a BOM)."""
    text = text.removeprefix("\ufeff")
    ranges = sorted((offset(text, e.range.start), offset(text, e.range.end), len(e.new_text)) for e in edits)
    result, shift = [], 0
    for start, end, size in ranges:
        result.append((start + shift, start + shift + size))
        shift += size - (end - start)
    return result
