"""The Run view's server side (runs/series.py: run_series): the first answer for a 100,000-step DiskLogger
log (parse, slice, and the JSON the server sends), then a live update of 100 new lines after what the
view has (aim: under 1 s and under 50 ms). Reports, never asserts.

Run alone: .venv/bin/python bench/run_view.py  (prints the figures)
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from runs import line, synthetic_log

from tuneconf.runs.loggers import LoggerTarget
from tuneconf.runs.series import Tails, run_series

DISK = "torchtune.training.metric_logging.DiskLogger"


def _timed(work: Any) -> tuple[float, float, dict[str, Any]]:
    """(seconds computing, seconds encoding as JSON, the answer)."""
    started = time.perf_counter()
    reply = work()
    computed = time.perf_counter()
    json.dumps(reply, allow_nan=False, separators=(",", ":"))
    return computed - started, time.perf_counter() - computed, reply


def figures(steps: int = 100_000, reps: int = 5) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="tuneconf-bench-") as folder:
        path = Path(folder) / "log_1700000000.txt"
        synthetic_log(path, steps)
        target = LoggerTarget(DISK, "disk", log_dir=Path(folder), expected_steps=steps * 2)
        first: list[tuple[float, float]] = []
        for _ in range(reps):
            tails = Tails()
            compute, encode, reply = _timed(lambda tails=tails: run_series(tails, target))
            first.append((compute, encode))
        assert reply["stepCount"] == steps and reply["reset"]
        size = len(json.dumps(reply, separators=(",", ":")))
        updates: list[tuple[float, float]] = []
        next_step = steps + 1
        for _ in range(reps * 4):
            with path.open("a") as handle:
                handle.write("".join(line(s) for s in range(next_step, next_step + 100)))
            next_step += 100
            since = {"file": reply["file"], "offset": reply["offset"], "generation": reply["generation"]}
            compute, encode, reply = _timed(lambda since=since: run_series(tails, target, since=since))
            assert not reply["reset"] and len(reply["steps"]) == 100
            updates.append((compute, encode))
        return {
            "first_load_100k_steps_ms": statistics.median(c for c, _ in first) * 1000,
            "first_load_json_ms": statistics.median(e for _, e in first) * 1000,
            "first_load_json_mb": size / 1e6,
            "update_100_lines_ms": statistics.median(c for c, _ in updates) * 1000,
            "update_json_ms": statistics.median(e for _, e in updates) * 1000,
        }


if __name__ == "__main__":
    print(json.dumps({"run_view": figures()}, indent=2))


def draw_figures(root: Path) -> dict[str, Any]:
    """The page's side (bench/webview_draw.js): the first draw of 100,000 steps × 4 scalars and a live update,
    in headless Chromium with the .vsix's webview.js. Needs what `make e2e-vscode` installs (playwright-core
    under .e2e/node, /usr/bin/chromium) and a built extension; else says what is missing."""
    modules = root / ".e2e" / "node" / "node_modules"
    dist = root / "vscode-extension" / "dist"
    needed = (modules / "playwright-core", Path("/usr/bin/chromium"), dist / "webview.js")
    missing = [str(p) for p in needed if not p.exists()]
    if missing:
        return {"skipped": f"needs {', '.join(missing)} (make e2e-vscode, make vsix)"}
    env = dict(os.environ, NODE_PATH=str(modules))
    script = root / "bench" / "webview_draw.js"
    done = subprocess.run(["node", str(script), str(dist)], capture_output=True, text=True, env=env, timeout=300)
    if done.returncode != 0:
        return {"skipped": f"webview_draw.js failed: {done.stderr.strip()[-300:]}"}
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures
