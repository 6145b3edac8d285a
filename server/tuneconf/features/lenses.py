"""Code lenses at the top of a config."""

from __future__ import annotations

from lsprotocol import types

from tuneconf.document.parse import ParsedConfig

SHOW_EFFECTIVE = "tuneconf.showEffectiveConfig"
"""A client command: opens the read-only "Effective config" document for a config."""


def code_lenses(doc: ParsedConfig, uri: str) -> list[types.CodeLens]:
    line = _first_key_line(doc)
    top = types.Range(start=types.Position(line=line, character=0), end=types.Position(line=line, character=0))
    effective = types.Command(title="Effective config", command=SHOW_EFFECTIVE, arguments=[uri])
    return [types.CodeLens(range=top, command=effective)]


def _first_key_line(doc: ParsedConfig) -> int:
    mapping = doc.mapping
    if mapping is not None and mapping.pairs:
        return max(mapping.pairs[0].key.span.start_line, 0)
    return 0
