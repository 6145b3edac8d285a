"""When an error may interrupt the user with a window (window/showMessage).

pygls shows a window for every error outside a request: each malformed message from the client
became a popup. Here every error is logged (window/logMessage, the tuneconf output channel), and a
window is shown at most once per session, for an internal error only:
- the client's own faults (unparsable or invalid messages, params, unknown methods) are not the
  user's to act on, and a confused client sends them by the hundred;
- a failed request is answered with the error already (the client decides how to show it);
- after one window the user knows, and further ones would only bury the editor.
"""

from __future__ import annotations

import logging
from typing import ClassVar

from lsprotocol import types
from pygls.exceptions import (
    FeatureRequestError,
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
    JsonRpcMethodNotFound,
    JsonRpcParseError,
)
from pygls.lsp.server import LanguageServer

CLIENT_FAULTS = (JsonRpcParseError, JsonRpcInvalidRequest, JsonRpcInvalidParams, JsonRpcMethodNotFound)


class Popups:
    """The once-per-session window for an internal error."""

    def __init__(self) -> None:
        self.shown = False

    def message(self, error: Exception, source: type[Exception]) -> str | None:
        """The window's text for this error, or None: log it only."""
        if self.shown or source is FeatureRequestError or isinstance(error, CLIENT_FAULTS):
            return None
        self.shown = True
        return (
            f"tuneconf hit an internal error ({error}). It keeps running; the details are in the tuneconf "
            "output. Further errors this session are only logged there."
        )

    def is_client_fault(self, error: Exception) -> bool:
        return isinstance(error, CLIENT_FAULTS)


class ClientLogHandler(logging.Handler):
    """Python logging → window/logMessage, which VS Code shows in the tuneconf output channel."""

    LEVELS: ClassVar[dict[int, types.MessageType]] = {
        logging.ERROR: types.MessageType.Error,
        logging.WARNING: types.MessageType.Warning,
        logging.INFO: types.MessageType.Info,
    }

    def __init__(self, server: LanguageServer) -> None:
        super().__init__()
        self.server = server

    def emit(self, record: logging.LogRecord) -> None:
        try:
            kind = self.LEVELS.get(record.levelno, types.MessageType.Log)
            self.server.window_log_message(types.LogMessageParams(type=kind, message=self.format(record)))
        except Exception:  # logging must never raise
            pass
