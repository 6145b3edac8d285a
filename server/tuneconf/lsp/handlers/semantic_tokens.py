"""Handlers for semantic tokens (features/semantic_tokens.py): full and full/delta, and the refresh a
client needs when the `tuneconf.semanticTokens` setting changes (lsp/session.py: refresh_views).

The last result per document is kept here (features/token_delta.py), for the next delta. Tokens need
the document's findings (a key the recipe never reads), which the publish of the same version computes
anyway: whichever comes first computes them, the other reuses them."""

from __future__ import annotations

from lsprotocol import types

from tuneconf.document.positions import encoding_of
from tuneconf.features.token_delta import TokenResults
from tuneconf.lsp.session import TuneconfServer, guarded

EMPTY = types.SemanticTokens(data=[])
"""The answer while the setting is off and for documents that are not configs (clears old colours)."""


def register(server: TuneconfServer) -> None:
    """Register the semantic token handlers on the server (the legend goes with the full request)."""
    from tuneconf.features.semantic_tokens import LEGEND

    results = TokenResults()

    @server.feature(types.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL, LEGEND)
    @guarded(EMPTY)
    def semantic_tokens_full(ls: TuneconfServer, params: types.SemanticTokensParams) -> types.SemanticTokens:
        uri = params.text_document.uri
        data = document_data(ls, uri, results)
        return EMPTY if data is None else results.full(uri, data)

    @server.feature(types.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL_DELTA)
    @guarded(EMPTY)
    def semantic_tokens_delta(
        ls: TuneconfServer, params: types.SemanticTokensDeltaParams
    ) -> types.SemanticTokens | types.SemanticTokensDelta:
        uri = params.text_document.uri
        data = document_data(ls, uri, results)
        return EMPTY if data is None else results.delta(uri, params.previous_result_id, data)


def document_data(ls: TuneconfServer, uri: str, results: TokenResults) -> list[int] | None:
    """The encoded tokens of the open document; None while the setting is off or for a non-config."""
    from tuneconf.features.semantic_tokens import semantic_tokens

    if not ls.project.settings.semantic_tokens or not ls.project.warm:  # asked again once warm (refresh_views)
        return None
    view = ls.view(uri)
    if not view.is_config:
        return None
    findings = view.findings()  # first: it resets the context's pending dotpaths
    encoding = encoding_of(ls.workspace.position_encoding)
    return semantic_tokens(view.parsed, view.ctx, findings, encoding, results.sections(uri))
