"""The outline: top-level keys, and the components at any depth below them."""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types

from tuneconf.document.components import component_of
from tuneconf.document.parse import ParsedConfig
from tuneconf.document.positions import Converter
from tuneconf.document.tree import Mapping, Node, Pair, Scalar, deref, walk
from tuneconf.document.tree import Sequence as SeqNode
from tuneconf.recipes.registry import RecipeChoice

_DETAIL_WIDTH = 60


def document_symbols(
    doc: ParsedConfig,
    keys: Sequence[str],
    conv: Converter,
    recipe: RecipeChoice | None = None,
    hydra: str | None = None,
) -> list[types.DocumentSymbol]:
    """Top-level keys and components; first, the recipe that runs the config and how it is known
    ("lora_finetune_single_device (from the header)"), or "unknown"; for a Hydra config (`hydra`: where
    it sits, "model/small in conf/"), that instead."""
    mapping = doc.mapping
    if mapping is None:
        return []
    head = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))
    recipe_symbol = types.DocumentSymbol(
        name="hydra" if hydra is not None else "recipe",
        kind=types.SymbolKind.Event,
        range=head,
        selection_range=head,
        detail=hydra if hydra is not None else f"{recipe.name} ({recipe.how})" if recipe else "unknown",
    )
    keyed = [_symbol(p.name, p.key, p.value, keys, conv) for p in mapping.pairs if p.name is not None]
    return [recipe_symbol, *keyed]


def _symbol(name: str, key: Node, value: Node, keys: Sequence[str], conv: Converter) -> types.DocumentSymbol:
    target = deref(value)
    component = component_of(target, keys)
    if component is not None:
        kind, detail = types.SymbolKind.Class, _short(component.dotpath.text)
    elif isinstance(target, Mapping):
        kind, detail = types.SymbolKind.Object, ""
    elif isinstance(target, SeqNode):
        kind, detail = types.SymbolKind.Array, f"{len(target.items)} items"
    else:
        kind, detail = types.SymbolKind.Property, _preview(target)
    span = Pair(key, value).span
    return types.DocumentSymbol(
        name=name or "''",
        kind=kind,
        range=conv.range(span),
        selection_range=conv.range(key.span),
        detail=detail,
        children=_children(target, keys, conv) or None,
    )


def _children(node: Node | None, keys: Sequence[str], conv: Converter) -> list[types.DocumentSymbol]:
    """Components nested under `node`: directly, in lists, or further down."""
    found: list[types.DocumentSymbol] = []
    if isinstance(node, Mapping):
        for pair in node.pairs:
            if pair.name is not None and _holds_component(pair.value, keys):
                found.append(_symbol(pair.name, pair.key, pair.value, keys, conv))
    elif isinstance(node, SeqNode):
        for index, item in enumerate(node.items):
            if _holds_component(item, keys):
                found.append(_symbol(f"[{index}]", item, item, keys, conv))
    return found


def _holds_component(node: Node, keys: Sequence[str]) -> bool:
    """A component at or below `node` (aliases are not followed: an alias bomb stays cheap)."""
    return any(component_of(n, keys) is not None for n in walk(node))


def _short(dotpath: str) -> str:
    return dotpath.rsplit(".", 1)[-1] or dotpath


def _preview(node: Node | None) -> str:
    if not isinstance(node, Scalar):
        return ""
    text = node.text if node.value is not None or node.text else "null"
    return text if len(text) <= _DETAIL_WIDTH else text[: _DETAIL_WIDTH - 1] + "…"
