"""Interpolations: completion inside `${` on the 10,000-line config; the check time on the real one.
`make bench` (run.py) reports these.

Run alone: .venv/bin/python bench/interpolations.py  (prints the figures)
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from inputs import SERVER, real_config, synthetic
from lsp_bench import at, p95
from lsp_client import Client

from tuneconf.context import AnalysisContext
from tuneconf.diagnostics import interpolations
from tuneconf.document.parse import parse


def completion_10k(requests: int = 200) -> dict[str, float]:
    text = synthetic(10_000) + "probe: ${block_00007.\n"
    line = text.count("\n") - 1
    col = len("probe: ${block_00007.")
    empty = Path(tempfile.mkdtemp(prefix="tuneconf-bench-"))
    client = Client(SERVER, cwd=str(empty), env=dict(os.environ, TUNECONF_CACHE_DIR=str(empty / "cache")))
    try:
        client.initialize(empty)
        uri = (empty / "big.yaml").as_uri()
        client.open(uri, text)
        _, result = client.request("textDocument/completion", at(uri, line, col))
        assert result and [i["label"] for i in result["items"]][:2] == ["_component_", "lora_attn_modules"], result
        samples = [client.request("textDocument/completion", at(uri, line, col))[0] for _ in range(requests)]
    finally:
        client.close()
    return {"median_ms": statistics.median(samples), "p95_ms": p95(samples)}


def check_time_real(reps: int = 200) -> dict[str, float]:
    doc = parse(real_config())
    list(interpolations.check(doc, AnalysisContext()))
    started = time.perf_counter()
    for _ in range(reps):
        list(interpolations.check(doc, AnalysisContext()))
    return {"checks_ms": (time.perf_counter() - started) * 1000 / reps}


def figures(requests: int = 200) -> dict[str, dict[str, float]]:
    return {"completion_in_interpolation_10k": completion_10k(requests), "interpolations_real": check_time_real()}


if __name__ == "__main__":
    print(json.dumps(figures(), indent=2))
