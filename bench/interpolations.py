"""Interpolation figures: completion inside `${` on the 10,000-line config; check time on the real one.

Run: .venv/bin/python bench/interpolations.py   (writes bench/results/interpolations.json)
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

from components import at, p95
from inputs import real_config, synthetic
from lsp_client import Client

from tuneconf.diagnostics import CheckContext, interpolations
from tuneconf.document.parse import parse

ROOT = Path(__file__).resolve().parents[1]
SERVER = [sys.executable, "-m", "tuneconf", "serve"]


def completion_10k(requests: int = 200) -> dict[str, float]:
    text = synthetic(10_000) + "probe: ${block_00007.\n"
    line = text.count("\n") - 1
    col = len("probe: ${block_00007.")
    empty = Path(tempfile.mkdtemp(prefix="tuneconf-bench-"))
    client = Client(SERVER, cwd=str(empty), env=dict(os.environ, TUNECONF_CACHE_DIR=str(empty / "cache")))
    client.initialize(empty)
    uri = (empty / "big.yaml").as_uri()
    client.open(uri, text)
    _, result = client.request("textDocument/completion", at(uri, line, col))
    assert result and [i["label"] for i in result["items"]][:2] == ["_component_", "lora_attn_modules"], result
    samples = [client.request("textDocument/completion", at(uri, line, col))[0] for _ in range(requests)]
    client.close()
    return {"median_ms": statistics.median(samples), "p95_ms": p95(samples)}


def check_time_real(reps: int = 200) -> dict[str, float]:
    doc = parse(real_config())
    list(interpolations.check(doc, CheckContext()))
    started = time.perf_counter()
    for _ in range(reps):
        list(interpolations.check(doc, CheckContext()))
    return {"interpolation_checks_ms": (time.perf_counter() - started) * 1000 / reps}


def main() -> None:
    results = {"completion_in_interpolation_10k": completion_10k(), "real_config": check_time_real()}
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "interpolations.json").write_text(json.dumps(results, indent=2) + "\n")
    for name, figures in results.items():
        print(name, "  ".join(f"{k}={v:.2f}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
