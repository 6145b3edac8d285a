"""Completion: dotpaths after a component key, a component's parameters as keys, allowed values."""

from __future__ import annotations

from collections import OrderedDict

from lsprotocol import types

from tuneconf.context import AnalysisContext
from tuneconf.diagnostics.typecheck import allowed_values
from tuneconf.document.components import component_of
from tuneconf.document.cursor import KeyContext, ValueContext, typing_at
from tuneconf.document.parse import ParsedConfig
from tuneconf.document.positions import Converter
from tuneconf.document.tree import Span
from tuneconf.features.hover import symbol_markdown
from tuneconf.features.interpolations import complete_interpolation
from tuneconf.features.path_completion import complete_path, typing_of
from tuneconf.index.records import Member, ModuleListing, Parameter, Symbol

_KINDS = {
    "module": types.CompletionItemKind.Module,
    "class": types.CompletionItemKind.Class,
    "function": types.CompletionItemKind.Function,
    "attribute": types.CompletionItemKind.Variable,
}


def complete(
    doc: ParsedConfig, line: int, col: int, ctx: AnalysisContext, conv: Converter
) -> types.CompletionList | None:
    if ctx.hydra is not None:
        from tuneconf.features import hydra_interpolations, hydra_nav

        entry = hydra_nav.complete(doc, line, col, ctx, conv) or hydra_interpolations.complete(
            doc, line, col, ctx, conv
        )
        if entry is not None:
            return entry
    inside = complete_interpolation(doc, line, col, ctx, conv)
    if inside is not None:
        return inside
    context = typing_at(doc, line, col)
    path = typing_of(doc, line, col, context)
    if path is not None and path.key not in ctx.settings.component_keys + ctx.settings.dotpath_keys:
        paths = complete_path(doc, path, ctx, conv)
        if paths is not None:
            return paths
    if isinstance(context, ValueContext):
        if context.key in ctx.settings.component_keys + ctx.settings.dotpath_keys and not context.in_list:
            return _dotpaths(context, ctx, conv)
        return _values(context, ctx, conv)
    if isinstance(context, KeyContext):
        return _keys(context, ctx, conv)
    return None


def _dotpaths(context: ValueContext, ctx: AnalysisContext, conv: Converter) -> types.CompletionList:
    """A module's members. Their common range travels once, as itemDefaults.editRange (each item's
    label is its text); the items of a listing are built once per typed prefix."""
    module, _, partial = context.prefix.rpartition(".")
    listing = ctx.listing(module)
    if listing is None:
        return types.CompletionList(is_incomplete=True, items=[])
    span = context.replace
    start = span.start_col + len(context.prefix) - len(partial)
    replace = conv.range(Span(span.start_line, start, span.end_line, span.end_col))
    items = _member_items(listing, module, partial)
    defaults = types.CompletionItemDefaults(edit_range=replace)
    return types.CompletionList(is_incomplete=False, items=items, item_defaults=defaults)


_listed: OrderedDict[tuple[int, str, str], tuple[ModuleListing, list[types.CompletionItem]]] = OrderedDict()


def _member_items(listing: ModuleListing, module: str, partial: str) -> list[types.CompletionItem]:
    key = (id(listing), module, partial)
    hit = _listed.get(key)
    if hit is None or hit[0] is not listing:
        shown = [m for m in listing.members if partial.startswith("__") or not _dunder(m.name)]
        hit = (listing, [_member_item(m, module, partial) for m in shown])
        _listed[key] = hit
        if len(_listed) > 64:
            _listed.popitem(last=False)
    return hit[1]


def _dunder(name: str) -> bool:
    """`__all__`, `__version__`: module plumbing, never a component (offered once `__` is typed)."""
    return name.startswith("__") and name.endswith("__")


def _member_item(member: Member, module: str, partial: str) -> types.CompletionItem:
    path = f"{module}.{member.name}" if module else member.name
    rank = (0 if member.public else 1, 0 if member.name.startswith(partial) else 1)
    return types.CompletionItem(
        label=member.name,
        kind=_KINDS.get(member.kind, types.CompletionItemKind.Reference),
        detail=path,
        sort_text=f"{rank[0]}{rank[1]}{member.name.lower()}",
        commit_characters=["."] if member.kind == "module" else None,
        data={"dotpath": path},
    )


def _keys(context: KeyContext, ctx: AnalysisContext, conv: Converter) -> types.CompletionList | None:
    mapping = context.mapping
    component = component_of(mapping, ctx.settings.component_keys) if mapping is not None else None
    replace = conv.range(context.replace)
    if component is None:
        if mapping is None or not mapping.pairs:
            keys = ("_target_",) if ctx.hydra is not None else ctx.settings.component_keys
            return types.CompletionList(is_incomplete=False, items=[_component_key_item(k, replace) for k in keys])
        return None
    resolution = ctx.resolve_or_wait(str(component.dotpath.value))
    if resolution is None:
        return types.CompletionList(is_incomplete=True, items=[])
    symbol = resolution.symbol
    if symbol is None or symbol.parameters is None:
        return None
    present = set(component.mapping.names())
    items = [_param_item(p, symbol, replace) for p in symbol.parameters if p.by_keyword and p.name not in present]
    if ctx.hydra is not None:
        from tuneconf.features.hydra_nav import hydra_key_items

        items += hydra_key_items(present, replace)
    return types.CompletionList(is_incomplete=False, items=items)


def _component_key_item(key: str, replace: types.Range) -> types.CompletionItem:
    return types.CompletionItem(
        label=key,
        kind=types.CompletionItemKind.Keyword,
        detail="the callable to instantiate",
        text_edit=types.TextEdit(range=replace, new_text=f"{key}: "),
        command=types.Command(title="Suggest", command="editor.action.triggerSuggest"),
    )


def _param_item(param: Parameter, symbol: Symbol, replace: types.Range) -> types.CompletionItem:
    default = param.default
    snippet = (
        f"{param.name}: ${{1:{_snippet_escape(_yaml_default(default))}}}"
        if default is not None
        else f"{param.name}: $1"
    )
    detail = param.annotation or ""
    detail += f" = {default}" if default is not None else " (required)"
    doc = param.doc or ""
    return types.CompletionItem(
        label=param.name,
        kind=types.CompletionItemKind.Property,
        detail=detail.strip(),
        documentation=types.MarkupContent(
            kind=types.MarkupKind.Markdown, value=f"{doc}\n\nParameter of `{symbol.signature()}`".strip()
        ),
        sort_text=f"{0 if param.required else 1}{symbol.parameters.index(param):03d}" if symbol.parameters else None,
        insert_text_format=types.InsertTextFormat.Snippet,
        text_edit=types.TextEdit(range=replace, new_text=snippet),
    )


def _values(context: ValueContext, ctx: AnalysisContext, conv: Converter) -> types.CompletionList | None:
    mapping = context.mapping
    component = component_of(mapping, ctx.settings.component_keys) if mapping is not None else None
    if component is None:
        return None
    if ctx.hydra is not None and context.key in ("_convert_", "_partial_", "_recursive_"):
        from tuneconf.features.hydra_nav import hydra_value_items

        return types.CompletionList(
            is_incomplete=False, items=hydra_value_items(context.key, conv.range(context.replace))
        )
    resolution = ctx.resolve_or_wait(str(component.dotpath.value))
    symbol = resolution.symbol if resolution is not None else None
    param = symbol.parameter(context.key) if symbol is not None else None
    if param is None:
        return None
    spec = param.type
    if context.in_list:
        spec = next((a.args[0] for a in (spec, *spec.args) if a.kind == "list" and a.args), spec)
    replace = conv.range(context.replace)
    items = [
        types.CompletionItem(
            label=value,
            kind=types.CompletionItemKind.Value,
            detail=f"{param.name}: {param.annotation or ''}".strip(),
            preselect=value == _yaml_default(param.default) or None,
            text_edit=types.TextEdit(range=replace, new_text=value),
        )
        for value in allowed_values(spec)
    ]
    return types.CompletionList(is_incomplete=False, items=items) if items else None


def resolve_item(item: types.CompletionItem, ctx: AnalysisContext) -> types.CompletionItem:
    """Details of a dotpath item, read when the editor shows it (not for every item listed)."""
    data = item.data if isinstance(item.data, dict) else {}
    dotpath = data.get("dotpath")
    resolution = ctx.resolve_or_wait(dotpath) if isinstance(dotpath, str) else None
    if resolution is not None and resolution.symbol is not None:
        symbol = resolution.symbol
        item.detail = symbol.signature() if symbol.callable else f"({symbol.kind}) {symbol.path}"
        item.documentation = types.MarkupContent(kind=types.MarkupKind.Markdown, value=symbol_markdown(symbol))
    return item


def _yaml_default(default: str | None) -> str:
    if default is None:
        return ""
    if default == "None":
        return "null"
    if len(default) >= 2 and default[0] == default[-1] and default[0] in "'\"":
        return default[1:-1]
    return default


def _snippet_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("}", "\\}")
