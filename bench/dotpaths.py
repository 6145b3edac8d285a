"""Component intelligence: the first dotpath completion after opening a file (a cold index), and
resolving every built-in dotpath cold, from the disk cache and from memory. `make bench` (run.py)
reports these; warm completion and hover are lsp_bench.py's.

Run alone: .venv/bin/python bench/dotpaths.py  (prints the figures)
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from inputs import CONFIG_ROOT, SERVER, position_after, real_config
from lsp_bench import at
from lsp_client import Client, now_ms


def first_completion() -> dict[str, float]:
    """A dotpath completion right after didOpen, on a fresh server with an empty index cache."""
    dataset = "_component_: torchtune.datasets."
    text = real_config().replace(f"{dataset}alpaca_cleaned_dataset", dataset)
    empty = Path(tempfile.mkdtemp(prefix="tuneconf-bench-"))
    uri = (empty / "components.yaml").as_uri()
    client = Client(SERVER, cwd=str(empty), env=dict(os.environ, TUNECONF_CACHE_DIR=str(empty / "cache")))
    try:
        client.initialize(empty)
        client.open(uri, text)
        first, result = client.request("textDocument/completion", at(uri, *position_after(text, dataset)))
        first_total = now_ms() - client.spawned
        assert result and result["items"], result
    finally:
        client.close()
    return {"first_completion_ms": first, "start_to_first_completion_ms": first_total}


def index_figures() -> dict[str, float]:
    from tuneconf.index.cache import DiskCache
    from tuneconf.index.environment import probe
    from tuneconf.index.service import Index

    dotpaths = sorted(
        {d for f in CONFIG_ROOT.rglob("*.yaml") for d in re.findall(r"_component_:\s*([\w.]+)", f.read_text())}
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


def figures() -> dict[str, dict[str, float]]:
    return {"dotpath_completion": first_completion(), "index": index_figures()}


if __name__ == "__main__":
    print(json.dumps(figures(), indent=2))
