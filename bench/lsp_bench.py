"""One LSP server on one document: start → first diagnostics, completion and hover latency,
keystroke → diagnostics, completion right after a keystroke, and RSS. Peers are measured the same way."""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inputs import position_at
from lsp_client import Client, now_ms


@dataclass
class Positions:
    completion: list[tuple[int, int]]
    hover: list[tuple[int, int]]
    change: tuple[int, int]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def at(uri: str, line: int, col: int) -> dict[str, Any]:
    """TextDocumentPositionParams."""
    return {"textDocument": {"uri": uri}, "position": {"line": line, "character": col}}


def find(text: str, pattern: str) -> tuple[int, int]:
    """(line, col) at the end of the last match of `pattern` (a lookahead lands on a key's start)."""
    matches = list(re.finditer(pattern, text, re.M))
    if not matches:
        raise ValueError(f"no match for {pattern!r}")
    return position_at(text, matches[-1].end())


def positions_for(text: str) -> Positions:
    """The positions the peers were measured at (../shared/lspbench), plus a hover on a dotpath."""
    return Positions(
        completion=[find(text, r"^(?=device)"), find(text, r"^  (?=weight_decay)"), find(text, r"^  _component_: ")],
        hover=[find(text, r"^  _compon"), find(text, r"^dev"), find(text, r"_component_: torch\.optim\.Ad")],
        change=find(text, r"^batch_size: 4"),
    )


def measure(
    argv: list[str],
    text: str,
    workdir: Path,
    *,
    settings: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
    requests: int = 200,
    changes: int = 20,
    typing: int = 40,
    ready: str | None = None,
) -> dict[str, float]:
    """`ready`: a log message the server sends once warm (tuneconf's "ready:"); the requests wait for it, so
    that they measure the warm server (the start-up is measured on its own, run.py: startup_ms)."""
    doc = workdir / "bench.yaml"
    doc.write_text(text)
    uri = doc.as_uri()
    where = positions_for(text)
    client = Client(argv, cwd=str(workdir), env=env, settings=settings)
    try:
        client.initialize(workdir)
        opened = client.open(uri, text)
        first = client.wait_diagnostics(uri, None, opened, timeout=120)
        figures = {"first_diag_ms": first - client.spawned, "open_to_diag_ms": first - opened}
        if ready is not None:
            client.wait_message(ready, timeout=120)
        figures |= _requests(client, uri, "textDocument/completion", where.completion, requests, "completion")
        figures |= _requests(client, uri, "textDocument/hover", where.hover, requests, "hover")
        figures |= _keystrokes(client, uri, text, where.change, changes, typing)
        figures["rss_mb"] = client.rss_mb()
    finally:
        client.close()
    return figures


def _requests(
    client: Client, uri: str, method: str, spots: list[tuple[int, int]], count: int, name: str
) -> dict[str, float]:
    def ask(spot: tuple[int, int]) -> float:
        return client.request(method, at(uri, *spot))[0]

    cold = ask(spots[0])
    warm = [ask(spots[i % len(spots)]) for i in range(count)]
    return {f"{name}_cold_ms": cold, f"{name}_median_ms": statistics.median(warm), f"{name}_p95_ms": p95(warm)}


def _keystrokes(
    client: Client, uri: str, text: str, spot: tuple[int, int], changes: int, typing: int
) -> dict[str, float]:
    line, col = spot
    version = 1
    latencies: list[float] = []
    for index in range(changes):
        version += 1
        insert = index % 2 == 0
        sent = client.change(uri, version, line, col, col if insert else col + 1, "7" if insert else "")
        latencies.append(client.wait_diagnostics(uri, (client.versioned and version) or None, sent) - sent)
    after: list[float] = []
    for index in range(typing):
        version += 1
        insert = index % 2 == 0
        client.change(uri, version, line, col, col if insert else col + 1, "7" if insert else "")
        started = now_ms()
        client.request("textDocument/completion", at(uri, line, 0))
        after.append(now_ms() - started)
    return {
        "keystroke_diag_median_ms": statistics.median(latencies),
        "keystroke_diag_p95_ms": p95(latencies),
        "typing_completion_median_ms": statistics.median(after),
        "typing_completion_p95_ms": p95(after),
    }
