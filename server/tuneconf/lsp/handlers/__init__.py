"""Handlers of the editor-insight features (inlay hints, semantic tokens, workspace symbols, Python ↔
config references). Each module has `register(server)`, called once by lsp/server.py, so that
lsp/server.py stays the document handlers and each feature family keeps its adapters beside each other."""

from __future__ import annotations

from tuneconf.lsp.handlers import (
    inlay_hints,
    override_completion,
    python_refs,
    runs,
    semantic_tokens,
    workspace_symbols,
)
from tuneconf.lsp.session import TuneconfServer


def register_all(server: TuneconfServer) -> None:
    for module in (inlay_hints, semantic_tokens, workspace_symbols, python_refs, runs, override_completion):
        module.register(server)
