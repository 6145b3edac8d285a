"""What the client sent, checked before pygls sees it: a message body becomes a JSON-RPC message dict,
or `Rejected` says what is wrong with it. Nothing the client sends may leave a request unanswered,
raise into the read loop or reach a feature as something it cannot handle:

- a body that is not JSON, or JSON that is not a JSON-RPC 2.0 message, is rejected (ParseError,
  InvalidRequest); it is answered when it names a usable id, else only logged (JSON-RPC would answer
  with a null id, but LSP clients match answers to their requests and report an unknown one as an
  error of their own: Neovim shows it);
- params that do not fit the method's lsprotocol type are InvalidParams, answered for a request
  (see TuneconfProtocol.structure_checked);
- a lone UTF-16 surrogate (a JSON `\\ud800` escape that no UTF-8 file can hold, and no UTF-8 encoder
  or YAML parser accepts) becomes U+FFFD: one code point and one UTF-16 unit like the surrogate, so
  every position the client sends or receives stays where it was. Invalid UTF-8 bytes likewise.
"""

from __future__ import annotations

import json
import re
from typing import Any

import cattrs
from pygls.exceptions import JsonRpcException, JsonRpcInvalidRequest, JsonRpcParseError

LONE_SURROGATE = re.compile("[\ud800-\udfff]")
"""After json.loads, a surrogate is lone: the decoder joins a valid pair into one code point."""


class Rejected(Exception):
    """A message that is not dispatched: the error to answer with, and the id to answer (None: log only)."""

    def __init__(self, error: type[JsonRpcException], message: str, msg_id: Any = None) -> None:
        super().__init__(message)
        self.error = error(message)
        self.msg_id = msg_id if _usable_id(msg_id) else None


def checked(body: bytes) -> dict[str, Any]:
    """The JSON-RPC message in `body`, its strings free of lone surrogates."""
    text = body.decode("utf-8", "replace")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:  # RecursionError: nested deeper than json can read
        raise Rejected(JsonRpcParseError, f"not JSON ({_short(exc)}): {text[:80]!r}") from None
    if not isinstance(data, dict):
        raise Rejected(JsonRpcInvalidRequest, f"not a JSON object: {text[:80]!r}")
    msg_id, method = data.get("id"), data.get("method")
    if data.get("jsonrpc") != "2.0":
        raise Rejected(JsonRpcInvalidRequest, 'not a JSON-RPC 2.0 message (no "jsonrpc": "2.0")', msg_id)
    if "id" in data and not _usable_id(msg_id):
        raise Rejected(JsonRpcInvalidRequest, f"an id must be an integer or a string, not {msg_id!r}")
    if method is None and not ("id" in data and ("result" in data or "error" in data)):
        raise Rejected(JsonRpcInvalidRequest, "neither a request, a notification nor a response")
    if method is not None and not isinstance(method, str):
        raise Rejected(JsonRpcInvalidRequest, f"a method must be a string, not {method!r}", msg_id)
    if b"\\ud" in body or b"\\uD" in body:  # only escapes carry surrogates (bytes: a faster search than str)
        _replace_lone_surrogates(data)
    return data


def invalid_params_message(method: str, exc: Exception) -> str:
    """Which params are wrong, in cattrs' words (`invalid value @ $.params.position`)."""
    try:
        where = "; ".join(cattrs.transform_error(exc))
    except Exception:  # not a cattrs error
        where = _short(exc)
    return f"Invalid params for {method}: {where}"


def _usable_id(msg_id: Any) -> bool:
    return isinstance(msg_id, str) or (isinstance(msg_id, int) and not isinstance(msg_id, bool))


def _replace_lone_surrogates(data: dict[str, Any]) -> None:
    """In place, without recursion (json.loads reads nesting deeper than a recursive walk could)."""
    stack: list[dict[Any, Any] | list[Any]] = [data]
    while stack:
        node = stack.pop()
        for key, value in list(node.items() if isinstance(node, dict) else enumerate(node)):
            if isinstance(value, str):
                if LONE_SURROGATE.search(value):
                    node[key] = LONE_SURROGATE.sub("\ufffd", value)
            elif isinstance(value, dict | list):
                stack.append(value)


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 200 else text[:200] + "…"


def clamped(lines: list[str], line: int, col: int) -> tuple[int, int]:
    """A position inside the document. LSP: a character past the line's end defaults back to the line
    length; a line past the last one is read as the document's end, as VS Code's validatePosition does
    (a request racing an edit that shortened the document is answered, not failed)."""
    if not lines:
        return 0, 0
    if line >= len(lines):
        return len(lines) - 1, len(lines[-1])
    return line, min(col, len(lines[line]))
