"""The protocol is honoured whatever the client sends: every request is answered (InvalidParams for
params that do not fit), a broken frame costs at most itself, odd text is read like any other, and
nothing pops a window. Raw stdio (bench/lsp_client.py): pytest-lsp cannot send what a valid client
would not."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from lsp_client import Client
from lsprotocol import types
from pygls.protocol import default_converter

from tuneconf.lsp.server import server as registry

SERVER = [sys.executable, "-m", "tuneconf", "serve"]
URI = "file:///tmp/tuneconf-protocol/config.yaml"
TEXT = "model:\n  _component_: torchtune.models.llama2.lora_llama2_7b\n  lora_rank: 8\nbatch_size: 2\n"
WAIT_S = 30
"""Generous: a missing answer fails at the timeout, a present one arrives in milliseconds."""
NO_PARAMS = object()


class Recorder(Client):
    """The stdlib client, keeping every message from the server and able to send raw bytes."""

    def __init__(self, argv: list[str], cwd: str) -> None:
        self.seen: list[dict[str, Any]] = []
        super().__init__(argv, cwd=cwd)

    def _dispatch(self, at: float, message: dict[str, Any]) -> None:
        with self._cv:
            self.seen.append(message)
        super()._dispatch(at, message)

    def raw(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        view = memoryview(data)
        with self._write:
            while view:  # an unbuffered pipe may take part of it
                view = view[self.proc.stdin.write(view) or 0 :]

    def ask(self, method: str, params: Any = NO_PARAMS) -> int:
        """Send a request whose params may be anything, or absent; returns its id."""
        self._next_id += 1
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": self._next_id, "method": method}
        if params is not NO_PARAMS:
            message["params"] = params
        self._send(message)
        return self._next_id

    def notifications(self, method: str) -> list[dict[str, Any]]:
        with self._cv:
            return [m["params"] for m in self.seen if m.get("method") == method]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[Recorder]:
    client = Recorder(SERVER, cwd=str(tmp_path))
    client.initialize(tmp_path)
    client.open(URI, TEXT)
    client.wait_diagnostics(URI, 1, 0, timeout=WAIT_S)
    yield client
    client.close()


def frame(message: dict[str, Any] | bytes) -> bytes:
    body = message if isinstance(message, bytes) else json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def still_answers(client: Recorder) -> None:
    """A valid request after the bad input is answered, and no window was shown."""
    ident = client.ask("textDocument/hover", {"textDocument": {"uri": URI}, "position": {"line": 1, "character": 4}})
    _, error = client.answer(ident, timeout=WAIT_S)
    assert error is None
    assert client.notifications("window/showMessage") == []


def request_methods() -> list[str]:
    """Every request the server handles, from pygls' registry (a new feature is covered by itself).
    Not `shutdown`: its params are null by definition, and answering it ends the session."""
    fm = registry.protocol.fm
    methods = sorted(set(fm.features) | set(fm.builtin_features))
    kinds = {m: types.METHOD_TO_TYPES[m][0] for m in methods if m in types.METHOD_TO_TYPES}
    return [m for m, kind in kinds.items() if "id" in attrs.fields_dict(kind) and m != types.SHUTDOWN]


def position(line: Any, character: Any = 0) -> dict[str, Any]:
    return {"textDocument": {"uri": URI}, "position": {"line": line, "character": character}}


BAD_PARAMS: dict[str, Any] = {
    "no params": NO_PARAMS,
    "null params": None,
    "params of a wrong type": 5,
    "textDocument of a wrong type": {"textDocument": 5, "position": {"line": 0, "character": 0}},
    "line -1": position(-1),
    "line 2**31": position(2**31),
    "null position": {"textDocument": {"uri": URI}, "position": None},
    "character as a string": position(0, "0"),
}


def fits(method: str, params: Any) -> bool:
    """Whether lsprotocol reads these params for this method (then the server must answer them)."""
    message = {"jsonrpc": "2.0", "id": 1, "method": method}
    if params is not NO_PARAMS:
        message["params"] = params
    try:
        default_converter().structure(message, types.METHOD_TO_TYPES[method][0])
    except Exception:
        return False
    return True


def test_every_request_with_bad_params_is_answered(client: Recorder) -> None:
    methods = request_methods()
    assert {"textDocument/hover", "workspace/executeCommand", "completionItem/resolve"} <= set(methods)
    sent = {(method, name): client.ask(method, params) for method in methods for name, params in BAD_PARAMS.items()}
    for (method, name), ident in sent.items():
        _, error = client.answer(ident, timeout=WAIT_S)
        if fits(method, BAD_PARAMS[name]):  # e.g. a bad position in documentSymbol's params: not read
            assert error is None, f"{method} with {name}: {error}"
        else:
            assert error is not None and error["code"] == -32602 and error["message"], f"{method} with {name}"
    logged = client.notifications("window/logMessage")
    assert [m for m in logged if m["type"] == types.MessageType.Error] == []
    assert any("Invalid params for textDocument/hover" in m["message"] for m in logged)
    still_answers(client)


EXTRA_PARAMS: dict[str, dict[str, Any]] = {
    "textDocument/rename": {"newName": "renamed"},
    "textDocument/references": {"context": {"includeDeclaration": True}},
}
"""What a position request needs besides the position (a new one that needs more fails `fits` below)."""


def test_positions_past_the_end_are_answered_as_at_the_end(client: Recorder) -> None:
    """LSP: a character past the line's end defaults back to the line length. A line past the last one
    is read as the document's end, as VS Code's validatePosition does (a request racing an edit that
    shortened the document is answered, not failed)."""
    last = TEXT.splitlines()[1]
    pairs = [((1, 10**6), (1, len(last))), ((10**6, 10**6), (len(TEXT.splitlines()), 0))]
    for method in request_methods():
        kind = attrs.fields_dict(types.METHOD_TO_TYPES[method][0])["params"].type
        if not {"position", "text_document"} <= set(attrs.fields_dict(kind)):  # inlayHint/resolve: a hint, not a place
            continue
        for past, end in pairs:
            asked = [{**position(*at), **EXTRA_PARAMS.get(method, {})} for at in (past, end)]
            assert fits(method, asked[0]), method
            (past_answer, past_error), (end_answer, _) = (client.answer(client.ask(method, p), WAIT_S) for p in asked)
            assert past_error is None and past_answer == end_answer, f"{method} at {past}"
    still_answers(client)


def surrogates(message: dict[str, Any]) -> bytes:
    """The message as JSON with `<hi>` / `<lo>` written as the escapes of lone surrogates."""
    return frame(json.dumps(message).replace("<hi>", "\\ud800").replace("<lo>", "\\udc00").encode())


def test_lone_surrogates_are_read_like_any_odd_character(client: Recorder) -> None:
    uri = "file:///tmp/tuneconf-protocol/surrogates.yaml"
    text = "model:\n  _component_: torchtune.models.llama2.lora_llama2_7b\n  lora_rank: <hi>\nx: {<lo><hi>: 1, b: 2}\n"
    item = {"uri": uri, "languageId": "yaml", "version": 1, "text": text}
    client.raw(surrogates({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": item}}))
    client.wait_diagnostics(uri, 1, 0, timeout=WAIT_S)
    change = {"range": {"start": {"line": 2, "character": 13}, "end": {"line": 2, "character": 13}}, "text": "<lo>"}
    params = {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [change]}
    client.raw(surrogates({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": params}))
    client.wait_diagnostics(uri, 2, 0, timeout=WAIT_S)
    at = {"textDocument": {"uri": uri}, "position": {"line": 2, "character": 13}}
    asked = [
        client.ask("textDocument/hover", at),
        client.ask("textDocument/completion", at),
        client.ask("textDocument/definition", at),
        client.ask(
            "textDocument/codeAction",
            {
                "textDocument": {"uri": uri},
                "range": {"start": at["position"], "end": at["position"]},
                "context": {"diagnostics": []},
            },
        ),
    ]
    symbols_id = client.ask("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    assert all(client.answer(ident, timeout=WAIT_S)[1] is None for ident in asked)
    symbols, error = client.answer(symbols_id, timeout=WAIT_S)
    assert error is None and symbols
    # A surrogate is one UTF-16 unit, and so is what it is read as: `x: {..}` still ends at character 16.
    x = next(s for s in symbols if s["name"] == "x")
    assert x["range"]["end"] == {"line": 3, "character": 16}
    errors = [m for m in client.notifications("window/logMessage") if m["type"] == types.MessageType.Error]
    assert errors == []
    still_answers(client)


def test_a_broken_frame_costs_at_most_itself(client: Recorder) -> None:
    """Resynchronisation at the next header (lsp/framing.py): after each broken frame the next request
    is answered; a frame that declared too much is read up to the next header, so it is answered too."""
    hover = {"jsonrpc": "2.0", "id": "too-large", "method": "textDocument/hover", "params": position(1, 4)}
    body = json.dumps(hover).encode()
    broken = {
        "too small": b"Content-Length: %d\r\n\r\n" % (len(body) - 7) + body,
        "non-numeric": b"Content-Length: twelve\r\n\r\n" + body,
        "missing": b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n" + body,
        "negative": b"Content-Length: -5\r\n\r\n" + body,
        "garbage": b"GET / HTTP/1.1\r\nHost: x\r\n\r\n\x00\xff{{{",
        "empty body": b"Content-Length: 0\r\n\r\n",
        "too large": b"Content-Length: %d\r\n\r\n" % (len(body) + 10**9) + body,
    }
    for name, data in broken.items():
        before = len(client.notifications("window/logMessage"))
        client.raw(data)
        still_answers(client)
        logged = client.notifications("window/logMessage")[before:]
        assert [m for m in logged if m["type"] == types.MessageType.Warning], f"{name}: the reason is logged"
    _, error = client.answer("too-large", timeout=WAIT_S)  # type: ignore[arg-type]  # a string id
    assert error is None


def test_malformed_messages_are_logged_not_shown(client: Recorder) -> None:
    before = len(client.notifications("window/logMessage"))
    malformed = [
        b"{not json",
        b"[1, 2, 3]",
        b'"a string"',
        b'{"jsonrpc": "2.0", "id": 1.5, "method": "textDocument/hover"}',
        b'{"jsonrpc": "1.0", "id": 7, "method": "textDocument/hover"}',
        json.dumps({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": 5}}).encode(),
        json.dumps({"jsonrpc": "2.0", "method": "no/such", "params": [1, 2]}).encode(),
        json.dumps({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": [1]}}).encode(),
        json.dumps(
            {
                "jsonrpc": "2.0",
                "method": "textDocument/didChange",
                "params": {
                    "textDocument": {"uri": "file:///never/opened.yaml", "version": 2},
                    "contentChanges": [{"text": "a: 1"}],
                },
            }
        ).encode(),
        json.dumps({"jsonrpc": "2.0", "id": 424242, "result": {"unasked": True}}).encode(),
    ]
    client.raw(b"".join(frame(body) for body in malformed))
    unknown = client.ask("no/such/request", {"bad": [1, 2]})
    _, error = client.answer(unknown, timeout=WAIT_S)
    assert error is not None and error["code"] == -32601
    _, error = client.answer(7, timeout=WAIT_S)  # JSON-RPC 1.0: an invalid request, with an id to answer
    assert error is not None and error["code"] == -32600
    still_answers(client)
    logged = client.notifications("window/logMessage")[before:]
    warnings = "\n".join(m["message"] for m in logged if m["type"] == types.MessageType.Warning)
    reasons = [
        "not JSON (",
        "not a JSON object",
        "an id must be",
        "not a JSON-RPC 2.0 message",
        "Invalid params for $/cancelRequest",
    ]
    assert all(reason in warnings for reason in reasons) and warnings.count("\n") >= len(malformed) - 3


def test_the_session_order_is_kept(tmp_path: Path) -> None:
    """LSP: before initialize a request is answered ServerNotInitialized (-32002) and a notification
    dropped; after shutdown a request is answered InvalidRequest (-32600). Never silence."""
    client = Recorder(SERVER, cwd=str(tmp_path))
    try:
        early = client.ask("textDocument/hover", position(0, 0))
        client.open(URI, TEXT)  # dropped: the document is not open after initialize
        assert client.answer(early, timeout=WAIT_S)[1]["code"] == -32002  # type: ignore[index]
        client.initialize(tmp_path)
        symbols = client.ask("textDocument/documentSymbol", {"textDocument": {"uri": URI}})
        assert client.answer(symbols, timeout=WAIT_S) == (None, None)
        client.request("shutdown", None, timeout=WAIT_S)
        late = client.ask("textDocument/hover", position(0, 0))
        assert client.answer(late, timeout=WAIT_S)[1]["code"] == -32600  # type: ignore[index]
        assert client.notifications("window/showMessage") == []
    finally:
        client.notify("exit", None)
        client.proc.wait(timeout=WAIT_S)
