"""CLI overrides with torchtune 0.6.1's rules (`_merge_yaml_and_cli_args`), applied to our tree.

Removals (`~a.b`) apply first, in order, to the YAML; then the `key=value` overrides are gathered
into one tree, as `OmegaConf.from_dotlist` does, and merged onto the YAML as `OmegaConf.merge`
does. Nodes that come from an override carry spans on "override lines" (see findings.py), so a
problem they cause is reported against the argument that caused it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

from tuneconf.document import tags
from tuneconf.document.parse import ParsedConfig, parse
from tuneconf.document.tree import Alias, Mapping, Node, Pair, Scalar, Sequence, Span, deref
from tuneconf.findings import Finding, Severity, override_span

COMPONENT = "_component_"
MAX_SEGMENTS = 100
"""Keys with more segments are not merged: OmegaConf itself fails (RecursionError) somewhere between 330
segments (merge and print) and 490 (from_dotlist), and our walkers need the trees shallow."""
CERTAIN_FAILURE_SEGMENTS = 500
MAX_VALUE_DEPTH = 100
"""OmegaConf fails (RecursionError) on an override's value nested this deep (80 levels load)."""
MAX_ARGUMENT_BYTES = 131_072
"""Linux refuses a command-line argument this long with its final NUL (MAX_ARG_STRLEN): `tune run` would
not start."""
_SHOWN = 60


