"""Interpolated values resolved as OmegaConf 2.4 resolves them, on our own tree, for inlay hints.

No OmegaConf in the server for this: creating its config costs up to half a second at 10,000 nodes, on
every version of the document, and a visible range needs a handful of values. Resolution follows
OmegaConf's rules (the grammar is OmegaConf's own, interpolation/grammar.py):

- `${a.b}`, `${.x}`, `${..y}`, `${lst.0}`, `${lst[0]}` name another value; a value that is exactly one
  `${key}` becomes that value as it is typed (`${lora_rank}` → 8); in a longer string each `${}` becomes
  `str()` of its value (`${lr}/x` → `0.0003/x`, a bool inside text → `True`, null → `None`);
- a value named that is itself interpolated is resolved first (memoized: a chain is one pass).

Only what is certain is resolved; anything else gives None (no hint, never a guess): a resolver anywhere
on the way (`oc.env`: a token would show on screen; `oc.select`, custom ones), an escape (`\\${`), a key
computed by an interpolation, a key missing, `???`, a mapping or a list, a key OmegaConf might match
another way (a non-string key beside it, a merge key `<<` bringing it), a cycle, a chain deeper than
MAX_DEPTH (OmegaConf's stack), a value longer than MAX_CHARS, and a Jinja placeholder on the way (its
stand-in is not what the template renders). tests/unit/test_inlay_hints.py holds every value given here
to OmegaConf's own on the 156 built-in configs and on a corpus of edge cases.

Also here: the override set an editor chose per document, merged once per version (ActiveOverrides), and
the lines that may carry a value hint at all (marked_lines), so that a request walks only those.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from tuneconf.document import tags
from tuneconf.document.parse import ParsedConfig
from tuneconf.document.tree import KeyPath, Mapping, Node, Scalar, deref
from tuneconf.document.tree import Sequence as SeqNode
from tuneconf.interpolation.bounds import MAX_DEPTH
from tuneconf.interpolation.grammar import Reference, analysable, parse_value
from tuneconf.overrides import Merged, merge

MAX_CHARS = 100_000
"""A resolved value longer than this is not given (`a1: ${a0}${a0}` ... doubles at every step)."""
MISSING = "???"
Plain = str | int | float | bool | None
_PLAIN_TYPES = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class Source:
    """A value the resolved one was made from: where it sits, as written, and its line (a negative line:
    the override with index -line - 1, as overrides.py places them)."""

    path: KeyPath
    written: str
    line: int


@dataclass(frozen=True)
class Resolved:
    value: Plain
    sources: tuple[Source, ...] = ()
    """The values it was made from, in the order OmegaConf reaches them."""


class Resolver:
    """Values of one tree (a document, or a document with overrides merged), resolved on demand and
    memoized: one per request, so that what a visible range needs is computed once."""

    def __init__(self, root: Node | None, blocked: Collection[int] = ()) -> None:
        self.root = root
        self.blocked = frozenset(blocked)
        """Lines with a Jinja placeholder: a value reached on one of them is not known."""
        self._memo: dict[KeyPath, tuple[Resolved, int] | None] = {}
        self._active: set[KeyPath] = set()
        self._plain_keys: dict[int, bool] = {}
        self._cut = False
        """A value on the way was given up for depth alone (a nearer start may reach it): not memoized."""

    def at(self, path: KeyPath) -> Resolved | None:
        """The value at `path` as OmegaConf resolves it, or None where that is not certain."""
        node = self._node(path)
        found = self._value(path, node, 0) if node is not None else None
        return found[0] if found is not None else None

    def node(self, path: KeyPath) -> Node | None:
        """The node at `path` (aliases followed), as OmegaConf selects it; None where not certain."""
        return self._node(path)

    def _node(self, path: KeyPath) -> Node | None:
        node = deref(self.root)
        for key in path:
            node = self._child(node, str(key))
            if node is None:
                return None
        return node

    def _child(self, container: Node | None, key: str) -> Node | None:
        """`key` of a mapping (a string key, with no other kind of key beside it), or an index of a list."""
        if isinstance(container, Mapping):
            pair = container.get(key)
            if pair is None or not self._plain(container) or not isinstance(pair.key, Scalar):
                return None
            if pair.key.tag != tags.STR or self._on_blocked(pair.key):
                return None
            return deref(pair.value)
        if isinstance(container, SeqNode):
            if not key.isdigit() or str(int(key)) != key or int(key) >= len(container.items):
                return None
            return deref(container.items[int(key)])
        return None  # a scalar, or a `${}` naming a mapping: OmegaConf follows it, we do not

    def _plain(self, mapping: Mapping) -> bool:
        """Whether every key of `mapping` is a plain string (a merge key `<<` allowed: an explicit key wins
        over what it brings, and a key it brings is not found here: no value)."""
        known = self._plain_keys.get(id(mapping))
        if known is None:
            allowed = (tags.STR, tags.MERGE)
            known = all(isinstance(p.key, Scalar) and p.key.tag in allowed for p in mapping.pairs)
            self._plain_keys[id(mapping)] = known
        return known

    def _on_blocked(self, node: Node) -> bool:
        if not self.blocked:
            return False
        span = node.span
        return any(line in self.blocked for line in range(span.start_line, span.end_line + 1))

    def _value(self, path: KeyPath, node: Node, depth: int) -> tuple[Resolved, int] | None:
        """The value of `node` (at `path`), reached `depth` interpolations deep, with its height: how
        many interpolations deep its own resolution goes."""
        if not isinstance(node, Scalar) or node.problem or self._on_blocked(node):
            return None
        value = node.value
        if not isinstance(value, _PLAIN_TYPES):
            return None  # bytes (!!binary) and other tags OmegaConf does not hold
        if isinstance(value, str):
            if value == MISSING:
                return None  # OmegaConf: MissingMandatoryValue
            if "${" in value:
                return self._interpolated(path, value, depth)
        return Resolved(value), 0

    def _interpolated(self, path: KeyPath, text: str, depth: int) -> tuple[Resolved, int] | None:
        """Memoized with its height: a value found from a shallow start is given from a deeper one only
        while the whole chain stays within MAX_DEPTH."""
        if path in self._memo:
            hit = self._memo[path]
            if hit is not None and depth + hit[1] > MAX_DEPTH:
                self._cut = True
                return None
            return hit
        if path in self._active:
            return None  # a cycle: OmegaConf fails (everything on the way is in it, so it is memoized)
        if depth + 1 > MAX_DEPTH:
            self._cut = True
            return None  # deeper than OmegaConf's stack reaches from here (a nearer start may): not memoized
        self._active.add(path)
        outer_cut, self._cut = self._cut, False
        try:
            result = self._compute(path, text, depth)
        finally:
            self._active.discard(path)
        if result is not None or not self._cut:
            self._memo[path] = result
        self._cut = outer_cut or self._cut
        return result

    def _compute(self, path: KeyPath, text: str, depth: int) -> tuple[Resolved, int] | None:
        if "\\" in text or not analysable(text):
            return None
        parsed = parse_value(text)
        refs = sorted(parsed.references, key=lambda r: r.start)
        if parsed.error or parsed.resolvers or not refs or any(None in ref.keys for ref in refs):
            return None
        pieces: list[str] = []
        sources: list[Source] = []
        at, size, height = 0, 0, 0
        whole: Plain = None
        for ref in refs:
            if ref.start < at:
                return None  # nested references: only inside computed keys or resolver calls, refused above
            target = self._target(path, ref)
            if target is None:
                return None
            target_path, target_node = target
            found = self._value(target_path, target_node, depth + 1)
            if found is None:
                return None
            resolved, below = found
            assert isinstance(target_node, Scalar)
            sources.append(Source(target_path, target_node.text, target_node.span.start_line))
            sources.extend(resolved.sources)
            height = max(height, below + 1)
            whole = resolved.value
            piece = str(resolved.value)
            size += ref.start - at + len(piece)
            if size > MAX_CHARS:
                return None
            pieces += [text[at : ref.start], piece]
            at = ref.end
        pieces.append(text[at:])
        unique = tuple(dict.fromkeys(sources))
        if len(refs) == 1 and refs[0].start == 0 and refs[0].end == len(text):
            return Resolved(whole, unique), height  # exactly one `${key}`: the value as it is typed
        joined = "".join(pieces)
        return (Resolved(joined, unique), height) if len(joined) <= MAX_CHARS else None

    def _target(self, path: KeyPath, ref: Reference) -> tuple[KeyPath, Node] | None:
        """What `ref`, written in the value at `path`, names: its path and node (aliases followed)."""
        if ref.dots > len(path):
            return None  # above the root: OmegaConf fails
        current: KeyPath = path[: len(path) - ref.dots] if ref.dots else ()
        node = self._node(current)
        for key in ref.keys:
            assert key is not None
            child = self._child(node, key)
            if child is None:
                return None
            current = (*current, int(key) if isinstance(node, SeqNode) else key)
            node = child
        return (current, node) if node is not None else None


def shown(value: Plain) -> str:
    """A resolved value as hints and tooltips show it: a string as it is (`''` when empty), else as
    Python writes it (as the hover does: 8, 0.0003, True, None)."""
    if isinstance(value, str):
        return value if value else "''"
    return repr(value)


class ActiveOverrides:
    """The override set the editor chose per document (tuneconf.server.activeOverrides), and the document
    with them merged, once per version of the document. `chosen`: where the choices are kept (the server's
    handler keeps them where didClose forgets a document's)."""

    def __init__(self, chosen: dict[str, tuple[str, ...]] | None = None) -> None:
        self._chosen: dict[str, tuple[str, ...]] = chosen if chosen is not None else {}
        self._merged: dict[str, tuple[ParsedConfig, tuple[str, ...], Merged]] = {}

    def choose(self, uri: str, overrides: Sequence[str]) -> bool:
        """Remember `overrides` for `uri` (none: forget them); whether that changed anything."""
        chosen = tuple(overrides)
        if chosen == self._chosen.get(uri, ()):
            return False
        if chosen:
            self._chosen[uri] = chosen
        else:
            self._chosen.pop(uri, None)
        self._merged.pop(uri, None)
        return True

    def of(self, uri: str) -> tuple[str, ...]:
        return self._chosen.get(uri, ())

    def merged(self, uri: str, doc: ParsedConfig) -> Merged | None:
        """`doc` with the overrides of `uri` applied (None without overrides), merged once per version."""
        chosen = self._chosen.get(uri, ())
        if not chosen:
            self._merged.pop(uri, None)  # forgotten meanwhile (the document closed)
            return None
        hit = self._merged.get(uri)
        if hit is not None and hit[0] is doc and hit[1] == chosen:
            return hit[2]
        merged = merge(doc, list(chosen))
        self._merged[uri] = (doc, chosen, merged)
        return merged


_last_marks: list[tuple[ParsedConfig, list[int]]] = []


def marked_lines(doc: ParsedConfig) -> list[int]:
    """The lines holding `${` or `???` (only they may carry a value or `required`), kept for the last
    version asked: a substring search per line, about a millisecond for 10,000 lines."""
    if _last_marks and _last_marks[0][0] is doc:
        return _last_marks[0][1]
    marks = [n for n, line in enumerate(doc.lines) if "${" in line or "???" in line]
    _last_marks[:] = [(doc, marks)]
    return marks
