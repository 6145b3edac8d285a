"""Go to definition: a dotpath segment opens its definition; an argument key, the parameter."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from tuneconf.context import AnalysisContext
from tuneconf.document.cursor import node_at
from tuneconf.document.parse import ParsedConfig
from tuneconf.document.positions import Converter
from tuneconf.features.hover import symbol_at
from tuneconf.features.interpolations import interpolation_definition


def definition(
    doc: ParsedConfig, line: int, col: int, ctx: AnalysisContext, uri: str, conv: Converter
) -> list[types.Location] | None:
    if ctx.hydra is not None:
        from tuneconf.features import hydra_nav

        entry = hydra_nav.definition(doc, line, col, ctx)
        if entry is not None:
            return entry
    inside = interpolation_definition(doc, line, col, uri, conv)
    if inside is not None:
        return inside
    at = node_at(doc, line, col)
    found = symbol_at(at, col, ctx) if at is not None else None
    if found is None:
        return None
    symbol, param = found
    location = symbol.location
    if location is None:
        return None
    target_line = param.line if param is not None and param.line else location.line
    position = types.Position(line=max(target_line - 1, 0), character=0)
    uri = Path(location.file).resolve().as_uri()
    return [types.Location(uri=uri, range=types.Range(start=position, end=position))]
