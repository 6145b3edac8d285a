"""What is at a position: the node under the cursor (hover, definition), and what is being typed
(completion), falling back to indentation on lines that do not parse yet."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from tuneconf.document.parse import ParsedConfig
from tuneconf.document.tree import KeyPath, Mapping, Node, Pair, Scalar, Sequence, Span, walk

# A plain key does not start with "- " (that is the dash) and ends before the spaces ahead of its colon:
# no two parts of the pattern can take the same characters, so a failing line is read once.
_KEY_LINE = re.compile(
    r"^(?P<indent>\s*)(?P<dash>(?:-\s+)*)"
    r"(?P<key>(?!-\s)[^\s:#'\"\[\]{},](?:[^\s:#]|\s+(?=[^\s:#]))*|'[^']*'|\"[^\"]*\")\s*:"
)
_TYPING_KEY = re.compile(r"^(?P<indent>\s*)(?P<dash>(?:-\s+)*)(?P<word>[\w.\-]*)$")
_VALUE = re.compile(r"^(?P<indent>\s*)(?P<dash>(?:-\s+)*)(?P<key>[\w.\-]+|'[^']*'|\"[^\"]*\")\s*:\s+(?P<value>.*)$")


@dataclass(frozen=True)
class At:
    """The innermost scalar at a position, with the pair and mapping around it, and its path
    (for a key: the path of the value it names)."""

    scalar: Scalar
    pair: Pair | None
    mapping: Mapping | None
    is_key: bool
    path: KeyPath = ()


@dataclass(frozen=True)
class KeyContext:
    """Typing a key: `word` so far, in `mapping` (None when the mapping has no other key yet)."""

    mapping: Mapping | None
    word: str
    replace: Span


@dataclass(frozen=True)
class ValueContext:
    """Typing the value of `key` in `mapping`; `prefix` is the value so far (or the flow-list item)."""

    mapping: Mapping | None
    key: str
    prefix: str
    replace: Span
    in_list: bool


def node_at(doc: ParsedConfig, line: int, col: int) -> At | None:
    """The key or value scalar under (line, col), searched only in its top-level section."""
    section = section_at(doc, line)
    if section is None:
        return None
    best: At | None = None
    stack: list[tuple[KeyPath, Pair | None, Mapping | None, Node]] = []
    stack.append(((section.name or "",), section, doc.mapping, section.value))
    if isinstance(section.key, Scalar) and section.key.span.contains(line, col):
        best = At(section.key, section, doc.mapping, True, (section.name or "",))
    while stack:
        path, pair, mapping, node = stack.pop()
        if isinstance(node, Scalar) and node.span.contains(line, col):
            best = At(node, pair, mapping, False, path)
        elif isinstance(node, Mapping):
            for child in node.pairs:
                child_path = (*path, child.name or "")
                if isinstance(child.key, Scalar) and child.key.span.contains(line, col):
                    best = At(child.key, child, node, True, child_path)
                stack.append((child_path, child, node, child.value))
        elif isinstance(node, Sequence):
            stack.extend(((*path, i), None, None, item) for i, item in enumerate(node.items))
    return best


def section_at(doc: ParsedConfig, line: int) -> Pair | None:
    """The top-level pair whose lines hold `line` (the last one starting at or above it)."""
    top = doc.mapping
    if top is None or not top.pairs:
        return None
    starts = [p.key.span.start_line for p in top.pairs]
    index = bisect.bisect_right(starts, line) - 1
    return top.pairs[index] if index >= 0 else None


def typing_at(doc: ParsedConfig, line: int, col: int) -> KeyContext | ValueContext | None:
    """What is being typed at (line, col): a key, or the value of a key."""
    if line >= len(doc.lines):
        return None
    text = doc.lines[line][:col]
    typing_key = _TYPING_KEY.match(text)
    if typing_key is not None:
        indent = len(typing_key.group("indent")) + len(typing_key.group("dash"))
        word = typing_key.group("word")
        # After "- " a new list item starts: a new mapping, with no keys yet.
        mapping = None if typing_key.group("dash") else mapping_for(doc, line, indent)
        return KeyContext(mapping, word, Span(line, col - len(word), line, _word_end(doc, line, col)))
    value = _VALUE.match(text)
    if value is None:
        return None
    indent = len(value.group("indent")) + len(value.group("dash"))
    key = value.group("key").strip("'\"")
    prefix = value.group("value")
    in_list = prefix.lstrip().startswith("[")
    if in_list:
        prefix = re.split(r"[\[,]", prefix)[-1]
    prefix = prefix.lstrip().lstrip("'\"")
    replace = Span(line, col - len(prefix), line, _word_end(doc, line, col))
    return ValueContext(mapping_for(doc, line, indent), key, prefix, replace, in_list)


def _word_end(doc: ParsedConfig, line: int, col: int) -> int:
    rest = doc.lines[line][col:]
    match = re.match(r"[\w.\-]*", rest)
    return col + (match.end() if match else 0)


def mapping_for(doc: ParsedConfig, line: int, indent: int) -> Mapping | None:
    """The block mapping a key at (line, indent) belongs to, found from the lines above it."""
    if indent == 0:
        return doc.mapping
    section = section_at(doc, line)
    if section is None:
        return None
    by_line: dict[int, list[tuple[Pair, Mapping]]] = {}
    for node in walk(section.value):
        if isinstance(node, Mapping) and not node.flow:
            for pair in node.pairs:
                by_line.setdefault(pair.key.span.start_line, []).append((pair, node))
    for above in range(line - 1, section.key.span.start_line - 1, -1):
        match = _KEY_LINE.match(doc.lines[above])
        if match is None:
            continue
        column = len(match.group("indent")) + len(match.group("dash"))
        entries = by_line.get(above, [])
        if column == indent:
            return next((m for p, m in entries if p.key.span.start_col == indent), None)
        if column < indent:
            return _child_mapping(doc, section, entries, above, column)
    return None


def enclosing_mapping(doc: ParsedConfig, line: int, col: int) -> Mapping | None:
    """The mapping whose key or value is at (line, col), else the one a key on that line would join."""
    at = node_at(doc, line, col)
    if at is not None and at.mapping is not None:
        return at.mapping
    if line >= len(doc.lines):
        return None
    text = doc.lines[line]
    return mapping_for(doc, line, len(text) - len(text.lstrip(" -")))


def _child_mapping(
    doc: ParsedConfig, section: Pair, entries: list[tuple[Pair, Mapping]], line: int, col: int
) -> Mapping | None:
    pairs = [p for p, _ in entries if p.key.span.start_col == col]
    if not pairs and section.key.span.start_line == line:
        pairs = [section]
    for pair in pairs:
        value: Node = pair.value
        if isinstance(value, Mapping):
            return value
        if isinstance(value, Sequence) and value.items and isinstance(value.items[-1], Mapping):
            return value.items[-1]
    return None
