"""Hover: a dotpath segment shows what that prefix names (signature, summary); an argument key
shows its parameter (annotation, default, doc)."""

from __future__ import annotations

from lsprotocol import types

from tuneconf.context import AnalysisContext
from tuneconf.document.components import component_of
from tuneconf.document.cursor import At, node_at
from tuneconf.document.parse import ParsedConfig
from tuneconf.document.positions import Converter
from tuneconf.features.interpolations import interpolation_hover
from tuneconf.features.path_hover import path_hover
from tuneconf.index.docstrings import summary, to_markdown
from tuneconf.index.records import Parameter, Symbol


def hover(doc: ParsedConfig, line: int, col: int, ctx: AnalysisContext, conv: Converter) -> types.Hover | None:
    if ctx.hydra is not None:
        from tuneconf.features import hydra_interpolations, hydra_nav

        entry = hydra_nav.hover(doc, line, col, ctx, conv) or hydra_interpolations.hover(doc, line, col, ctx, conv)
        if entry is not None:
            return entry
    inside = interpolation_hover(doc, line, col, conv)
    if inside is not None:
        return inside
    at = node_at(doc, line, col)
    if at is None:
        return None
    if ctx.hydra is not None and at.is_key:
        return _with_provenance(_hover(doc, line, col, at, ctx, conv), at, ctx, conv)
    return _hover(doc, line, col, at, ctx, conv)


def _with_provenance(found: types.Hover | None, at: At, ctx: AnalysisContext, conv: Converter) -> types.Hover | None:
    """A key of a Hydra config: which file gives its final value in the composed config."""
    from tuneconf.features.hydra_nav import provenance

    origin = provenance(at.path, ctx)
    if origin is None:
        return found
    if found is None or not isinstance(found.contents, types.MarkupContent):
        value = types.MarkupContent(kind=types.MarkupKind.Markdown, value=origin)
        return types.Hover(contents=value, range=conv.range(at.scalar.span))
    value = types.MarkupContent(kind=types.MarkupKind.Markdown, value=f"{found.contents.value}\n\n---\n\n{origin}")
    return types.Hover(contents=value, range=found.range)


def _hover(doc: ParsedConfig, line: int, col: int, at: At, ctx: AnalysisContext, conv: Converter) -> types.Hover | None:
    path = path_hover(doc, line, col, ctx) if not at.is_key else None
    if path is not None:
        return types.Hover(types.MarkupContent(kind=types.MarkupKind.Markdown, value=path), conv.range(at.scalar.span))
    found = symbol_at(at, col, ctx)
    if found is None:
        return None
    symbol, param = found
    text = _parameter_markdown(param, symbol) if param is not None else symbol_markdown(symbol)
    span = at.scalar.span
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text), range=conv.range(span))


def symbol_at(at: At, col: int, ctx: AnalysisContext) -> tuple[Symbol, Parameter | None] | None:
    """The symbol (and parameter) a scalar refers to: a dotpath prefix, or an argument key."""
    keys = ctx.settings.component_keys
    if at.is_key and at.mapping is not None and at.pair is not None and at.pair.name not in keys:
        component = component_of(at.mapping, keys)
        if component is None:
            return None
        resolution = ctx.resolve_or_wait(str(component.dotpath.value))
        symbol = resolution.symbol if resolution is not None else None
        param = symbol.parameter(at.pair.name or "") if symbol is not None else None
        return (symbol, param) if symbol is not None and param is not None else None
    if at.is_key or at.pair is None or at.pair.name not in keys + ctx.settings.dotpath_keys:
        return None
    dotpath = prefix_at(at, col)
    resolution = ctx.resolve_or_wait(dotpath) if dotpath else None
    return (resolution.symbol, None) if resolution is not None and resolution.symbol is not None else None


def prefix_at(at: At, col: int) -> str:
    """The dotpath up to the end of the segment under the cursor (`torch.optim` on `optim`)."""
    text = str(at.scalar.value)
    span = at.scalar.span
    offset = col - span.start_col - (1 if at.scalar.style in ("'", '"') else 0)
    if span.start_line != span.end_line or offset < 0:
        return text
    end = text.find(".", offset)
    return text if end < 0 else text[:end]


def symbol_markdown(symbol: Symbol) -> str:
    kind = {"partial": "function"}.get(symbol.kind, symbol.kind)
    head = f"({kind}) {symbol.path}" if symbol.kind in ("module", "attribute") else f"{symbol.signature()}"
    parts = [f"```python\n{head}\n```"]
    if symbol.target != symbol.path:
        parts.append(f"Defined as `{symbol.target}`")
    if symbol.kind == "partial":
        parts.append("A `functools.partial`: bound arguments have new defaults.")
    if symbol.note:
        parts.append(f"*{symbol.note}*")
    if symbol.doc:
        parts.append(to_markdown(summary(symbol.doc)))
    return "\n\n".join(parts)


def _parameter_markdown(param: Parameter, symbol: Symbol) -> str:
    parts = [f"```python\n{param.render()}\n```", f"Parameter of `{symbol.short_name}` ({param.kind.value})"]
    if param.required:
        parts.append("**Required.**")
    if param.doc:
        parts.append(to_markdown(param.doc))
    return "\n\n".join(parts)
