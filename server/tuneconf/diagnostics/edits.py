"""Quick fixes as data: minimal text edits (code point positions) that keep comments and layout.

A fix travels in a finding's `data` as {"title", "edits": [[sl, sc, el, ec, text], ...]}; the
code-action feature turns it into an LSP WorkspaceEdit at the one place positions are converted.
"""

from __future__ import annotations

from typing import Any

from tuneconf.document.parse import ParsedConfig
from tuneconf.document.tags import MERGE
from tuneconf.document.tolerant import LINE_BREAK
from tuneconf.document.tree import Alias, Mapping, Node, Pair, Scalar, Sequence, Span, deref
from tuneconf.document.values import effective_pairs

Fix = dict[str, Any]


def fix(title: str, *edits: tuple[Span, str], preferred: bool = False) -> Fix:
    return {"title": title, "edits": [[*span, text] for span, text in edits], "preferred": preferred}


def segment_span(scalar: Scalar, index: int) -> Span:
    """The span of the index-th dotted segment of a one-line scalar (the whole scalar otherwise)."""
    span = scalar.span
    if span.start_line != span.end_line or scalar.style not in (None, "'", '"'):
        return span
    start = span.start_col + (1 if scalar.style else 0)
    parts = scalar.text.split(".")
    if index >= len(parts):
        return span
    start += sum(len(p) + 1 for p in parts[:index])
    if not parts[index]:  # an empty segment: show the dots around it
        return Span(span.start_line, max(start - 1, span.start_col), span.start_line, start + 1)
    return Span(span.start_line, start, span.start_line, start + len(parts[index]))


def text_span(scalar: Scalar) -> Span:
    """The span of a one-line scalar's text, without its quotes."""
    span = scalar.span
    if scalar.style in ("'", '"') and span.start_line == span.end_line:
        return Span(span.start_line, span.start_col + 1, span.end_line, span.end_col - 1)
    return span


def remove_pair(doc: ParsedConfig, mapping: Mapping, pair: Pair) -> tuple[Span, str]:
    """The edit that deletes `pair` from `mapping`: its whole lines in block style, `k: v, ` in flow."""
    key, value = pair.key.span, pair.value.span
    if not mapping.flow and _alone_on_lines(doc, pair):
        end_line = value.end_line if value.end_col > 0 or value.end_line == key.start_line else value.end_line - 1
        return Span(key.start_line, 0, end_line + 1, 0), ""
    index = mapping.pairs.index(pair)
    if index + 1 < len(mapping.pairs):
        nxt = mapping.pairs[index + 1].key.span
        return Span(key.start_line, key.start_col, nxt.start_line, nxt.start_col), ""
    if index > 0:
        prev = mapping.pairs[index - 1].value.span
        return Span(prev.end_line, prev.end_col, value.end_line, value.end_col), ""
    return Span(*key.start, *value.end), ""


def _alone_on_lines(doc: ParsedConfig, pair: Pair) -> bool:
    key = pair.key.span
    before = doc.lines[key.start_line][: key.start_col]
    if before.strip() not in ("", "-"):
        return False
    value = pair.value.span
    if value.end_col == 0:
        return True
    after = doc.lines[value.end_line][value.end_col :] if value.end_line < len(doc.lines) else ""
    return after.strip() == "" or after.lstrip().startswith("#")


def insert_pairs(doc: ParsedConfig, mapping: Mapping, entries: list[tuple[str, str]]) -> tuple[Span, str] | None:
    """The edit that adds `key: value` lines after the mapping's last pair, at its indentation."""
    if mapping.flow or not mapping.pairs or not entries:
        return None
    first = mapping.pairs[0].key.span
    indent = " " * first.start_col
    last = mapping.pairs[-1].value.span
    line = last.end_line if last.end_col == 0 else last.end_line + 1
    text = "".join(f"{indent}{name}: {value}\n" for name, value in entries)
    if line >= len(doc.lines):
        return Span(last.end_line, last.end_col, last.end_line, last.end_col), "\n" + text.rstrip("\n")
    return Span(line, 0, line, 0), text


# What a code action's safety check needs (features/actions.py): the text with the edits applied,
# what the config holds path by path, and which paths an edit touches.

Path = tuple[str | int, ...]
Leaves = dict[Path, tuple[str, ...]]
Ranges = list[tuple[int, int]]
LEAF_BUDGET = 100_000
"""Values compared at most per text: beyond, aliases expand too far to say that an edit is safe."""


def newline_of(text: str) -> str:
    """The text's line ending (its first one; \\n for a text of one line)."""
    found = LINE_BREAK.search(text)
    return found.group() if found else "\n"


def line_bounds(text: str) -> list[tuple[int, int]]:
    """(first offset, offset after the last character) of each line, as LSP counts lines."""
    bounds, at = [], 0
    for match in LINE_BREAK.finditer(text):
        bounds.append((at, match.start()))
        at = match.end()
    bounds.append((at, len(text)))
    return bounds


def applied(
    text: str, bounds: list[tuple[int, int]], edits: list[tuple[Span, str]]
) -> tuple[str, Ranges, Ranges] | None:
    """The text after `edits`, the offsets each replaced and those its new text fills; None when a
    range is not inside the text or two ranges overlap (an editor would reject or misapply them)."""
    ranges = []
    for span, new in edits:
        start, end = _offset(bounds, *span.start), _offset(bounds, *span.end)
        if start is None or end is None or start > end:
            return None
        ranges.append((start, end, new))
    ranges.sort(key=lambda r: (r[0], r[1]))
    pieces, old, filled, at, shift = [], [], [], 0, 0
    for start, end, new in ranges:
        if start < at:
            return None
        pieces += [text[at:start], new]
        old.append((start, end))
        filled.append((start + shift, start + shift + len(new)))
        shift += len(new) - (end - start)
        at = end
    pieces.append(text[at:])
    return "".join(pieces), old, filled


def _offset(bounds: list[tuple[int, int]], line: int, col: int) -> int | None:
    if line == len(bounds) and col == 0:
        return bounds[-1][1]  # the start of the line after the last: the end of the text
    if not 0 <= line < len(bounds):
        return None
    start, end = bounds[line]
    return start + col if 0 <= col <= end - start else None


def leaves(root: Node | None, budget: int = LEAF_BUDGET) -> Leaves | None:
    """Every value of the config by its path, aliases and merge keys expanded as OmegaConf loads them
    (a later duplicate key wins); None beyond `budget` values. Iterative: alias chains nest deep."""
    found: Leaves = {}
    stack: list[tuple[Path, Node | None]] = [((), root)]
    while stack:
        budget -= 1
        if budget < 0:
            return None
        path, node = stack.pop()
        target = deref(node)
        if isinstance(target, Mapping) and target.pairs:
            visible = {_key(pair.key): pair.value for pair in effective_pairs(target)}
            stack += [((*path, key), value) for key, value in visible.items()]
        elif isinstance(target, Sequence) and target.items:
            stack += [((*path, index), item) for index, item in enumerate(target.items)]
        else:
            found[path] = _leaf(target, node)
    return found


def _leaf(target: Node | None, node: Node | None) -> tuple[str, ...]:
    if isinstance(target, Scalar):
        return ("scalar", target.tag, type(target.value).__name__, repr(target.value))
    if isinstance(target, (Mapping, Sequence)):
        return (type(target).__name__, target.tag)
    return ("alias", node.name) if isinstance(node, Alias) else ("none",)


def _key(key: Node) -> str:
    # A key that is not a scalar stops OmegaConf loading anyway (the load check sees it): its kind will do.
    return repr(key.value) if isinstance(key, Scalar) else f"<{type(key).__name__}>"


def touched_paths(root: Node | None, bounds: list[tuple[int, int]], ranges: Ranges) -> set[Path]:
    """The paths whose key or value as written overlaps `ranges` (offsets). Aliases are not followed:
    a value an alias brings from elsewhere is not where the edit is."""
    found: set[Path] = set()
    stack: list[tuple[Path, Node | None]] = [((), root)]
    while stack:
        path, node = stack.pop()
        if node is None or not _hits(node.span, bounds, ranges):
            continue
        if isinstance(node, Mapping) and node.pairs:
            for pair in node.pairs:
                if isinstance(pair.key, Scalar) and pair.key.tag == MERGE:
                    found.add(path)  # a merge key (`<<: *base`) brings values into the whole mapping
                    continue
                key = (*path, _key(pair.key))
                if _hits(pair.key.span, bounds, ranges):
                    found.add(key)
                stack.append((key, pair.value))
        elif isinstance(node, Sequence) and node.items:
            stack += [((*path, index), item) for index, item in enumerate(node.items)]
        else:
            found.add(path)
    return found


def _hits(span: Span, bounds: list[tuple[int, int]], ranges: Ranges) -> bool:
    start, end = _clamped(bounds, *span.start), _clamped(bounds, *span.end)
    for a, b in ranges:
        if a == b and (start < a < end or start == end == a):
            return True  # an insertion inside the node (text at its very start or end does not change it)
        if a < b and ((start < b and a < end) or (start == end and a <= start <= b)):
            return True
    return False


def _clamped(bounds: list[tuple[int, int]], line: int, col: int) -> int:
    if line >= len(bounds):
        return bounds[-1][1]
    start, end = bounds[max(line, 0)]
    return min(start + max(col, 0), end)


def confined(before: Leaves, after: Leaves, near: set[Path]) -> bool:
    """True when every value that differs is at, under or above (its container) a path the edit touched."""
    above = {path[:i] for path in near for i in range(len(path))}
    for path in before.keys() | after.keys():
        if before.get(path) == after.get(path) or path in above:
            continue
        if not any(path[:i] in near for i in range(len(path) + 1)):
            return False
    return True
