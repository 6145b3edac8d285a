"""Component intelligence figures: dotpath completion (first and warm), hover, index cold/disk, RSS.

Run: .venv/bin/python bench/components.py   (writes bench/results/components.json)
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from inputs import position_after, real_config
from lsp_client import Client

ROOT = Path(__file__).resolve().parents[1]
SERVER = [sys.executable, "-m", "tuneconf", "serve"]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def lsp_figures(requests: int = 200) -> dict[str, float]:
    dataset = "_component_: torchtune.datasets."
    text = real_config().replace(f"{dataset}alpaca_cleaned_dataset", dataset)
    uri = (ROOT / "bench" / "bench-components.yaml").as_uri()
    empty = Path(tempfile.mkdtemp(prefix="tuneconf-bench-"))
    env = dict(os.environ, TUNECONF_CACHE_DIR=str(empty / "cache"))
    client = Client(SERVER, cwd=str(empty), env=env)
    client.initialize(empty)
    client.open(uri, text)
    at_dataset = at(uri, *position_after(text, dataset))
    first, result = client.request("textDocument/completion", at_dataset)
    first_total = time.perf_counter() * 1000 - client.spawned
    assert result and result["items"], result
    completions = [client.request("textDocument/completion", at_dataset)[0] for _ in range(requests)]
    at_optimizer = at(uri, *position_after(text, "_component_: torch.optim.Ad"))
    hovers = []
    for _ in range(requests):
        elapsed, result = client.request("textDocument/hover", at_optimizer)
        hovers.append(elapsed)
    assert result is not None
    rss = client.rss_mb()
    client.close()
    return {
        "first_completion_ms": first,
        "start_to_first_completion_ms": first_total,
        "completion_median_ms": statistics.median(completions),
        "completion_p95_ms": p95(completions),
        "hover_median_ms": statistics.median(hovers),
        "hover_p95_ms": p95(hovers),
        "rss_mb": rss,
    }


def at(uri: str, line: int, col: int) -> dict[str, object]:
    return {"textDocument": {"uri": uri}, "position": {"line": line, "character": col}}


def index_figures() -> dict[str, float]:
    from tuneconf.index.cache import DiskCache
    from tuneconf.index.environment import probe
    from tuneconf.index.service import Index

    configs = Path(__import__("sysconfig").get_paths()["purelib"]) / "recipes" / "configs"
    dotpaths = sorted(
        {d for f in configs.rglob("*.yaml") for d in re.findall(r"_component_:\s*([\w.]+)", f.read_text())}
    )
    env = probe(None, [])
    cache_dir = Path(tempfile.mkdtemp(prefix="tuneconf-bench-cache-"))
    cold = Index(env, DiskCache(cache_dir, env.key))
    started = time.perf_counter()
    for dotpath in dotpaths:
        cold.resolve(dotpath)
    cold_s = time.perf_counter() - started
    cold.cache.flush()  # type: ignore[union-attr]
    started = time.perf_counter()
    warm = Index(env, DiskCache(cache_dir, env.key))
    for dotpath in dotpaths:
        warm.resolve(dotpath)
    disk_s = time.perf_counter() - started
    started = time.perf_counter()
    for dotpath in dotpaths:
        warm.resolve(dotpath)
    memory_s = time.perf_counter() - started
    return {
        "dotpaths": len(dotpaths),
        "resolve_all_cold_s": cold_s,
        "resolve_all_disk_cache_ms": disk_s * 1000,
        "resolve_all_memory_ms": memory_s * 1000,
    }


def main() -> None:
    results = {"lsp": lsp_figures(), "index": index_figures()}
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "components.json").write_text(json.dumps(results, indent=2) + "\n")
    for name, figures in results.items():
        print(name, "  ".join(f"{k}={v:.2f}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
