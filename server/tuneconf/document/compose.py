"""Compose PyYAML's event stream into our tree (tree.py), iteratively.

We read events from libyaml (PyYAML's C parser, the one OmegaConf's loader
uses) when it is present and from PyYAML's pure-Python parser otherwise, so
what parses, and how each scalar is typed, is what torchtune will see.
It is also far faster than ruamel.yaml's composer: `make bench` measures both (README, Figures).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Protocol

import yaml
from yaml import events as ev

from tuneconf.document import tags
from tuneconf.document.scalars import construct_scalar, resolve_tag
from tuneconf.document.tree import Alias, Mapping, Node, Pair, Scalar, Sequence, Span

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader

# Our own walkers recurse; deeper trees are cut (OmegaConf itself fails near 75 levels).
MAX_DEPTH = 200


@dataclass
class Composed:
    root: Node | None
    documents: int = 0
    second_document: tuple[int, int] | None = None
    """Where a second YAML document starts (OmegaConf accepts only one)."""
    undefined_aliases: list[Alias] = field(default_factory=list)
    recursive_aliases: list[Alias] = field(default_factory=list)
    max_depth: int = 0
    aliases: int = 0


class _Builder:
    __slots__ = ("anchor", "children", "flow", "is_map", "node", "start", "tag")

    def __init__(self, event: ev.CollectionStartEvent, line0: int, is_map: bool) -> None:
        self.start = _at(event.start_mark, line0)
        self.flow = bool(event.flow_style)
        self.tag = event.tag if event.tag not in (None, "!") else None
        self.anchor = event.anchor
        self.is_map = is_map
        self.children: list[Node] = []
        self.node: Node | None = None

    def finish(self, end_event: ev.Event, line0: int) -> Node:
        if self.flow:
            end = _at(end_event.end_mark, line0)
        elif self.children:
            end = self.children[-1].span.end
        else:
            end = self.start
        span = Span(*self.start, *end)
        node: Node
        if self.is_map:
            kids = self.children
            pairs = [Pair(kids[i], kids[i + 1]) for i in range(0, len(kids) - 1, 2)]
            node = Mapping(span, pairs, self.flow, self.tag or tags.MAP, self.anchor)
        else:
            node = Sequence(span, self.children, self.flow, self.tag or tags.SEQ, self.anchor)
        self.node = node
        return node


def compose(text: str, line0: int = 0) -> Composed:
    """Compose `text` (lines numbered from `line0`). Raises yaml.MarkedYAMLError on a syntax error."""
    result = Composed(root=None)
    stack: list[_Builder] = []
    anchors: dict[str, _Builder | Node] = {}
    pending_aliases: list[tuple[Alias, _Builder | Node]] = []
    skip = 0  # depth of an over-deep subtree being skipped
    text_lines: list[str] = []
    for event in yaml.parse(text, Loader=_Loader):
        if skip:
            skip += isinstance(event, ev.CollectionStartEvent)
            skip -= isinstance(event, ev.CollectionEndEvent)
            if not skip:
                _add(stack, result, _placeholder(event, line0))
            continue
        if isinstance(event, ev.ScalarEvent):
            scalar = _scalar(event, line0)
            if scalar.style in ("|", ">"):
                text_lines = text_lines or text.split("\n")
                scalar.span = _trim_block(scalar.span, text_lines, line0)
            _add(stack, result, scalar, anchors)
        elif isinstance(event, ev.CollectionStartEvent):
            if len(stack) >= MAX_DEPTH:
                skip = 1
                continue
            builder = _Builder(event, line0, isinstance(event, ev.MappingStartEvent))
            if builder.anchor:
                anchors[builder.anchor] = builder
            stack.append(builder)
            result.max_depth = max(result.max_depth, len(stack))
        elif isinstance(event, ev.CollectionEndEvent):
            builder = stack.pop()
            _add(stack, result, builder.finish(event, line0))
        elif isinstance(event, ev.AliasEvent):
            _alias(event, line0, stack, anchors, pending_aliases, result)
        elif isinstance(event, ev.DocumentStartEvent):
            result.documents += 1
            if result.documents == 2:
                result.second_document = _at(event.start_mark, line0)
    for alias, ref in pending_aliases:
        alias.target = ref.node if isinstance(ref, _Builder) else ref
    return result


def _alias(
    event: ev.AliasEvent,
    line0: int,
    stack: list[_Builder],
    anchors: dict[str, _Builder | Node],
    pending: list[tuple[Alias, _Builder | Node]],
    result: Composed,
) -> None:
    span = Span(*_at(event.start_mark, line0), *_at(event.end_mark, line0))
    name = event.anchor or ""
    alias = Alias(span, name)
    result.aliases += 1
    ref = anchors.get(name)
    if ref is None:
        result.undefined_aliases.append(alias)
    elif isinstance(ref, _Builder) and ref.node is None and ref in stack:
        result.recursive_aliases.append(alias)
    else:
        pending.append((alias, ref))
    _add(stack, result, alias)


_typed: dict[tuple[str, str | None, tuple[bool, bool]], tuple[str, Any, str | None]] = {}
_new_span = functools.partial(tuple.__new__, Span)  # skips NamedTuple's Python-level __new__


def _scalar(event: ev.ScalarEvent, line0: int) -> Scalar:
    key = (event.value, event.tag, event.implicit)
    typed = _typed.get(key)
    if typed is None:
        tag = resolve_tag(event.value, event.tag, event.implicit)
        typed = (tag, *construct_scalar(tag, event.value))
        if len(_typed) < 100_000:
            _typed[key] = typed
    start, end = event.start_mark, event.end_mark
    assert start is not None and end is not None
    span = _new_span((start.line + line0, start.column, end.line + line0, end.column))
    return Scalar(span, typed[1], event.value, typed[0], event.style or None, event.anchor, typed[2])


def _trim_block(span: Span, lines: list[str], line0: int) -> Span:
    """A block scalar's span without the blank lines libyaml counts into it."""
    end = span.end_line - line0
    if span.end_col != 0 or end <= span.start_line - line0:
        return span
    last = end - 1
    while last > span.start_line - line0 and not lines[last].strip():
        last -= 1
    return Span(span.start_line, span.start_col, last + line0, len(lines[last].rstrip("\r")))


class _Mark(Protocol):
    line: int
    column: int


def _at(mark: _Mark | None, line0: int) -> tuple[int, int]:
    assert mark is not None  # parser events always carry marks
    return (mark.line + line0, mark.column)


def _placeholder(event: ev.Event, line0: int) -> Scalar:
    span = Span(*_at(event.end_mark, line0), *_at(event.end_mark, line0))
    return Scalar(span, None, "", tags.NULL, problem="nested too deep to analyse")


def _add(
    stack: list[_Builder], result: Composed, node: Node, anchors: dict[str, _Builder | Node] | None = None
) -> None:
    if anchors is not None and isinstance(node, Scalar) and node.anchor:
        anchors[node.anchor] = node
    if stack:
        stack[-1].children.append(node)
    elif result.root is None:
        result.root = node
