"""Foundation figures: parse times, server start → first diagnostics, keystroke → diagnostics, RSS.

Run: .venv/bin/python bench/foundation.py  (prints a table; writes bench/results/foundation.json)
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from inputs import position_after, real_config, synthetic
from lsp_client import Client, now_ms

from tuneconf.document import parse as parse_module

SERVER = [sys.executable, "-m", "tuneconf", "serve"]
ROOT = Path(__file__).resolve().parents[1]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def parse_times(text: str, reps: int = 5) -> dict[str, float]:
    cold, edit = [], []
    for i in range(reps):
        parse_module._sections.clear()
        started = time.perf_counter()
        parse_module.parse(text)
        cold.append((time.perf_counter() - started) * 1000)
        edited = text.replace("lora_rank: ", f"lora_rank: {i}", 1)
        started = time.perf_counter()
        parse_module.parse(edited)
        edit.append((time.perf_counter() - started) * 1000)
    return {"cold_ms": statistics.median(cold), "one_edit_ms": statistics.median(edit)}


def lsp_run(text: str, edits: int) -> dict[str, float]:
    uri = (ROOT / "bench" / "bench-config.yaml").as_uri()
    client = Client(SERVER, cwd=str(ROOT))
    client.initialize(ROOT)
    opened = client.open(uri, text)
    first = client.wait_diagnostics(uri, 1, opened)
    line, col = position_after(text, "lora_rank: ")
    latencies = []
    for version in range(2, edits + 2):
        insert = version % 2 == 0
        sent = client.change(uri, version, line, col, col if insert else col + 1, "7" if insert else "")
        latencies.append(client.wait_diagnostics(uri, version, sent) - sent)
    rss = client.rss_mb()
    client.close()
    return {
        "first_diag_ms": first - client.spawned,
        "open_to_diag_ms": first - opened,
        "keystroke_diag_median_ms": statistics.median(latencies),
        "keystroke_diag_p95_ms": p95(latencies),
        "rss_mb": rss,
    }


def main() -> None:
    real, big = real_config(), synthetic(10_000)
    results = {
        "parse_real": parse_times(real),
        "parse_10k": parse_times(big),
        "lsp_real": lsp_run(real, 40),
        "lsp_10k": lsp_run(big, 20),
        "measured_at": now_ms(),
    }
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "foundation.json").write_text(json.dumps(results, indent=2) + "\n")
    for name, figures in results.items():
        if isinstance(figures, dict):
            print(name, "  ".join(f"{k}={v:.1f}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