class OverrideError(Exception):
    def __init__(
        self,
        message: str,
        start: int = 0,
        end: int | None = None,
        span: Span | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.start = start
        self.end = end
        self.span = span
        """Where the problem is, when known better than "the argument being read"."""
        self.severity = severity


@dataclass
class Merged:
    """The effective config: the YAML with the overrides applied, and what the overrides got wrong."""

    doc: ParsedConfig
    findings: list[Finding] = field(default_factory=list)


def merge(doc: ParsedConfig, args: list[str]) -> Merged:
    """Apply `args` (as given to `tune run` after the config) to `doc`. Linear in the overrides and the
    config: each mapping an override changes is copied once (a _Draft), however many change it."""
    if doc.mapping is None or not args:
        return Merged(doc, [])
    root = _Draft(doc.mapping)
    findings: list[Finding] = []
    sets: list[tuple[int, list[str], Node]] = []
    for index, arg in enumerate(args):
        try:
            _check_size(arg)
            if arg.startswith("--"):
                raise OverrideError(f"torchtune accepts no flag here ({_clip(arg)}); write overrides as key=value.")
            if arg.startswith("~"):
                _remove(root, arg[1:].split("=")[0])
            else:
                sets.append(_parse_set(index, arg, root, findings))
        except OverrideError as error:
            end = len(arg) if error.end is None else error.end
            findings.append(
                Finding("bad-override", error.severity, error.message, override_span(index, error.start, end))
            )
    yaml_root = root.freeze()
    cli = _Draft(Mapping(Span(0, 0, 0, 0)))
    for index, path, value in sets:
        _update(cli, path, value, _key_spans(index, path))
    merged = _Draft(yaml_root)
    try:
        _merge_into(merged, cli)
    except OverrideError as error:
        assert error.span is not None
        findings.append(Finding("bad-override", Severity.ERROR, error.message, error.span))
        return Merged(dataclasses.replace(doc, root=yaml_root), findings)
    return Merged(dataclasses.replace(doc, root=merged.freeze()), findings)


def _check_size(arg: str) -> None:
    """Overrides too long or too deep to analyse are left out, with a finding (never a RecursionError)."""
    size = len(arg.encode("utf-8", "surrogatepass"))
    if size + 1 > MAX_ARGUMENT_BYTES:
        message = (
            f"This override is {size:,} bytes long; Linux refuses a command-line argument of "
            f"{MAX_ARGUMENT_BYTES:,} bytes or more, so tune run would not start. It is not checked."
        )
        raise OverrideError(message, severity=Severity.WARNING)
    key = arg.split("=")[0]
    segments = key.count(".") + 1
    if arg.startswith("~") or segments <= MAX_SEGMENTS:
        return  # a removal walks the config, which is never that deep, and stops where a key is missing
    if segments >= CERTAIN_FAILURE_SEGMENTS:
        message = f"This key has {segments:,} segments; OmegaConf fails (RecursionError) on keys this deep."
        raise OverrideError(message, 0, len(key))
    message = (
        f"This key has {segments:,} segments; tuneconf checks keys of at most {MAX_SEGMENTS}, and OmegaConf fails "
        "(RecursionError) at a few hundred. It is not checked."
    )
    raise OverrideError(message, 0, len(key), severity=Severity.WARNING)


def _parse_set(index: int, arg: str, root: _Draft, findings: list[Finding]) -> tuple[int, list[str], Node]:
    parts = arg.split("=")
    if len(parts) != 2:
        message = f"An override must be key=value (one '='), got {_clip(arg)!r}. Quote a value containing '='."
        raise OverrideError(message)
    key, value = parts
    if "[" in key:
        raise OverrideError(f"'{_clip(key)}': torchtune cannot override one element of a list; set the whole list.")
    path = key.split(".")
    if len(path) == 1 and _is_component(root.value(key)):
        path.append(COMPONENT)  # the `model=dotted.path` shorthand
    text = "!!null" if value == "None" else value
    if "max_filename" in key:
        text = "!!str " + text  # torchtune keeps these as strings (leading zeros)
    node = _value_node(index, text, len(key) + 1, len(arg), value != text)
    _warn_about_quotes(index, key, node, findings)
    return index, path, node


def _value_node(index: int, text: str, col0: int, end: int, rewritten: bool) -> Node:
    parsed = parse(text)
    if parsed.syntax:
        raise OverrideError(f"The value is not valid YAML: {parsed.syntax[0].message}", col0, end)
    if parsed.max_depth >= MAX_VALUE_DEPTH:
        message = f"The value is nested {parsed.max_depth} levels deep; OmegaConf fails (RecursionError) on it."
        raise OverrideError(message, col0, end)
    if parsed.root is None:
        return Scalar(override_span(index, col0, end), None, "", tags.NULL)
    if isinstance(parsed.root, Scalar) and parsed.root.problem:
        raise OverrideError(f"The value cannot be loaded: {parsed.root.problem}.", col0, end)

    def place(span: Span) -> Span:
        if rewritten or span.start_line or span.end_line:
            return override_span(index, col0, end)
        return override_span(index, col0 + span.start_col, col0 + span.end_col)

    return _relocated(parsed.root, place)


def _warn_about_quotes(index: int, key: str, node: Node, findings: list[Finding]) -> None:
    """torchtune #1486: `['q_proj', 'v_proj']` mangled by a shell keeps quotes inside the strings."""
    items = node.items if isinstance(node, Sequence) else [node]
    for item in items:
        value = item.value if isinstance(item, Scalar) and isinstance(item.value, str) else ""
        if value and (value[0] in "'\"" or value[-1] in "'\""):
            clean = ",".join(str(getattr(i, "value", "")).strip("'\" ") for i in items)
            message = (
                f"{_clip(value)!r} keeps its quote characters, so it will not match what you meant. "
                f"Write {_clip(key)}=[{_clip(clean)}] (no quotes inside the brackets)."
            )
            findings.append(Finding("override-quotes", Severity.WARNING, message, item.span))


def _remove(root: _Draft, dotpath: str) -> None:
    """torchtune's `~a.b.c`: checked along the whole path first, so that a removal that fails changes nothing."""
    shown = _clip(dotpath)
    if COMPONENT in dotpath:
        raise OverrideError(f"torchtune cannot remove a component's {COMPONENT} (~{shown}).")
    path = dotpath.split(".")
    node: Node | _Draft | None = root
    for depth, name in enumerate(path):
        if depth and not _is_mapping(node):
            raise OverrideError(
                f"Cannot remove '{shown}': '{_clip(path[depth - 1])}' is not a mapping (torchtune fails with a "
                "TypeError)."
            )
        node = _value_of(node, name)
        if node is None:
            raise OverrideError(f"Could not find '{shown}' in the config to remove. Check the key's spelling.")
    if _is_component(node):
        raise OverrideError(f"torchtune cannot remove the component '{shown}' (it says: could not find it).")
    drafts = [root]
    for name in path[:-1]:
        drafts.append(drafts[-1].child(name))
    drafts[-1].remove(path[-1])
    for parent, name, child in reversed(list(zip(drafts, path, drafts[1:]))):
        if not child.empty:
            break
        parent.remove(name)  # an emptied parent goes too, as in torchtune


def _key_spans(index: int, path: list[str]) -> list[Span]:
    """Where each segment of an override's key is in the argument (the shorthand's _component_ on the last)."""
    spans: list[Span] = []
    col = 0
    for name in path:
        if name == COMPONENT and spans:  # added by the shorthand: point at the key the user typed
            spans.append(spans[-1])
            continue
        spans.append(override_span(index, col, col + len(name)))
        col += len(name) + 1
    return spans


def _update(cli: _Draft, path: list[str], value: Node, key_spans: list[Span]) -> None:
    """OmegaConf.update(cli, "a.b.c", value): create or replace along the path, merge at the end."""
    draft = cli
    for depth, name in enumerate(path[:-1]):
        if not _is_mapping(draft.value(name)):
            draft.set(name, Mapping(value.span), key_spans[depth])
        draft = draft.child(name)
    name = path[-1]
    if _is_mapping(draft.value(name)) and _is_mapping(value):
        _merge_into(draft.child(name), value)
    else:
        draft.set(name, value, key_spans[-1])


def _merge_into(target: _Draft, source: Node | _Draft) -> None:
    """OmegaConf.merge(target, source) in place: mappings merge key by key (new keys last); anything else replaces."""
    for key, value in _pairs_of(source):
        name = key.text if isinstance(key, Scalar) else ""
        old = target.value(name)
        if _is_mapping(old) and _is_mapping(value):
            _merge_into(target.child(name), value)
        elif not isinstance(old, _Draft) and isinstance(deref(old), Sequence) and _is_mapping(value):
            message = "An override sets keys inside a list; torchtune cannot merge a mapping into a list."
            raise OverrideError(message, span=_first_leaf(value).span)
        else:
            target.set(name, value, key.span)


class _Draft:
    """A mapping being changed in place: our trees are never changed once built, so a draft copies a
    mapping's pairs once, then takes any number of changes in O(1) each (the last pair of a name is the
    one that counts, as in PyYAML); `freeze` builds the new tree."""

    __slots__ = ("base", "keys", "live", "values", "where")

    def __init__(self, base: Mapping) -> None:
        self.base = base
        self.keys: list[Node | None] = [p.key for p in base.pairs]  # None: removed
        self.values: list[Node | _Draft] = [p.value for p in base.pairs]
        self.live = len(self.keys)
        self.where: dict[str, list[int]] = {}
        for position, pair in enumerate(base.pairs):
            if pair.name is not None:
                self.where.setdefault(pair.name, []).append(position)

    @property
    def empty(self) -> bool:
        return self.live == 0

    def value(self, name: str) -> Node | _Draft | None:
        found = self.where.get(name)
        return self.values[found[-1]] if found else None

    def child(self, name: str) -> _Draft:
        """The draft of the mapping under `name` (which must hold one)."""
        position = self.where[name][-1]
        current = self.values[position]
        if not isinstance(current, _Draft):
            mapping = deref(current)
            assert isinstance(mapping, Mapping)
            current = self.values[position] = _Draft(mapping)
        return current

    def set(self, name: str, value: Node | _Draft, key_span: Span) -> None:
        found = self.where.get(name)
        if found:
            self.values[found[-1]] = value
            return
        self.where.setdefault(name, []).append(len(self.keys))
        self.keys.append(Scalar(key_span, name, name, tags.STR))
        self.values.append(value)
        self.live += 1

    def remove(self, name: str) -> None:
        self.keys[self.where[name].pop()] = None
        self.live -= 1

    def pairs(self) -> list[tuple[Node, Node | _Draft]]:
        return [(k, v) for k, v in zip(self.keys, self.values) if k is not None]

    def freeze(self) -> Mapping:
        pairs = [Pair(k, v.freeze() if isinstance(v, _Draft) else v) for k, v in self.pairs()]
        base = self.base
        return Mapping(base.span, pairs, base.flow, base.tag, base.anchor)


def _pairs_of(node: Node | _Draft) -> list[tuple[Node, Node | _Draft]]:
    if isinstance(node, _Draft):
        return node.pairs()
    mapping = deref(node)
    return [(p.key, p.value) for p in mapping.pairs] if isinstance(mapping, Mapping) else []


def _value_of(node: Node | _Draft | None, name: str) -> Node | _Draft | None:
    if isinstance(node, _Draft):
        return node.value(name)
    mapping = deref(node)
    return mapping.value_of(name) if isinstance(mapping, Mapping) else None


def _is_mapping(node: Node | _Draft | None) -> bool:
    return isinstance(node, _Draft) or isinstance(deref(node), Mapping)


def _is_component(node: Node | _Draft | None) -> bool:
    return _is_mapping(node) and _value_of(node, COMPONENT) is not None


def _first_leaf(node: Node | _Draft) -> Node:
    while True:
        pairs = _pairs_of(node)
        if not pairs:
            return node.base if isinstance(node, _Draft) else node
        node = pairs[0][1]


def _clip(text: str) -> str:
    """What a message quotes of an argument: its start (an override may be 100,000 characters long)."""
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _relocated(node: Node, place: Callable[[Span], Span]) -> Node:
    """A copy of an override's value tree with spans on the override's line."""
    span = place(node.span)
    if isinstance(node, Scalar):
        return dataclasses.replace(node, span=span)
    if isinstance(node, Mapping):
        pairs = [Pair(_relocated(p.key, place), _relocated(p.value, place)) for p in node.pairs]
        return Mapping(span, pairs, node.flow, node.tag, node.anchor)
    if isinstance(node, Sequence):
        return Sequence(span, [_relocated(i, place) for i in node.items], node.flow, node.tag, node.anchor)
    assert isinstance(node, Alias)
    return Alias(span, node.name, node.target)
