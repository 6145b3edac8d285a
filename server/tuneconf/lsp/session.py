"""The server's state between requests: the project, the client's features, what was published, and the
background work (indexing, file-system answers) after which documents are checked again. The handlers
(lsp/server.py) are adapters onto it."""

from __future__ import annotations

import asyncio
import functools
import importlib
import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, BinaryIO, TypeVar, cast

from lsprotocol import types
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer

from tuneconf import __version__
from tuneconf.diagnostics.stats import STAT_REQUEST, STATS
from tuneconf.document.positions import Converter, encoding_of
from tuneconf.lsp.capabilities import ClientFeatures
from tuneconf.lsp.messages import clamped
from tuneconf.lsp.protocol import TuneconfProtocol, read_messages
from tuneconf.lsp.publishing import DiagnosticsJson
from tuneconf.lsp.reporting import Popups
from tuneconf.project import WARMING, ConfigView, Project

log = logging.getLogger(__name__)
DEBOUNCE_S = 0.02
STATS_WAIT_S = 5.0
"""How long the server waits for file-system answers a check missed (then: a hung mount, silence)."""
F = TypeVar("F", bound=Callable[..., Any])
PRELOADED = (
    *(f"tuneconf.diagnostics.{name}" for name in ("components", "interpolations", "recipe", "paths")),
    *(f"tuneconf.features.{name}" for name in ("completion", "hover", "definition", "actions", "lenses", "links")),
    "tuneconf.effective",
    "tuneconf.lsp.commands",
)
"""Imported by the warm-up thread: the first publish does without them, the first request should not wait."""


class TuneconfServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("tuneconf", __version__, protocol_cls=TuneconfProtocol)
        self.project = Project(blocking=False)
        self.pending: dict[str, asyncio.TimerHandle] = {}
        self.settling = False
        self.loop: asyncio.AbstractEventLoop | None = None
        self.features = ClientFeatures()
        self.published: dict[str, DiagnosticsJson] = {}
        self.popups = Popups()
        self.warming = False
        self.indexed_workspace = False

    def view(self, uri: str, config: bool = False, quick: bool = False) -> ConfigView:
        doc = self.workspace.get_text_document(uri)
        return self.project.view(uri, doc.version, doc.source, config, quick)

    def converter(self, view: ConfigView) -> Converter:
        return Converter(view.parsed.lines, encoding_of(self.workspace.position_encoding))

    def at(self, uri: str, position: types.Position) -> tuple[ConfigView, int, int, Converter]:
        view = self.view(uri)
        conv = self.converter(view)
        line, col = clamped(view.parsed.lines, *conv.from_position(position))
        return view, line, col, conv

    def publish(self, uri: str) -> None:
        view = self.view(uri, quick=True)
        known = self.published.setdefault(uri, DiagnosticsJson())
        params = known.params(view.findings(), self.converter(view), uri, view.version)
        cast(TuneconfProtocol, self.protocol).notify_serialized(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, params)
        if WARMING in view.ctx.pending:
            self.warm_up()
        if STAT_REQUEST in view.ctx.pending:
            self.check_when_stats_settle()
        if view.ctx.pending - {STAT_REQUEST, WARMING}:
            self.index_in_background(sorted(view.ctx.pending - {STAT_REQUEST, WARMING}), quiet=True)

    def warm_up(self) -> None:
        """Probe the environment and read the registry's recipes off the event loop (project.warm_up),
        then check the open documents fully and index the workspace's dotpaths. Until then documents get
        their syntax and structure findings only: the first publish does not wait for the environment."""
        if self.warming:
            return
        self.warming, loop = True, self.loop or asyncio.get_event_loop()

        def work() -> None:
            started = time.perf_counter()
            try:
                self.project.warm_up()
                for module in PRELOADED:
                    importlib.import_module(module)
            except Exception:
                log.exception("reading the environment and the recipes failed")
            finally:
                loop.call_soon_threadsafe(self.after_warm_up, time.perf_counter() - started)

        threading.Thread(target=work, name="tuneconf-warm", daemon=True).start()

    def after_warm_up(self, seconds: float) -> None:
        self.warming = False
        if not self.project.warm:  # the settings changed meanwhile: again, for the new ones
            self.warm_up()
            return
        index = self.project.index
        log.info(
            "ready: %s, %d recipes read in %.0f ms",
            index.env.interpreter,
            len(self.project.catalog.registry.recipes),
            seconds * 1000,
        )
        for uri in list(self.workspace.text_documents):
            guarded(None)(self.publish)(uri)
        self.refresh_views()
        if not self.indexed_workspace:
            self.indexed_workspace = True
            self.index_workspace()

    def check_when_stats_settle(self) -> None:
        """Check the documents that missed answers from the file system again once they are in (not
        when a mount hangs: then its paths stay unchecked)."""
        if self.settling:
            return
        self.settling, loop = True, self.loop or asyncio.get_event_loop()

        def wait() -> None:
            settled = STATS.settle(STATS_WAIT_S)
            loop.call_soon_threadsafe(self.after_stats, settled)

        threading.Thread(target=wait, name="tuneconf-stats", daemon=True).start()

    def after_stats(self, settled: bool) -> None:
        self.settling = False
        if settled:
            self.after_indexing(None)

    def recheck(self) -> None:
        """Everything again with fresh answers from the file system (after a download, a file event)."""
        STATS.clear()
        for view in self.project.views():
            view.forget_findings()
        for uri in list(self.workspace.text_documents):
            self.publish_soon(uri)

    def recheck_soon(self) -> None:
        """`recheck` from another thread (a background rescan that finished)."""
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self.recheck)

    def publish_soon(self, uri: str) -> None:
        """Publish after a short quiet time; a newer change reschedules (no stale results)."""
        old = self.pending.pop(uri, None)
        if old is not None:
            old.cancel()
        self.loop = asyncio.get_running_loop()
        self.pending[uri] = self.loop.call_later(DEBOUNCE_S, guarded(None)(self.publish), uri)

    def index_in_background(self, dotpaths: list[str], quiet: bool = False) -> None:
        """Resolve dotpaths off the event loop, then re-check the open documents that waited on them."""
        loop = self.loop or asyncio.get_event_loop()
        progress = None if quiet else self.start_progress(f"Indexing {len(dotpaths)} components")

        def done(_resolved: list[str]) -> None:
            loop.call_soon_threadsafe(self.after_indexing, progress)

        self.project.index.warm(dotpaths, done)

    def index_workspace(self) -> None:
        """Warm the index with the workspace's dotpaths (found off the event loop), with progress."""
        loop = self.loop or asyncio.get_event_loop()

        def scan() -> None:
            dotpaths = self.project.workspace_dotpaths()
            if dotpaths:
                loop.call_soon_threadsafe(self.index_in_background, dotpaths)

        threading.Thread(target=scan, name="tuneconf-scan", daemon=True).start()

    def after_indexing(self, progress: str | None) -> None:
        if progress is not None:
            self.work_done_progress.end(progress, types.WorkDoneProgressEnd(message="Indexed"))
        waited = [view for view in self.project.views() if view.ctx.pending]
        for view in waited:
            view.forget_findings()
            if view.uri in self.workspace.text_documents:
                guarded(None)(self.publish)(view.uri)
        if waited:
            self.refresh_views()

    def refresh_views(self) -> None:
        """Ask the client for semantic tokens, inlay hints and code lenses again, where it can be asked (what
        the warm-up, the index or the settings changed; before warm, those requests are answered empty)."""
        workspace = self.client_capabilities.workspace
        if workspace is None:
            return
        if workspace.semantic_tokens is not None and workspace.semantic_tokens.refresh_support:
            self.workspace_semantic_tokens_refresh(None)
        if workspace.inlay_hint is not None and workspace.inlay_hint.refresh_support:
            self.workspace_inlay_hint_refresh(None)
        if workspace.code_lens is not None and workspace.code_lens.refresh_support:
            self.workspace_code_lens_refresh(None)

    def start_batched_io(self, stdin: BinaryIO, stdout: BinaryIO) -> None:
        """Speak LSP over stdio, reading with tuneconf.lsp.protocol.read_messages."""
        self._stop_event = threading.Event()
        self.protocol.set_writer(StdoutWriter(stdout))
        protocol = cast(TuneconfProtocol, self.protocol)
        try:
            asyncio.run(read_messages(stdin.fileno(), self.thread_pool, protocol, self._stop_event))
        except BrokenPipeError:
            log.error("The connection to the client is lost; shutting down.")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()  # type: ignore[no-untyped-call]

    def report_server_error(self, error: Exception, source: type[Exception]) -> None:
        """Log every error; a window only for the session's first internal one (see lsp/reporting.py)."""
        client_fault = self.popups.is_client_fault(error)
        log.log(logging.WARNING if client_fault else logging.ERROR, "%s: %s", source.__name__, error)
        message = self.popups.message(error, source)
        if message is not None:
            self.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=message))

    def start_progress(self, title: str) -> str | None:
        """LSP work-done progress for slow work, when the client supports it."""
        window = self.client_capabilities.window
        if window is None or not window.work_done_progress:
            return None
        token = str(uuid.uuid4())
        self.work_done_progress.create(token)
        self.work_done_progress.begin(token, types.WorkDoneProgressBegin(title=title, cancellable=False))
        return token


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
