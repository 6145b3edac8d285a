"""Stale requests are not computed: a document request waits until every message that has already
arrived is read; if a `$/cancelRequest` names it meanwhile it is answered RequestCancelled, and if its
document changed it is answered ContentModified (its positions refer to text that is gone). Editors
drop both answers silently and ask again."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable
from concurrent.futures import Executor
from functools import partial
from typing import Any, BinaryIO, cast

from lsprotocol import types
from pygls.exceptions import JsonRpcContentModified
from pygls.protocol import LanguageServerProtocol

CHUNK = 1 << 16


class TuneconfProtocol(LanguageServerProtocol):
    """pygls' protocol, with document requests deferred until the input read so far is dispatched."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deferred: dict[Any, tuple[str, asyncio.Future[Any], Any]] = {}
        """Request id → (document, placeholder future that $/cancelRequest finds, its answering callback)."""

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


def _document_of(params: Any) -> str | None:
    document = getattr(params, "text_document", None)
    uri = getattr(document, "uri", None)
    return uri if isinstance(uri, str) else None


class BatchReader:
    """Reads stdin in large chunks off the event loop and serves lines from memory: while whole messages
    are buffered, pygls' read loop dispatches them one after another without yielding to the loop."""

    def __init__(self, stdin: BinaryIO, executor: Executor) -> None:
        self.fd = stdin.fileno()
        self.executor = executor
        self.buffer = bytearray()
        self.eof = False

    async def _fill(self) -> None:
        chunk = await asyncio.get_running_loop().run_in_executor(self.executor, os.read, self.fd, CHUNK)
        self.eof = not chunk
        self.buffer += chunk

    async def readline(self) -> bytes:
        while b"\n" not in self.buffer and not self.eof:
            await self._fill()
        end = self.buffer.find(b"\n") + 1 or len(self.buffer)
        return self._take(end)

    async def readexactly(self, n: int) -> bytes:
        while len(self.buffer) < n and not self.eof:
            await self._fill()
        return self._take(n) if len(self.buffer) >= n else b""

    def _take(self, n: int) -> bytes:
        data = bytes(self.buffer[:n])
        del self.buffer[:n]
        return data

    def close(self) -> Awaitable[None]:
        return asyncio.sleep(0)
