"""Handlers for inlay hints (features/inlay_hints.py): the hints of a range, their tooltips on resolve,
and the overrides the editor chose for a document (tuneconf.server.activeOverrides), after which values
are shown as a run with those overrides sees them.

The chosen overrides are kept in ACTIVE (lsp/server.py's didClose forgets a closed document's), merged
with the document once per version (features/inlay_values.py: ActiveOverrides). A client whose
capabilities do not say it resolves a hint's tooltip gets the tooltips with the hints (cheap: a visible
range has a handful)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lsprotocol import types

from tuneconf import command_ids
from tuneconf.lsp.session import TuneconfServer, guarded

if TYPE_CHECKING:
    from tuneconf.features.inlay_values import ActiveOverrides


ACTIVE: dict[str, tuple[str, ...]] = {}
"""The overrides the editor chose per document URI (none: absent), kept beside the server, which is one per
process (lsp/server.py); its didClose forgets a document's."""


def register(server: TuneconfServer) -> None:
    state: list[ActiveOverrides] = []

    def overrides() -> ActiveOverrides:
        """The chosen overrides with their merges (made on first use: the feature is not imported at start-up)."""
        if not state:
            from tuneconf.features.inlay_values import ActiveOverrides

            state.append(ActiveOverrides(ACTIVE))
        return state[0]

    @server.feature(types.TEXT_DOCUMENT_INLAY_HINT, types.InlayHintOptions(resolve_provider=True))
    @guarded(None)
    def inlay_hint(ls: TuneconfServer, params: types.InlayHintParams) -> list[types.InlayHint] | None:
        from tuneconf.features.inlay_hints import inlay_hints, resolve_hint

        if not ls.project.settings.inlay_hints or not ls.project.warm:  # asked again once warm (refresh_views)
            return None
        uri = params.text_document.uri
        view = ls.view(uri)
        if not view.is_config:
            return None
        first, last = params.range.start.line, params.range.end.line
        active = overrides()
        merged = active.merged(uri, view.parsed)
        hints = inlay_hints(view, first, last, ls.converter(view), active.of(uri), merged)
        return hints if resolves_tooltips(ls) else [resolve_hint(hint) for hint in hints]

    @server.feature(types.INLAY_HINT_RESOLVE)
    @guarded(None)
    def inlay_hint_resolve(ls: TuneconfServer, hint: types.InlayHint) -> types.InlayHint:
        from tuneconf.features.inlay_hints import resolve_hint

        return resolve_hint(hint)

    @server.command(command_ids.ACTIVE_OVERRIDES)
    @guarded(None)
    def active_overrides(ls: TuneconfServer, *args: Any) -> None:
        """activeOverrides(uri, overrides): the overrides the editor runs this document with (an empty
        list: none; what is not a string in it is left out); the client is asked for its hints again,
        where it can be asked. Arguments of another shape change nothing (no error for the client to show)."""
        uri = args[0] if args else None
        chosen = args[1] if len(args) > 1 else None
        if not isinstance(uri, str) or not isinstance(chosen, list):
            return
        if overrides().choose(uri, [o for o in chosen if isinstance(o, str)]):
            refresh_inlay_hints(ls)


def resolves_tooltips(ls: TuneconfServer) -> bool:
    """Whether the client resolves a hint's tooltip lazily (inlayHint/resolve with `tooltip` resolvable)."""
    document = ls.client_capabilities.text_document
    inlay = document.inlay_hint if document is not None else None
    support = inlay.resolve_support if inlay is not None else None
    return support is not None and "tooltip" in support.properties


def refresh_inlay_hints(ls: TuneconfServer) -> None:
    """workspace/inlayHint/refresh, where the client's capabilities say it takes it."""
    workspace = ls.client_capabilities.workspace
    if workspace is not None and workspace.inlay_hint is not None and workspace.inlay_hint.refresh_support:
        ls.workspace_inlay_hint_refresh(None)
