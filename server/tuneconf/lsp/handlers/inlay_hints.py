"""Handlers for inlay hints (features/inlay_hints.py): the hints of a range, their tooltips on resolve,
and the overrides the editor chose for a document (tuneconf.server.activeOverrides), after which resolved
values are shown; the client is asked to refresh its hints when they change."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from tuneconf import command_ids
from tuneconf.lsp.session import TuneconfServer, guarded

ACTIVE: dict[str, list[str]] = {}
"""The overrides the editor chose per document URI (empty: none)."""


def register(server: TuneconfServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_INLAY_HINT, types.InlayHintOptions(resolve_provider=True))
    @guarded(None)
    def inlay_hint(ls: TuneconfServer, params: types.InlayHintParams) -> list[types.InlayHint] | None:
        from tuneconf.features.inlay_hints import inlay_hints

        view = ls.view(params.text_document.uri)
        if not view.is_config or not ls.project.settings.inlay_hints:
            return None
        first, last = params.range.start.line, params.range.end.line
        return inlay_hints(view, first, last, ls.converter(view), ACTIVE.get(view.uri))

    @server.feature(types.INLAY_HINT_RESOLVE)
    @guarded(None)
    def inlay_hint_resolve(ls: TuneconfServer, hint: types.InlayHint) -> types.InlayHint:
        from tuneconf.features.inlay_hints import resolve_hint

        return resolve_hint(hint)

    @server.command(command_ids.ACTIVE_OVERRIDES)
    @guarded(None)
    def active_overrides(ls: TuneconfServer, *args: Any) -> None:
        """activeOverrides(uri, overrides): the overrides the editor runs this document with."""
        uri = args[0] if args and isinstance(args[0], str) else None
        chosen = args[1] if len(args) > 1 and isinstance(args[1], list) else []
        if uri is None:
            return
        ACTIVE[uri] = [o for o in chosen if isinstance(o, str)]
        ls.refresh_views()
