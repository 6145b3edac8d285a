"""Handlers for workspace symbols, and the workspace index they and the Python references share
(workspace_index.py): scanned on a background thread once the client is initialized (with work-done
progress where the client shows it), one file again on each file event, open documents from their text.
lsp/server.py's `initialized`, `didChangeWatchedFiles` and `didChangeConfiguration` call the functions here."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from lsprotocol import types

from tuneconf.document.positions import encoding_of
from tuneconf.lsp.session import TuneconfServer, guarded
from tuneconf.project import path_of
from tuneconf.workspace_index import Scope, WorkspaceIndex

log = logging.getLogger(__name__)
INDEX = WorkspaceIndex()
"""The one server's workspace index."""
INLINE_EVENTS = 200
"""File events re-read on the event loop (a branch switch sends thousands: then one scan in the background)."""
_YAML = (".yaml", ".yml")


def register(server: TuneconfServer) -> None:
    @server.feature(types.WORKSPACE_SYMBOL)
    @guarded(None)
    def workspace_symbol(ls: TuneconfServer, params: types.WorkspaceSymbolParams) -> list[types.WorkspaceSymbol]:
        from tuneconf.features.workspace_symbols import workspace_symbols

        if not ls.project.settings.workspace_symbols:
            return []
        sync_open_documents(ls)
        return workspace_symbols(INDEX, params.query, encoding_of(ls.workspace.position_encoding))


def scope(ls: TuneconfServer) -> Scope:
    project = ls.project
    return Scope(tuple(project.folders), project.settings.component_keys, project.is_config)


def rescan_if_scope_changed(ls: TuneconfServer) -> None:
    """Scan again when the settings that say what a config is changed (tuneconf.componentKeys, .files)."""
    if _scanned_with != _scope_key(ls):
        index_workspace_configs(ls)


def _scope_key(ls: TuneconfServer) -> tuple[object, ...]:
    settings = ls.project.settings
    return tuple(ls.project.folders), settings.component_keys, settings.files


_scanned_with: tuple[object, ...] | None = None


def index_workspace_configs(ls: TuneconfServer) -> None:
    """Scan the workspace's configs on a background thread, reporting progress; then ask the client for
    code lenses again (the Python files' "used in N configs" lenses counted before the scan was done)."""
    loop = ls.loop
    if loop is None or not ls.project.folders:
        INDEX.ready = True
        return
    global _scanned_with
    _scanned_with = _scope_key(ls)
    token = ls.start_progress("Indexing workspace configs")
    current = scope(ls)

    def report(done: int, total: int) -> None:
        message = types.WorkDoneProgressReport(message=f"{done}/{total} files", percentage=done * 100 // total)
        if token is not None:
            loop.call_soon_threadsafe(ls.work_done_progress.report, token, message)

    def work() -> None:
        started, count = time.perf_counter(), 0
        try:
            count = INDEX.scan(current, report)
            from tuneconf.features.workspace_symbols import workspace_symbols

            workspace_symbols(INDEX, "", encoding_of(None), limit=0)  # builds the table of names
        except Exception:
            log.exception("indexing the workspace's configs failed")
        finally:
            seconds = time.perf_counter() - started
            loop.call_soon_threadsafe(guarded(None)(_indexed), ls, token, count, seconds)

    threading.Thread(target=work, name="tuneconf-configs", daemon=True).start()


def _indexed(ls: TuneconfServer, token: str | None, count: int, seconds: float) -> None:
    if token is not None:  # before the log line, which tests wait for
        ls.work_done_progress.end(token, types.WorkDoneProgressEnd(message=f"{count} configs"))
    log.info("workspace configs indexed: %d in %.0f ms", count, seconds * 1000)
    workspace = ls.client_capabilities.workspace
    if workspace is not None and workspace.code_lens is not None and workspace.code_lens.refresh_support:
        ls.workspace_code_lens_refresh(None)


def refresh_files(ls: TuneconfServer, changes: Sequence[types.FileEvent]) -> None:
    """Read the YAML files an event names again (or drop them); many at once: scan again."""
    files = [Path(path_of(c.uri)) for c in changes if c.uri.startswith("file:") and c.uri.endswith(_YAML)]
    if len(files) > INLINE_EVENTS:
        index_workspace_configs(ls)
        return
    current = scope(ls)
    for file in files:
        INDEX.refresh(file, current)


def sync_open_documents(ls: TuneconfServer) -> None:
    """The open YAML documents' text in place of their files (a query reads what the editor shows)."""
    documents = {
        uri: (doc.version, doc.source)
        for uri, doc in list(ls.workspace.text_documents.items())
        if uri.endswith(_YAML) or doc.language_id == "yaml"
    }
    INDEX.sync_open(documents, scope(ls))
