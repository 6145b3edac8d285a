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


class OverrideError(Exception):
    def __init__(self, message: str, start: int = 0, end: int | None = None, span: Span | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.start = start
        self.end = end
        self.span = span
        """Where the problem is, when known better than "the argument being read"."""


@dataclass
class Merged:
    """The effective config: the YAML with the overrides applied, and what the overrides got wrong."""

    doc: ParsedConfig
    findings: list[Finding] = field(default_factory=list)


def merge(doc: ParsedConfig, args: list[str]) -> Merged:
    """Apply `args` (as given to `tune run` after the config) to `doc`."""
    root = doc.mapping
    findings: list[Finding] = []
    if root is None or not args:
        return Merged(doc, findings)
    sets: list[tuple[int, list[str], Node]] = []
    for index, arg in enumerate(args):
        try:
            if arg.startswith("--"):
                raise OverrideError(f"torchtune accepts no flag here ({arg}); write overrides as key=value.")
            if arg.startswith("~"):
                root = _remove(root, arg[1:].split("=")[0])
            else:
                sets.append(_parse_set(index, arg, root, findings))
        except OverrideError as error:
            end = len(arg) if error.end is None else error.end
            findings.append(
                Finding("bad-override", Severity.ERROR, error.message, override_span(index, error.start, end))
            )
    cli = Mapping(Span(0, 0, 0, 0))
    for index, path, value in sets:
        cli = _update(cli, path, value, _key_spans(index, path))
    try:
        merged = _merge(root, cli)
    except OverrideError as error:
        assert error.span is not None
        findings.append(Finding("bad-override", Severity.ERROR, error.message, error.span))
        merged = root
    return Merged(dataclasses.replace(doc, root=merged), findings)


def _parse_set(index: int, arg: str, root: Mapping, findings: list[Finding]) -> tuple[int, list[str], Node]:
    parts = arg.split("=")
    if len(parts) != 2:
        raise OverrideError(f"An override must be key=value (one '='), got {arg!r}. Quote a value containing '='.")
    key, value = parts
    if "[" in key:
        raise OverrideError(f"'{key}': torchtune cannot override one element of a list; set the whole list.")
    path = key.split(".")
    if len(path) == 1 and _is_component(root.value_of(key)):
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
                f"{value!r} keeps its quote characters, so it will not match what you meant. "
                f"Write {key}=[{clean}] (no quotes inside the brackets)."
            )
            findings.append(Finding("override-quotes", Severity.WARNING, message, item.span))


def _remove(root: Mapping, dotpath: str) -> Mapping:
    if COMPONENT in dotpath:
        raise OverrideError(f"torchtune cannot remove a component's {COMPONENT} (~{dotpath}).")
    path = dotpath.split(".")
    result = _remove_in(root, path, dotpath)
    assert isinstance(result, Mapping)
    return result


def _remove_in(mapping: Mapping, path: list[str], dotpath: str) -> Mapping:
    pair = mapping.get(path[0])
    if pair is None:
        raise OverrideError(f"Could not find '{dotpath}' in the config to remove. Check the key's spelling.")
    kept = [p for p in mapping.pairs if p is not pair]
    if len(path) == 1:
        if _is_component(pair.value):
            raise OverrideError(f"torchtune cannot remove the component '{dotpath}' (it says: could not find it).")
        return _with_pairs(mapping, kept)
    child = deref(pair.value)
    if not isinstance(child, Mapping):
        raise OverrideError(
            f"Cannot remove '{dotpath}': '{path[0]}' is not a mapping (torchtune fails with a TypeError)."
        )
    new_child = _remove_in(child, path[1:], dotpath)
    if new_child.pairs:
        return _with_pairs(mapping, [Pair(p.key, new_child) if p is pair else p for p in mapping.pairs])
    return _with_pairs(mapping, kept)  # an emptied parent goes too, as in torchtune


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


def _update(cli: Mapping, path: list[str], value: Node, key_spans: list[Span]) -> Mapping:
    """OmegaConf.update(cli, "a.b.c", value): create or replace along the path, merge at the end."""
    name = path[0]
    pair = cli.get(name)
    if len(path) == 1:
        new_value = _merge(pair.value, value) if pair is not None and _both_mappings(pair.value, value) else value
    else:
        inner = deref(pair.value) if pair is not None else None
        base = inner if isinstance(inner, Mapping) else Mapping(value.span)
        new_value = _update(base, path[1:], value, key_spans[1:])
    return _set(cli, name, new_value, key_spans[0])


def _merge(dst: Node, src: Node) -> Node:
    """OmegaConf.merge: mappings merge key by key (new keys last); anything else replaces."""
    target, source = deref(dst), deref(src)
    if isinstance(source, Mapping) and isinstance(target, Mapping):
        result = target
        for pair in source.pairs:
            old = result.get(pair.name or "")
            value = _merge(old.value, pair.value) if old is not None else pair.value
            result = _set(result, pair.name or "", value, pair.key.span)
        return result
    if isinstance(source, Mapping) and isinstance(target, Sequence):
        message = "An override sets keys inside a list; torchtune cannot merge a mapping into a list."
        raise OverrideError(message, span=_first_leaf(source).span)
    return src


def _set(mapping: Mapping, name: str, value: Node, key_span: Span) -> Mapping:
    existing = mapping.get(name)
    if existing is not None:
        return _with_pairs(mapping, [Pair(p.key, value) if p is existing else p for p in mapping.pairs])
    key = Scalar(key_span, name, name, tags.STR)
    return _with_pairs(mapping, [*mapping.pairs, Pair(key, value)])


def _first_leaf(node: Node) -> Node:
    while isinstance(node, Mapping) and node.pairs:
        node = node.pairs[0].value
    return node


def _with_pairs(mapping: Mapping, pairs: list[Pair]) -> Mapping:
    return Mapping(mapping.span, pairs, mapping.flow, mapping.tag, mapping.anchor)


def _both_mappings(a: Node, b: Node) -> bool:
    return isinstance(deref(a), Mapping) and isinstance(deref(b), Mapping)


def _is_component(node: Node | None) -> bool:
    target = deref(node)
    return isinstance(target, Mapping) and target.get(COMPONENT) is not None


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
