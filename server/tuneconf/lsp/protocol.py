"""Stale requests are not computed: a document request waits until every message that has already
arrived is read; if a `$/cancelRequest` names it meanwhile it is answered RequestCancelled, and if its
document changed it is answered ContentModified (its positions refer to text that is gone). Editors
drop both answers silently and ask again.

Every message is checked before pygls dispatches it (lsp/messages.py, `receive`): whatever the client
sends, each request is answered and the read loop goes on (framing: lsp/framing.py)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from concurrent.futures import Executor
from functools import partial
from typing import Any, cast
from urllib.parse import unquote

import attrs
from lsprotocol import types
from pygls.exceptions import (
    JsonRpcContentModified,
    JsonRpcException,
    JsonRpcInternalError,
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
    JsonRpcServerNotInitialized,
)
from pygls.protocol import JsonRPCNotification, JsonRPCRequestMessage, LanguageServerProtocol

from tuneconf.lsp.documents import TextWorkspace
from tuneconf.lsp.framing import Framer
from tuneconf.lsp.messages import Rejected, checked, invalid_params_message

log = logging.getLogger(__name__)

CHUNK = 1 << 16


class TuneconfProtocol(LanguageServerProtocol):
    """pygls' protocol, with document requests deferred until the input read so far is dispatched."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deferred: dict[Any, tuple[str, asyncio.Future[Any], Any]] = {}
        """Request id → (document, placeholder future that $/cancelRequest finds, its answering callback)."""
        # lsprotocol passes any JSON through as a request id or progress token (`integer | string`): a
        # list or an object then fails pygls' own lookups outside any handler. Read them as the spec says.
        self._converter.register_structure_hook(int | str, _id_or_token)
        self._converter.register_structure_hook(int | str | None, _id_or_token)

    def adopt_text_workspace(self) -> None:
        """Keep the editor's documents in our TextWorkspace (lsp/documents.py) instead of pygls' own;
        called at initialize, before any document is open."""
        self._workspace = TextWorkspace.replacing(self.workspace)

    def receive(self, body: bytes) -> None:
        """One message body from the client: dispatched, or logged (and answered, if a request) as what
        is wrong with it. Only `exit` (SystemExit) and a lost client (BrokenPipeError) leave here."""
        try:
            message = self.structure_checked(checked(body))
        except Rejected as why:
            msg_id = why.msg_id
            log.warning("Ignored a message: %s%s", why, "" if msg_id is None else f" (answered {why.error.code})")
            if msg_id is not None:
                self._send_response(msg_id, error=why.error.to_response_error())
            return
        try:
            self.handle_message(message)
        except BrokenPipeError:
            raise
        except Exception as exc:  # pygls answers a failing request itself: this is a bug of ours or pygls'
            log.exception("Handling a message failed")
            self._server._report_server_error(exc, JsonRpcInternalError)

    def structure_checked(self, data: dict[str, Any]) -> Any:
        """pygls' typed message; Rejected if it does not fit its method's lsprotocol type (InvalidParams)."""
        method, msg_id = data.get("method"), data.get("id")
        if method is None:  # a response: pygls knows the type of the request it answers
            try:
                return self.structure_message(data)
            except JsonRpcException as exc:
                raise Rejected(type(exc), f"a malformed response: {exc}") from None
        if self._workspace is None and method not in (types.INITIALIZE, types.EXIT):  # LSP: -32002, or dropped
            raise Rejected(JsonRpcServerNotInitialized, f"{method} before initialize", msg_id)
        if self._shutdown and method != types.EXIT and "id" in data:  # LSP: InvalidRequest
            raise Rejected(JsonRpcInvalidRequest, f"{method} after shutdown", msg_id)
        kind = self.get_message_type(method) or (JsonRPCRequestMessage if "id" in data else JsonRPCNotification)
        if "id" in data and "id" not in attrs.fields_dict(kind):
            raise Rejected(JsonRpcInvalidRequest, f"{method} is a notification, sent as a request", msg_id)
        try:
            return self._converter.structure(data, kind)
        except Exception as exc:
            raise Rejected(JsonRpcInvalidParams, invalid_params_message(method, exc), msg_id) from None

    def _handle_request(self, msg_id: Any, method_name: str, params: Any) -> None:
        uri = _document_of(params)
        if uri is None or not method_name.startswith("textDocument/"):
            super()._handle_request(msg_id, method_name, params)
            return
        loop = asyncio.get_running_loop()
        placeholder: asyncio.Future[Any] = loop.create_future()
        answer = partial(self._send_handler_result, msg_id=msg_id)  # answers RequestCancelled on a cancel
        placeholder.add_done_callback(answer)
        self._request_futures[msg_id] = cast(Any, placeholder)  # pygls keeps asyncio and thread futures here
        self._deferred[msg_id] = (uri, placeholder, answer)
        loop.call_soon(self._run_deferred, msg_id, method_name, params)

    def _run_deferred(self, msg_id: Any, method_name: str, params: Any) -> None:
        entry = self._deferred.pop(msg_id, None)
        if entry is None or entry[1].done():  # cancelled, or answered ContentModified
            return
        entry[1].remove_done_callback(entry[2])
        self._request_futures.pop(msg_id, None)
        super()._handle_request(msg_id, method_name, params)

    def notify_serialized(self, method: str, params: str) -> None:
        """A notification whose params are serialized JSON already (stdio: a synchronous write)."""
        if self.writer is None:
            return
        body = f'{{"jsonrpc": "2.0", "method": {json.dumps(method)}, "params": {params}}}'.encode(self.CHARSET)
        if self._include_headers:
            kind = f"{self.CONTENT_TYPE}; charset={self.CHARSET}"
            body = f"Content-Length: {len(body)}\r\nContent-Type: {kind}\r\n\r\n".encode() + body
        self.writer.write(body)

    def _handle_notification(self, method_name: str, params: Any) -> None:
        if method_name == types.TEXT_DOCUMENT_DID_CHANGE:
            if unquote(params.text_document.uri) not in self.workspace.text_documents:  # as pygls keys them
                log.warning("Ignored a change of %s, which is not open", params.text_document.uri)
                return
            self._modified(params.text_document.uri)
        super()._handle_notification(method_name, params)

    def _modified(self, uri: str) -> None:
        for msg_id, (pending_uri, placeholder, answer) in list(self._deferred.items()):
            if pending_uri == uri and not placeholder.done():
                del self._deferred[msg_id]
                self._request_futures.pop(msg_id, None)
                placeholder.remove_done_callback(answer)
                placeholder.cancel()
                error = JsonRpcContentModified(f"{uri} changed before the request ran").to_response_error()
                self._send_response(msg_id, error=error)


def _id_or_token(value: Any, _kind: Any) -> int | str | None:
    if value is None or isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return value  # None: the Optional variant; a required one is checked by attrs before it gets here
    raise ValueError(f"{value!r} is neither an integer nor a string")


def _document_of(params: Any) -> str | None:
    document = getattr(params, "text_document", None)
    uri = getattr(document, "uri", None)
    return uri if isinstance(uri, str) else None


async def read_messages(fd: int, executor: Executor, protocol: TuneconfProtocol, stop: threading.Event) -> None:
    """Read the input in large chunks off the event loop and dispatch every message a chunk completes
    one after another, without yielding to the loop (so a deferred request sees every edit already
    received). Ends at the end of the input, or by SystemExit from the `exit` notification."""
    framer = Framer()
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        chunk = await loop.run_in_executor(executor, os.read, fd, CHUNK)
        if not chunk:
            break
        framer.feed(chunk)
        for body in framer.bodies():
            protocol.receive(body)
    if framer.leftover():
        log.warning("The input ended inside a message (%d bytes unread)", framer.leftover())
