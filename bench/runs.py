"""Runs: parsing a 100,000-step DiskLogger log whole (aim: under 1 s), reading 100 new lines of it
incrementally (aim: under 50 ms), and the `--html` page of it. Reports, never asserts.

Run alone: .venv/bin/python bench/runs.py  (prints the figures)
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from tuneconf.runs.history import Run
from tuneconf.runs.logs import LogReader
from tuneconf.runs.report import html_page


def line(step: int) -> str:
    """A line as lora_finetune_single_device logs it through DiskLogger.log_dict."""
    loss, lr, speed = 2.0 / (1 + step / 1000) + (step % 7) / 100, 2e-5 * (1 - step / 200_000), 1234.5 + step % 13
    return f"Step {step} | loss:{loss!r} lr:{lr!r} tokens_per_second_per_gpu:{speed!r} \n"


def synthetic_log(path: Path, steps: int) -> None:
    path.write_text("".join(line(s) for s in range(1, steps + 1)))


def figures(steps: int = 100_000, reps: int = 5) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="tuneconf-bench-") as folder:
        path = Path(folder) / "log_1700000000.txt"
        synthetic_log(path, steps)
        whole = []
        for _ in range(reps):
            started = time.perf_counter()
            reader = LogReader(path)
            reader.read()
            whole.append(time.perf_counter() - started)
        assert len(reader.metrics.steps) == steps
        increments = []
        next_step = steps + 1
        for _ in range(reps * 4):
            with path.open("a") as handle:
                handle.write("".join(line(s) for s in range(next_step, next_step + 100)))
            next_step += 100
            started = time.perf_counter()
            reader.read()
            increments.append(time.perf_counter() - started)
        run = Run(path, 1700000000.0, 0.0, reader.offset, "finished", reader.metrics)
        started = time.perf_counter()
        page = html_page("bench.yaml", [run])
        html_s = time.perf_counter() - started
        return {
            "log_mb": path.stat().st_size / 1e6,
            "parse_100k_steps_ms": statistics.median(whole) * 1000,
            "read_100_new_lines_ms": statistics.median(increments) * 1000,
            "html_100k_steps_ms": html_s * 1000,
            "html_mb": len(page.encode()) / 1e6,
        }


if __name__ == "__main__":
    print(json.dumps({"runs": figures()}, indent=2))
