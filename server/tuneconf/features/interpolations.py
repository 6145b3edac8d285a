"""`${...}` under the cursor: the interpolation part of completion (keys and resolvers), hover (the
resolved value) and definition (the key a reference names); references and rename use `reference_at`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lsprotocol import types

from tuneconf.context import AnalysisContext
from tuneconf.document.cursor import At, node_at
from tuneconf.document.parse import ParsedConfig
from tuneconf.document.positions import Converter
from tuneconf.document.tree import KeyPath, Mapping, Node, Scalar, Sequence, Span, deref
from tuneconf.document.values import ExpansionLimitError, to_python
from tuneconf.effective import select_resolved
from tuneconf.interpolation.bounds import UNNAMED, Bounds, refusal, selectable
from tuneconf.interpolation.grammar import BUILTIN_RESOLVERS, Reference, parse_value
from tuneconf.interpolation.resolve import dotted, node_at_path, offset_span, target

_OPEN = re.compile(r"\$\{(?P<inner>[^${}]*)$")
SHOWN_CHARS = 300  # of a resolved value in a hover (bounds.py allows 100,000)


@dataclass(frozen=True)
class Hit:
    """A reference under the cursor: the value holding it, the reference, the key segment hit."""

    at: At
    ref: Reference
    segment: int | None


def reference_at(doc: ParsedConfig, line: int, col: int) -> Hit | None:
    at = node_at(doc, line, col)
    if at is None or at.is_key or not isinstance(at.scalar.value, str) or "${" not in at.scalar.value:
        return None
    for ref in parse_value(at.scalar.value).references:
        span = offset_span(at.scalar, ref.start, ref.end)
        if span == at.scalar.span and len(parse_value(at.scalar.value).references) > 1:
            return None  # offsets do not map to columns (escapes, several lines)
        if span.contains(line, col):
            segment = next(
                (i for i, (a, b) in enumerate(ref.key_spans) if offset_span(at.scalar, a, b).contains(line, col)),
                None,
            )
            return Hit(at, ref, segment)
    return None


def complete_interpolation(
    doc: ParsedConfig, line: int, col: int, ctx: AnalysisContext, conv: Converter
) -> types.CompletionList | None:
    """Completion after `${`: keys (nested after '.'), and resolver names at the start."""
    text = doc.lines[line][:col] if line < len(doc.lines) else ""
    match = _OPEN.search(text)
    if match is None or ":" in match.group("inner"):
        return None
    inner = match.group("inner").lstrip()
    dots = len(inner) - len(inner.lstrip("."))
    parts = inner[dots:].split(".")
    partial = parts[-1]
    replace = conv.range(Span(line, col - len(partial), line, col))
    container = _container(doc, line, col, dots, parts[:-1])
    items = [_key_item(name, node, replace) for name, node in _children(container)]
    if dots == 0 and len(parts) == 1:
        names = [*BUILTIN_RESOLVERS, *ctx.settings.resolvers]
        items += [_resolver_item(name, replace) for name in names]
    return types.CompletionList(is_incomplete=False, items=items)


def _container(doc: ParsedConfig, line: int, col: int, dots: int, keys: list[str]) -> Node | None:
    base: KeyPath = ()
    if dots:
        at = node_at(doc, line, max(col - 1, 0))
        if at is None:
            return None
        base = at.path[:-dots] if dots <= len(at.path) else ()
    node = node_at_path(doc.root, base)[0]
    for key in keys:
        node = node_at_path(node, (int(key) if key.isdigit() else key,))[0]
    return deref(node)


def _children(node: Node | None) -> list[tuple[str, Node]]:
    if isinstance(node, Mapping):
        return [(p.name, p.value) for p in node.pairs if p.name is not None]
    if isinstance(node, Sequence):
        return [(str(i), item) for i, item in enumerate(node.items)]
    return []


def _key_item(name: str, node: Node, replace: types.Range) -> types.CompletionItem:
    target_node = deref(node)
    nested = isinstance(target_node, (Mapping, Sequence))
    preview = "" if nested or not isinstance(target_node, Scalar) else target_node.text[:60]
    return types.CompletionItem(
        label=name,
        kind=types.CompletionItemKind.Module if nested else types.CompletionItemKind.Field,
        detail=preview or ("mapping" if isinstance(target_node, Mapping) else "list" if nested else None),
        text_edit=types.TextEdit(range=replace, new_text=name),
        commit_characters=["."] if nested else None,
    )


def _resolver_item(name: str, replace: types.Range) -> types.CompletionItem:
    return types.CompletionItem(
        label=name,
        kind=types.CompletionItemKind.Function,
        detail="OmegaConf resolver",
        sort_text=f"~{name}",
        text_edit=types.TextEdit(range=replace, new_text=f"{name}:"),
    )


def interpolation_hover(doc: ParsedConfig, line: int, col: int, conv: Converter) -> types.Hover | None:
    hit = reference_at(doc, line, col)
    if hit is None:
        return _resolver_hover(doc, line, col, conv)
    found = target(doc.root, hit.at.path, hit.ref)
    key = dotted(found.path) if found.node is not None else "(unknown key)"
    parts = [f"`{hit.at.scalar.value}`", f"**{key}**: `{_preview(found.node)}`"]
    resolved, note = resolved_value(doc, hit.at.path)
    if resolved is not None:
        parts.append(f"resolves to `{resolved}`" + (f" *({note})*" if note else ""))
    elif note:
        parts.append(f"*{note}*")
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n".join(parts)),
        range=conv.range(offset_span(hit.at.scalar, hit.ref.start, hit.ref.end)),
    )


def _resolver_hover(doc: ParsedConfig, line: int, col: int, conv: Converter) -> types.Hover | None:
    """Hover on a resolver call (`${oc.env:HOME}`): what the resolver gives, and the value resolved."""
    at = node_at(doc, line, col)
    if at is None or at.is_key or not isinstance(at.scalar.value, str) or "${" not in at.scalar.value:
        return None
    value = at.scalar.value
    call = next(
        (c for c in parse_value(value).resolvers if offset_span(at.scalar, c.start, c.end).contains(line, col)), None
    )
    span = offset_span(at.scalar, call.start, call.end) if call is not None else None
    if call is None or span is None or (span == at.scalar.span and (call.start, call.end) != (0, len(value))):
        return None  # offsets do not map to columns (escapes, several lines)
    does = BUILTIN_RESOLVERS.get(call.name, "a custom resolver: tuneconf does not run it")
    parts = [f"`{value[call.start : call.end]}`", f"**{call.name}**: {does}"]
    resolved, note = resolved_value(doc, at.path)
    if resolved is not None:
        parts.append(f"`{dotted(at.path)}` resolves to `{resolved}`" + (f" *({note})*" if note else ""))
    elif note:
        parts.append(f"`{dotted(at.path)}`: *{note}*")
    return types.Hover(types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n".join(parts)), conv.range(span))


def resolved_value(doc: ParsedConfig, path: KeyPath) -> tuple[str | None, str]:
    """The value at `path` as OmegaConf resolves it (oc.env reads the server's environment), or why not:
    OmegaConf is asked only where interpolation/bounds.py finds it cheap."""
    try:
        plain, config = _loaded(doc)
    except ExpansionLimitError as exc:
        return None, f"not resolved: {exc}"
    except Exception as exc:  # a value OmegaConf cannot hold
        return None, f"OmegaConf cannot load the config: {str(exc).splitlines()[0]}"
    cost = Bounds(plain).at(path)
    reason = refusal(cost) if cost is not None else "OmegaConf does not load this value"
    reason = reason if selectable(path) else UNNAMED
    if reason is not None:
        return None, f"not resolved: {reason}"
    try:
        value = select_resolved(config, dotted(path))
    except Exception as exc:
        return None, f"OmegaConf cannot resolve it: {str(exc).splitlines()[0]}"
    raw = getattr(node_at_path(doc.root, path)[0], "value", "")
    note = "oc.env read from the tuneconf server's environment" if "oc.env" in str(raw) else ""
    shown = repr(value) if not isinstance(value, str) else value
    if len(shown) > SHOWN_CHARS:
        note = "; ".join(filter(None, [f"{len(shown):,} characters", note]))
        shown = f"{shown[:SHOWN_CHARS]}…"
    return shown, note


_last_loaded: list[tuple[ParsedConfig, Any, Any]] = []


def _loaded(doc: ParsedConfig) -> tuple[Any, Any]:
    """The document's plain values and OmegaConf config, kept for the last document hovered: creating
    the config costs up to half a second at OmegaConf's 10,000 nodes, and hovers come in runs."""
    from omegaconf import OmegaConf

    if _last_loaded and _last_loaded[0][0] is doc:
        return _last_loaded[0][1:]
    plain = to_python(doc.root) or {}
    loaded = (doc, plain, OmegaConf.create(plain))
    _last_loaded[:] = [loaded]
    return loaded[1:]


def _preview(node: Node | None) -> str:
    node = deref(node)
    if isinstance(node, Scalar):
        return node.text or "null"
    if isinstance(node, Mapping):
        return "{" + ", ".join(node.names()[:6]) + ("…}" if len(node.pairs) > 6 else "}")
    if isinstance(node, Sequence):
        return f"[{len(node.items)} items]"
    return "?"


def interpolation_definition(
    doc: ParsedConfig, line: int, col: int, uri: str, conv: Converter
) -> list[types.Location] | None:
    hit = reference_at(doc, line, col)
    if hit is None:
        return None
    found = target(doc.root, hit.at.path, hit.ref)
    if found.node is None:
        return None
    span = found.pair.key.span if found.pair is not None else found.node.span
    if span.start_line < 0:
        return None
    return [types.Location(uri=uri, range=conv.range(span))]
