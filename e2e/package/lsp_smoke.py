"""A minimal LSP client over stdio, standard library only: `tuneconf serve` from a clean install
answers initialize, publishes diagnostics for a config it is given, and shuts down cleanly.

usage: python lsp_smoke.py TUNECONF_EXECUTABLE   (exit status 0 when all of that happened)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from queue import Empty, Queue
from typing import Any

CONFIG = "optimizer:\n  _component_: torch.optim.AdamW\n  lr: 3e-4\n  lr: 1e-4\n"


def send(proc: subprocess.Popen[bytes], message: dict[str, Any]) -> None:
    body = json.dumps({"jsonrpc": "2.0", **message}).encode()
    assert proc.stdin is not None
    proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    proc.stdin.flush()


def reader(proc: subprocess.Popen[bytes], inbox: Queue[dict[str, Any]]) -> None:
    assert proc.stdout is not None
    while True:
        length = None
        while True:
            line = proc.stdout.readline()
            if not line:
                return
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        if length is not None:
            inbox.put(json.loads(proc.stdout.read(length)))


def wait(inbox: Queue[dict[str, Any]], accept: Any, what: str, timeout: float = 60) -> dict[str, Any]:
    """The first message `accept` takes; others are dropped. Blocks on the queue, no polling."""
    while True:
        try:
            message = inbox.get(timeout=timeout)
        except Empty:
            raise SystemExit(f"lsp_smoke: no {what} within {timeout} s") from None
        if accept(message):
            return message


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.yaml"
        config.write_text(CONFIG)
        proc = subprocess.Popen([sys.argv[1], "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=tmp)
        inbox: Queue[dict[str, Any]] = Queue()
        threading.Thread(target=reader, args=(proc, inbox), daemon=True).start()
        root = Path(tmp).as_uri()
        send(
            proc, {"id": 1, "method": "initialize", "params": {"processId": None, "rootUri": root, "capabilities": {}}}
        )
        init = wait(inbox, lambda m: m.get("id") == 1, "initialize result")
        print("server:", init["result"].get("serverInfo"))
        assert init["result"]["serverInfo"]["name"] == "tuneconf", init
        send(proc, {"method": "initialized", "params": {}})
        uri = config.as_uri()
        item = {"uri": uri, "languageId": "yaml", "version": 1, "text": CONFIG}
        send(proc, {"method": "textDocument/didOpen", "params": {"textDocument": item}})
        published = wait(
            inbox,
            lambda m: (
                m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"] == uri
                and any(d.get("code") == "duplicate-key" for d in m["params"]["diagnostics"])
            ),
            "duplicate-key diagnostic",
        )
        print("diagnostics:", [(d["code"], d["range"]["start"]) for d in published["params"]["diagnostics"]])
        send(proc, {"id": 2, "method": "shutdown"})
        wait(inbox, lambda m: m.get("id") == 2, "shutdown result")
        send(proc, {"method": "exit"})
        code = proc.wait(timeout=30)
        print("exit status:", code)
        return code


if __name__ == "__main__":
    raise SystemExit(main())
