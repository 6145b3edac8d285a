"""The LSP shell: the only module that knows pygls. Each handler looks up the document,
calls one core function and returns; a failing feature is logged and answered empty."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, TypeVar, cast

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from tuneconf import __version__
from tuneconf.document.positions import Converter, encoding_of
from tuneconf.features.diagnostics import to_diagnostics
from tuneconf.features.folding import folding_ranges
from tuneconf.features.symbols import document_symbols
from tuneconf.settings import Settings
from tuneconf.workspace import ConfigView, Workspace

log = logging.getLogger(__name__)
DEBOUNCE_S = 0.02
F = TypeVar("F", bound=Callable[..., Any])


class TuneconfServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("tuneconf", __version__)
        self.model = Workspace()
        self.pending: dict[str, asyncio.TimerHandle] = {}

    def view(self, uri: str) -> ConfigView:
        doc = self.workspace.get_text_document(uri)
        return self.model.view(uri, doc.version, doc.source)

    def converter(self, view: ConfigView) -> Converter:
        return Converter(view.parsed.lines, encoding_of(self.workspace.position_encoding))

    def publish(self, uri: str) -> None:
        view = self.view(uri)
        diagnostics = to_diagnostics(view.findings(), self.converter(view), uri)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=view.version)
        )

    def publish_soon(self, uri: str) -> None:
        """Publish after a short quiet time; a newer change reschedules (no stale results)."""
        old = self.pending.pop(uri, None)
        if old is not None:
            old.cancel()
        loop = asyncio.get_running_loop()
        self.pending[uri] = loop.call_later(DEBOUNCE_S, guarded(None)(self.publish), uri)


def guarded(default: Any) -> Callable[[F], F]:
    """Log a feature's failure and answer `default`: one broken feature never takes the server down."""

    def wrap(handler: F) -> F:
        @functools.wraps(handler)
        def run(*args: Any) -> Any:
            try:
                return handler(*args)
            except Exception:
                log.exception("%s failed", handler.__name__)
                return default

        return cast(F, run)

    return wrap


server = TuneconfServer()


@server.feature(types.INITIALIZE)
@guarded(None)
def initialize(ls: TuneconfServer, params: types.InitializeParams) -> None:
    options = params.initialization_options or {}
    ls.model.settings = Settings.from_client(options.get("settings") if isinstance(options, dict) else None)
    ls.model.folders = [Path(to_fs_path(f.uri) or f.uri) for f in params.workspace_folders or []]


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
@guarded(None)
def did_change_configuration(ls: TuneconfServer, params: types.DidChangeConfigurationParams) -> None:
    settings = params.settings.get("tuneconf") if isinstance(params.settings, dict) else None
    if settings is not None:
        ls.model.configure(Settings.from_client(settings))
        for uri in list(ls.workspace.text_documents):
            ls.publish_soon(uri)


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
@guarded(None)
def did_open(ls: TuneconfServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.publish(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
@guarded(None)
def did_change(ls: TuneconfServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.publish_soon(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
@guarded(None)
def did_close(ls: TuneconfServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.model.forget(uri)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
@guarded(None)
def document_symbol(ls: TuneconfServer, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol] | None:
    view = ls.view(params.text_document.uri)
    if not view.is_config:
        return None
    return document_symbols(view.parsed, ls.model.settings.component_keys, ls.converter(view))


@server.feature(types.TEXT_DOCUMENT_FOLDING_RANGE)
@guarded(None)
def folding_range(ls: TuneconfServer, params: types.FoldingRangeParams) -> list[types.FoldingRange] | None:
    view = ls.view(params.text_document.uri)
    return folding_ranges(view.parsed) if view.is_config else None


class ClientLogHandler(logging.Handler):
    """Python logging → window/logMessage, which VS Code shows in the tuneconf output channel."""

    LEVELS: ClassVar[dict[int, types.MessageType]] = {
        logging.ERROR: types.MessageType.Error,
        logging.WARNING: types.MessageType.Warning,
        logging.INFO: types.MessageType.Info,
    }

    def emit(self, record: logging.LogRecord) -> None:
        try:
            kind = self.LEVELS.get(record.levelno, types.MessageType.Log)
            server.window_log_message(types.LogMessageParams(type=kind, message=self.format(record)))
        except Exception:  # logging must never raise
            pass


def serve() -> None:
    """Speak LSP over stdio until the client says exit."""
    handler = ClientLogHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.getLogger("tuneconf").addHandler(handler)
    logging.getLogger("tuneconf").setLevel(logging.INFO)
    server.start_io()
