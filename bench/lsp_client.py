"""A small stdio LSP client for benchmarks: raw JSON-RPC, stdlib only, timestamps on every message."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

ERROR_MESSAGES = ("window/logMessage", "window/showMessage")


def now_ms() -> float:
    return time.perf_counter() * 1000.0


class Client:
    """Spawns a server, sends requests and notifications, waits for responses and diagnostics."""

    def __init__(
        self,
        argv: list[str],
        cwd: str | None = None,
        env: dict[str, str] | None = None,
        settings: dict[str, Any] | None = None,
        stderr: int | None = subprocess.DEVNULL,
    ) -> None:
        """`stderr`: where the server's stderr goes (None: this process's)."""
        self.settings = settings or {}
        self.spawned = now_ms()
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, cwd=cwd, env=env, bufsize=0
        )
        self._next_id = 0
        self._responses: dict[int, tuple[float, Any]] = {}
        self._diagnostics: list[tuple[float, str, int | None]] = []
        self.versioned = False
        """Whether the server tags its diagnostics with the document version."""
        self.errors: list[str] = []
        """Error messages the server logged (a handler that raised)."""
        self.published: dict[str, list[Any]] = {}
        """The last diagnostics published per document."""
        self.first_published: dict[str, list[Any]] = {}
        """The first diagnostics published per document."""
        self.failures: dict[int, dict[str, Any] | None] = {}
        """The error (or None) of each response, by request id."""
        self.messages: list[tuple[float, str]] = []
        """Every window/logMessage the server sent, with the time it arrived."""
        self._cv = threading.Condition()
        self._write = threading.Lock()
        threading.Thread(target=self._read_loop, daemon=True).start()

    def _send(self, *messages: dict[str, Any]) -> None:
        """Write the messages with one write (a pipe delivers up to 4 KiB at once)."""
        bodies = [json.dumps(message, separators=(",", ":")).encode() for message in messages]
        data = memoryview(b"".join(b"Content-Length: %d\r\n\r\n" % len(body) + body for body in bodies))
        assert self.proc.stdin is not None
        with self._write:
            while data:
                written = self.proc.stdin.write(data) or 0
                data = data[written:]

    def _read_loop(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            length = 0
            while True:
                line = out.readline()
                if not line:
                    return
                if not line.strip():
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            body = b""
            while len(body) < length:
                chunk = out.read(length - len(body))
                if not chunk:
                    return
                body += chunk
            self._dispatch(now_ms(), json.loads(body))

    def _dispatch(self, at: float, message: dict[str, Any]) -> None:
        if "method" in message and "id" in message:  # a request from the server: answer it
            result: Any = None
            if message["method"] == "workspace/configuration":
                items = message.get("params", {}).get("items", [])
                result = [self.settings.get(str(item.get("section", "")).split(".")[0]) for item in items]
            self._send({"jsonrpc": "2.0", "id": message["id"], "result": result})
            return
        with self._cv:
            if "id" in message:
                self._responses[message["id"]] = (at, message.get("result"))
                self.failures[message["id"]] = message.get("error")
                if "error" in message and message["error"].get("code") not in (-32800, -32801):  # not cancellations
                    self.errors.append(str(message["error"].get("message", "")))
            elif message.get("method") in ERROR_MESSAGES and message["params"]["type"] == 1:
                self.errors.append(message["params"].get("message", ""))
            if message.get("method") == "window/logMessage":
                self.messages.append((at, str(message["params"].get("message", ""))))
            elif message.get("method") == "textDocument/publishDiagnostics":
                params = message["params"]
                self.versioned = self.versioned or params.get("version") is not None
                self.published[params["uri"]] = params["diagnostics"]
                self.first_published.setdefault(params["uri"], params["diagnostics"])
                self._diagnostics.append((at, params["uri"], params.get("version")))
            self._cv.notify_all()

    def request(self, method: str, params: Any, timeout: float = 60) -> tuple[float, Any]:
        """(milliseconds until the response, result)."""
        self._next_id += 1
        ident = self._next_id
        sent = now_ms()
        self._send({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
        with self._cv:
            if not self._cv.wait_for(lambda: ident in self._responses, timeout):
                raise TimeoutError(method)
            at, result = self._responses.pop(ident)
        return at - sent, result

    def burst(self, *messages: tuple[str, Any]) -> list[int]:
        """Send (method, params) messages in one write: a params-less "$/cancelRequest" cancels the
        request before it; a method starting with "?" is a request. Returns the request ids."""
        ids, framed = [], []
        for method, params in messages:
            if method.startswith("?"):
                self._next_id += 1
                ids.append(self._next_id)
                framed.append({"jsonrpc": "2.0", "id": self._next_id, "method": method[1:], "params": params})
            elif method == "$/cancelRequest" and params is None:
                framed.append({"jsonrpc": "2.0", "method": method, "params": {"id": ids[-1]}})
            else:
                framed.append({"jsonrpc": "2.0", "method": method, "params": params})
        self._send(*framed)
        return ids

    def answer(self, ident: int, timeout: float = 60) -> tuple[Any, dict[str, Any] | None]:
        """(result, error) of the response to request `ident`."""
        with self._cv:
            if not self._cv.wait_for(lambda: ident in self._responses, timeout):
                raise TimeoutError(str(ident))
            return self._responses.pop(ident)[1], self.failures.pop(ident, None)

    def notify(self, method: str, params: Any) -> float:
        sent = now_ms()
        self._send({"jsonrpc": "2.0", "method": method, "params": params})
        return sent

    def wait_message(self, part: str, timeout: float = 60) -> float:
        """The time the server logged a message containing `part` (tuneconf logs "ready:" once warm)."""

        def found() -> float | None:
            return next((at for at, text in self.messages if part in text), None)

        with self._cv:
            if not self._cv.wait_for(lambda: found() is not None, timeout):
                raise TimeoutError(f"no log message with {part!r}")
            at = found()
        assert at is not None
        return at

    def wait_diagnostics(self, uri: str, version: int | None, after: float, timeout: float = 60) -> float:
        """The time the first diagnostics for `uri` (at `version`) arrived after `after`."""

        def found() -> float | None:
            for at, got_uri, got_version in self._diagnostics:
                if at >= after and got_uri == uri and (version is None or got_version == version):
                    return at
            return None

        with self._cv:
            if not self._cv.wait_for(lambda: found() is not None, timeout):
                raise TimeoutError(f"diagnostics for {uri} v{version}")
            result = found()
        assert result is not None
        return result

    def initialize(self, root: Path, options: dict[str, Any] | None = None) -> float:
        elapsed, _ = self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": root.as_uri(),
                "capabilities": {
                    "textDocument": {
                        "publishDiagnostics": {"versionSupport": True},
                        "completion": {
                            "completionItem": {"snippetSupport": True},
                            "completionList": {"itemDefaults": ["commitCharacters", "editRange", "data"]},
                        },
                        "hover": {"contentFormat": ["markdown", "plaintext"]},
                    },
                    "workspace": {"configuration": True},
                },
                "initializationOptions": options or {},
            },
        )
        self.ready_at = now_ms()
        self.notify("initialized", {})
        if self.settings:
            self.notify("workspace/didChangeConfiguration", {"settings": self.settings})
        return elapsed

    def open(self, uri: str, text: str, language: str = "yaml") -> float:
        item = {"uri": uri, "languageId": language, "version": 1, "text": text}
        return self.notify("textDocument/didOpen", {"textDocument": item})

    def replace(self, uri: str, version: int, start: tuple[int, int], end: tuple[int, int], text: str) -> float:
        """An incremental change of the range [start, end) (positions in UTF-16 units)."""
        rng = {"start": {"line": start[0], "character": start[1]}, "end": {"line": end[0], "character": end[1]}}
        params = {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"range": rng, "text": text}]}
        return self.notify("textDocument/didChange", params)

    def change(self, uri: str, version: int, line: int, col: int, end_col: int, text: str) -> float:
        """An incremental change of [col, end_col) on one line."""
        return self.replace(uri, version, (line, col), (line, end_col), text)

    def rss_mb(self) -> float:
        """Resident memory of the server and its children (Linux /proc), in MB."""
        return sum(_rss_kb(pid) for pid in _tree(self.proc.pid)) / 1024

    def close(self) -> None:
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()


def _tree(pid: int) -> list[int]:
    children: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            text = Path(f"/proc/{pid}/task/{task}/children").read_text()
            children += [int(c) for c in text.split()]
    except OSError:
        pass
    return [pid] + [p for c in children for p in _tree(c)]


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
