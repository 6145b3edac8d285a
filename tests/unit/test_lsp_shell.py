"""The LSP shell in process: a failing feature is logged and answered empty; broken frames and messages
cost at most themselves; errors are logged, and at most one is shown."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import (
    FeatureNotificationError,
    FeatureRequestError,
    JsonRpcException,
    JsonRpcInternalError,
    JsonRpcInvalidParams,
    JsonRpcMethodNotFound,
    JsonRpcParseError,
)

from tuneconf.lsp.framing import Framer
from tuneconf.lsp.messages import Rejected, checked
from tuneconf.lsp.session import TuneconfServer, guarded
from tuneconf.project import workspace_folder


def test_a_handler_that_raises_answers_its_default_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    @guarded([])
    def broken(_ls: object, _params: object) -> list[int]:
        raise ValueError("boom")

    with caplog.at_level(logging.ERROR, logger="tuneconf"):
        assert broken(None, None) == []
    assert "broken failed" in caplog.text and "boom" in caplog.text


def test_workspace_folders_that_name_no_folder_are_left_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert workspace_folder("file://.") == workspace_folder("file:.") == tmp_path.resolve()
    assert workspace_folder(tmp_path.as_uri()) == tmp_path.resolve()
    assert workspace_folder("file:///no/such/folder") is None and workspace_folder("untitled:1") is None
    assert workspace_folder("") is None


FRAMES = [
    b'{"jsonrpc": "2.0", "method": "a"}',
    b'{"jsonrpc": "2.0", "id": 1, "method": "b", "params": {"x": "\\u00e9"}}',
]


def framed(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def read_split(stream: bytes, at: int) -> list[bytes]:
    """The bodies a Framer reads from `stream` arriving in two reads, split at `at`."""
    framer = Framer()
    bodies = []
    for part in (stream[:at], stream[at:]):
        framer.feed(part)
        bodies += list(framer.bodies())
    return bodies


def test_frames_are_read_whole_however_the_input_is_split() -> None:
    stream = b"".join(map(framed, FRAMES)) + b'Content-Length: 5\r\nContent-Type: x; charset=utf-8\r\n\r\n{"a"}'
    for at in range(len(stream) + 1):
        assert read_split(stream, at) == [*FRAMES, b'{"a"}'], at


@pytest.mark.parametrize(
    ("broken", "recovered"),
    [
        (b"Content-Length: 9\r\n\r\n" + FRAMES[0], []),  # too small: the rest is garbage up to the next header
        (b"Content-Length: 1000000\r\n\r\n" + FRAMES[0], [FRAMES[0]]),  # too large: read up to the next header
        (b"Content-Length: ten\r\n\r\n" + FRAMES[0], []),
        (b"Content-Type: x\r\n\r\n" + FRAMES[0], []),
        (b"\x00\xff garbage without a line break" * 400, []),
        (b"Content-Length: 5", []),  # a header cut short by the next one
    ],
)
def test_a_broken_frame_costs_at_most_itself(broken: bytes, recovered: list[bytes]) -> None:
    """Whatever the broken frame, the frames after it are read (lsp/framing.py resynchronises at the next
    header), and a frame that declared too much is read up to that header. Split anywhere."""
    stream = broken + b"".join(map(framed, FRAMES))
    for at in range(len(stream) + 1):
        bodies = read_split(stream, at)
        assert bodies[-2:] == FRAMES and all(body in bodies[:-2] for body in recovered), at


@pytest.mark.parametrize(
    ("body", "code", "answered"),
    [
        (b"{not json", -32700, None),
        (b"[" * 100_000, -32700, None),  # nested deeper than json reads
        (b"[1, 2]", -32600, None),
        (b'{"jsonrpc": "1.0", "id": 7, "method": "m"}', -32600, 7),
        (b'{"jsonrpc": "2.0", "id": [7], "method": "m"}', -32600, None),
        (b'{"jsonrpc": "2.0", "id": "7", "method": 5}', -32600, "7"),
        (b'{"jsonrpc": "2.0", "id": 7}', -32600, None),  # neither request nor response: never answered
    ],
)
def test_what_is_not_a_json_rpc_message_is_rejected_and_answered_only_with_a_usable_id(
    body: bytes, code: int, answered: object
) -> None:
    with pytest.raises(Rejected) as rejected:
        checked(body)
    assert rejected.value.error.code == code and rejected.value.msg_id == answered


def test_lone_surrogates_and_invalid_utf8_become_one_replacement_character_each() -> None:
    body = b'{"jsonrpc": "2.0", "method": "m", "params": {"a": ["x\\ud800y", {"b": "\\udc00\\ud83d\\ude00\xff"}]}}'
    assert checked(body)["params"] == {"a": ["x\ufffdy", {"b": "\ufffd\U0001f600\ufffd"}]}


def test_only_the_first_internal_error_shows_a_window(caplog: pytest.LogCaptureFixture) -> None:
    """The client's faults and failed requests (answered already) are only logged; an internal error
    shows one window per session."""
    ls = TuneconfServer()
    shown: list[types.ShowMessageParams] = []
    ls.window_show_message = shown.append  # type: ignore[method-assign]
    reports: list[tuple[Exception, type[Exception]]] = [
        (JsonRpcParseError("not JSON"), JsonRpcException),
        (JsonRpcInvalidParams("bad position"), FeatureNotificationError),
        (JsonRpcMethodNotFound("no/such"), FeatureRequestError),
        (ValueError("a failed request"), FeatureRequestError),
        (KeyError("first"), FeatureNotificationError),
        (RuntimeError("second"), JsonRpcInternalError),
    ]
    with caplog.at_level(logging.WARNING, logger="tuneconf"):
        for error, source in reports:
            ls.report_server_error(error, source)
    assert len(shown) == 1 and "'first'" in shown[0].message and shown[0].type == types.MessageType.Error
    assert all(str(error) in caplog.text for error, _ in reports)
