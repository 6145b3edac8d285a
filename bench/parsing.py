"""Parse times in process: our parser cold and after one edit, and libyaml's event stream beside
ruamel.yaml's composer. `make bench` (run.py) reports these; the LSP figures are lsp_bench.py's.

Run alone: .venv/bin/python bench/parsing.py  (prints the figures)
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))

from inputs import real_config, synthetic

from tuneconf.document import parse as parse_module


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


def yaml_libraries(text: str, reps: int = 20) -> dict[str, float]:
    """Median ms: libyaml's event stream (what we compose from) and ruamel.yaml's round-trip composer,
    when ruamel.yaml is installed."""

    def median_ms(run: Callable[[], object]) -> float:
        run()
        times = []
        for _ in range(reps):
            started = time.perf_counter()
            run()
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times)

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    figures = {"libyaml_events_ms": median_ms(lambda: list(yaml.parse(text, Loader=loader)))}
    try:
        from ruamel.yaml import YAML
    except ImportError:
        return figures
    figures["ruamel_compose_ms"] = median_ms(lambda: YAML(typ="rt").compose(text))
    return figures


def figures() -> dict[str, dict[str, float]]:
    real = real_config()
    return {
        "parse_real": parse_times(real),
        "parse_10k": parse_times(synthetic(10_000)),
        "yaml_libraries_real": yaml_libraries(real),
    }


if __name__ == "__main__":
    print(json.dumps(figures(), indent=2))
