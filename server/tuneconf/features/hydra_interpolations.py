"""`${...}` in a Hydra config: completion of keys from the composed config (what other group files set
too), of Hydra's resolvers and the resolvers the workspace registers, and of `${hydra:...}` keys; hover on
a key (its composed value and the file it comes from) and on `${hydra:...}` / `${now:...}`."""

from __future__ import annotations

import re
from typing import Any

from lsprotocol import types

from tuneconf.context import AnalysisContext
from tuneconf.document.cursor import node_at
from tuneconf.document.parse import ParsedConfig
from tuneconf.document.positions import Converter
from tuneconf.document.tree import Span
from tuneconf.hydra.keys import HYDRA_KEYS, HYDRA_RESOLVERS, children
from tuneconf.interpolation.grammar import BUILTIN_RESOLVERS, parse_value
from tuneconf.interpolation.resolve import offset_span

_HYDRA_KEY = re.compile(r"\$\{hydra:(?P<key>[\w.]*)$")
_OPEN = re.compile(r"\$\{(?P<inner>[^${}:]*)$")
PREVIEW = 60


def complete(
    doc: ParsedConfig, line: int, col: int, ctx: AnalysisContext, conv: Converter
) -> types.CompletionList | None:
    hydra = ctx.hydra
    if hydra is None or hydra.place is None or line >= len(doc.lines):
        return None
    text = doc.lines[line][:col]
    found = _HYDRA_KEY.search(text)
    if found is not None:
        return _hydra_keys(found.group("key"), line, col, conv)
    opened = _OPEN.search(text)
    inner = opened.group("inner").lstrip() if opened is not None else "."
    if inner.startswith("."):
        return None  # relative (or no `${`): the document's own keys (features/interpolations.py)
    composition = hydra.composition()
    if composition is None:
        return None  # the document's own keys (features/interpolations.py)
    parts = inner.split(".")
    replace = conv.range(Span(line, col - len(parts[-1]), line, col))
    node: Any = composition.data
    for key in parts[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
    items = [_key_item(str(k), v, replace) for k, v in node.items()] if isinstance(node, dict) else []
    if len(parts) == 1:
        items += _resolver_items(hydra.resolvers, replace)
    return types.CompletionList(is_incomplete=False, items=items)


def _hydra_keys(key: str, line: int, col: int, conv: Converter) -> types.CompletionList:
    """`${hydra:runtime.` → the keys below `runtime` in Hydra's hydra section."""
    prefix, _, partial = key.rpartition(".")
    replace = conv.range(Span(line, col - len(partial), line, col))
    items = [
        types.CompletionItem(
            label=name,
            kind=types.CompletionItemKind.Property,
            detail=doc_text,
            text_edit=types.TextEdit(range=replace, new_text=name),
        )
        for name, doc_text in children(prefix)
    ]
    return types.CompletionList(is_incomplete=False, items=items)


def _resolver_items(registered: frozenset[str], replace: types.Range) -> list[types.CompletionItem]:
    resolvers = {**BUILTIN_RESOLVERS, **HYDRA_RESOLVERS, **dict.fromkeys(registered, "registered in the workspace")}
    return [
        types.CompletionItem(
            label=name,
            kind=types.CompletionItemKind.Function,
            detail=str(what or "resolver"),
            sort_text=f"~{name}",
            text_edit=types.TextEdit(range=replace, new_text=f"{name}:"),
        )
        for name, what in resolvers.items()
    ]


def _key_item(name: str, value: Any, replace: types.Range) -> types.CompletionItem:
    nested = isinstance(value, (dict, list))
    return types.CompletionItem(
        label=name,
        kind=types.CompletionItemKind.Module if nested else types.CompletionItemKind.Field,
        detail="mapping" if isinstance(value, dict) else "list" if nested else str(value)[:PREVIEW],
        text_edit=types.TextEdit(range=replace, new_text=name),
        commit_characters=["."] if nested else None,
    )


def hover(doc: ParsedConfig, line: int, col: int, ctx: AnalysisContext, conv: Converter) -> types.Hover | None:
    """`${hydra:KEY}` and `${now:FMT}`: what they give; `${a.b}`: the composed value and its file."""
    hydra = ctx.hydra
    at = node_at(doc, line, col)
    if hydra is None or hydra.place is None or at is None or at.is_key or not isinstance(at.scalar.value, str):
        return None
    value = at.scalar.value
    if "${" not in value:
        return None
    parsed = parse_value(value)
    for call in parsed.resolvers:
        span = offset_span(at.scalar, call.start, call.end)
        exact = span != at.scalar.span or (call.start, call.end) == (0, len(value))  # else columns are unknown
        if call.name in HYDRA_RESOLVERS and exact and span.contains(line, col):
            argument = value[call.name_end + 1 : call.end - 1].strip()
            what = HYDRA_KEYS.get(argument, "") if call.name == "hydra" else HYDRA_RESOLVERS["now"]
            text = f"`{value[call.start : call.end]}`\n\n**{call.name}**: {HYDRA_RESOLVERS[call.name]}"
            if what and call.name == "hydra":
                text += f"\n\n`hydra.{argument}`: {what}"
            return types.Hover(types.MarkupContent(kind=types.MarkupKind.Markdown, value=text), conv.range(span))
    composition = hydra.composition()
    if composition is None:
        return None
    for ref in parsed.references:
        span = offset_span(at.scalar, ref.start, ref.end)
        if not span.contains(line, col) or ref.dots or any(k is None for k in ref.keys):
            continue
        keys = tuple(str(k) for k in ref.keys)
        node: Any = composition.data
        for key in keys:
            node = node.get(key) if isinstance(node, dict) else None
        if node is None:
            return None
        origin = composition.origins.get(keys)
        shown = "mapping" if isinstance(node, dict) else "list" if isinstance(node, list) else repr(node)[:PREVIEW]
        text = f"`{'.'.join(keys)}` in the composed config: `{shown}`"
        if origin:
            text += f"\n\nset by `{hydra.place.root.relative(origin[-1])}`"
        return types.Hover(types.MarkupContent(kind=types.MarkupKind.Markdown, value=text), conv.range(span))
    return None
