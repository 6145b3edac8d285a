"""Our YAML tree: every key and value with its exact span.

Positions are (line, column) in code points, 0-based; the client's units are
applied at one boundary (positions.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from tuneconf.document import tags

KeyPath = tuple[str | int, ...]
"""Where a value sits in a config: mapping keys and sequence indices from the root
(`model.lora_rank` is ("model", "lora_rank"); `dataset[0].source` is ("dataset", 0, "source"))."""


class Span(NamedTuple):
    """A half-open range [start, end) in (line, code point column)."""

    start_line: int
    start_col: int
    end_line: int
    end_col: int

    @property
    def start(self) -> tuple[int, int]:
        return (self.start_line, self.start_col)

    @property
    def end(self) -> tuple[int, int]:
        return (self.end_line, self.end_col)

    def contains(self, line: int, col: int) -> bool:
        """True when (line, col) is inside the span or touches its end (a cursor after a word)."""
        return self.start <= (line, col) <= self.end

    def shifted(self, lines: int) -> Span:
        return Span(self.start_line + lines, self.start_col, self.end_line + lines, self.end_col)


@dataclass(eq=False, slots=True)
class Scalar:
    span: Span
    value: Any
    """The value as OmegaConf types it (str, int, float, bool, None, bytes)."""
    text: str
    """The scalar's content as written, after YAML unquoting."""
    tag: str
    style: str | None = None
    """None for plain, one of ' " | > for quoted and block scalars."""
    anchor: str | None = None
    problem: str | None = None
    """Why OmegaConf's loader would reject this scalar, if it would."""


@dataclass(eq=False, slots=True)
class Pair:
    key: Node
    value: Node

    @property
    def name(self) -> str | None:
        """The key as a string, when it is a scalar key."""
        return self.key.text if isinstance(self.key, Scalar) else None

    @property
    def span(self) -> Span:
        return Span(*self.key.span.start, *self.value.span.end)


@dataclass(eq=False, slots=True)
class Mapping:
    span: Span
    pairs: list[Pair] = field(default_factory=list)
    flow: bool = False
    tag: str = tags.MAP
    anchor: str | None = None
    _index: dict[str, Pair] | None = field(default=None, repr=False, compare=False)

    def get(self, name: str) -> Pair | None:
        """The last pair whose key is `name` (later keys win, as in PyYAML). Pairs are not changed
        after a mapping is built (overrides build new mappings), so big ones keep an index."""
        if len(self.pairs) <= 16:
            for pair in reversed(self.pairs):
                if pair.name == name:
                    return pair
            return None
        if self._index is None:
            self._index = {p.name: p for p in self.pairs if p.name is not None}
        return self._index.get(name)

    def value_of(self, name: str) -> Node | None:
        pair = self.get(name)
        return pair.value if pair is not None else None

    def names(self) -> list[str]:
        return [p.name for p in self.pairs if p.name is not None]


@dataclass(eq=False, slots=True)
class Sequence:
    span: Span
    items: list[Node] = field(default_factory=list)
    flow: bool = False
    tag: str = tags.SEQ
    anchor: str | None = None


@dataclass(eq=False, slots=True)
class Alias:
    span: Span
    name: str
    target: Node | None = None


Node = Scalar | Mapping | Sequence | Alias


def deref(node: Node | None, limit: int = 64) -> Node | None:
    """Follow aliases to the node they name (None for a dangling or circular chain)."""
    while isinstance(node, Alias) and limit > 0:
        node, limit = node.target, limit - 1
    return None if isinstance(node, Alias) else node


def children(node: Node) -> Iterator[Node]:
    """Direct children (keys and values of a mapping, items of a sequence); aliases are leaves."""
    if isinstance(node, Mapping):
        for pair in node.pairs:
            yield pair.key
            yield pair.value
    elif isinstance(node, Sequence):
        yield from node.items


def walk(node: Node) -> Iterator[Node]:
    """Every node under `node`, depth first, without following aliases. Iterative: deep trees are fine."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        kids = list(children(current))
        kids.reverse()
        stack.extend(kids)


def shifted(node: Node, lines: int) -> Node:
    """A copy of `node` moved down by `lines` (section trees are cached at one line, used at others)."""
    if lines == 0:
        return node
    copies: dict[int, Node] = {}
    aliases: list[Alias] = []
    result = _shift(node, lines, copies, aliases)
    for alias in aliases:
        if alias.target is not None:
            alias.target = copies.get(id(alias.target), alias.target)
    return result


def _shift(node: Node, lines: int, copies: dict[int, Node], aliases: list[Alias]) -> Node:
    sl, sc, el, ec = node.span
    span = Span(sl + lines, sc, el + lines, ec)
    new: Node
    if type(node) is Scalar:
        new = Scalar(span, node.value, node.text, node.tag, node.style, node.anchor, node.problem)
    elif type(node) is Mapping:
        pairs = [
            Pair(_shift(p.key, lines, copies, aliases), _shift(p.value, lines, copies, aliases)) for p in node.pairs
        ]
        new = Mapping(span, pairs, node.flow, node.tag, node.anchor)
    elif type(node) is Sequence:
        items = [_shift(item, lines, copies, aliases) for item in node.items]
        new = Sequence(span, items, node.flow, node.tag, node.anchor)
    else:
        assert isinstance(node, Alias)
        new = Alias(span, node.name, node.target)
        aliases.append(new)
    if getattr(node, "anchor", None):
        copies[id(node)] = new
    return new
