"""Large but legal inputs cost time in proportion to their size, never more: configs just under the 2 MB
cap with tens of thousands of keys, anchors or duplicate keys; thousands of overrides; recipe files far
larger than any real recipe. Measured as growth (N against 4N, the faster of two runs), not against a
wall clock: linear work grows ~4x, quadratic ~16x; we allow 8x for a busy machine."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tuneconf.document.parse import parse
from tuneconf.overrides import merge
from tuneconf.project import Project
from tuneconf.recipes.analysis import MAX_RECIPE_BYTES, analyse
from tuneconf.settings import Settings

HEADER = "# tune run lora_finetune_single_device --config x.yaml\n"
GROWTH = 8.0
# Each run gets its own key names: parsed sections are cached by their text, and a warm run is no measure.
SHAPES: dict[str, Callable[[int, int], str]] = {
    "flat-keys": lambda n, run: "".join(f"k{run}_{i}: {i}\n" for i in range(n)),
    "anchors-and-aliases": lambda n, run: "".join(f"a{run}_{i}: &a{i} {i}\nb{run}_{i}: *a{i}\n" for i in range(n // 2)),
    "duplicate-keys": lambda n, run: f"k{run}: 1\n" * n,
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return Project(Settings(), [], cache_dir=tmp_path_factory.mktemp("cache"))


def fastest(measure: Callable[[int], object]) -> float:
    """The faster of two runs, the garbage collector held off: its full passes cost in proportion to
    everything the test session holds, and would land in one run or the other by chance."""
    times = []
    for run in range(2):
        gc.collect()
        gc.disable()
        try:
            started = time.perf_counter()
            measure(run)
            times.append(time.perf_counter() - started)
        finally:
            gc.enable()
    return min(times)


def codes(project: Project, shape: str, n: int, run: int) -> list[str]:
    view = project.view(f"file:///scale/{shape}-{n}-{run}.yaml", 1, HEADER + SHAPES[shape](n, run))
    return [f.code for f in view.findings()]


@pytest.mark.parametrize("shape", SHAPES)
def test_a_config_omegaconf_refuses_for_its_size_gets_one_finding_in_linear_time(project: Project, shape: str) -> None:
    # Beyond OmegaConf's 10,000 nodes it stops: nothing else is reached, so nothing else is said.
    def refused(n: int, run: int) -> None:
        assert codes(project, shape, n, run) == ["not-loadable"]

    small = fastest(lambda run: refused(6_000, run))
    large = fastest(lambda run: refused(24_000, run))
    assert large < GROWTH * small, (small, large)


@pytest.mark.parametrize("shape", SHAPES)
def test_every_check_grows_linearly_where_the_node_limit_is_lifted(
    project: Project, shape: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMEGACONF_MAX_YAML_EXPANDED_NODES", "none")  # then all checks run, on every key
    small = fastest(lambda run: codes(project, shape, 1_000, run))
    large = fastest(lambda run: codes(project, shape, 4_000, run))
    assert large < GROWTH * small, (small, large)


def test_overrides_merge_in_linear_time() -> None:
    def overrides(n: int, run: int) -> None:
        config = parse("".join(f"k{run}_{i}:\n  x: 1\n  y: 2\n" for i in range(n)))
        args = [f"~k{run}_{i}.x" for i in range(n)] + [f"k{run}_{i}.z.w=3" for i in range(n)] + [f"new{run}=1"]
        assert merge(config, args).findings == []

    small = fastest(lambda run: overrides(1_000, run))
    large = fastest(lambda run: overrides(4_000, run))
    assert large < GROWTH * small, (small, large)


def test_a_recipe_file_over_the_size_cap_is_not_read(tmp_path: Path) -> None:
    recipe = tmp_path / "huge_recipe.py"
    recipe.write_text("def recipe_main(cfg):\n    cfg.seed\n" + "x = 1\n" * (MAX_RECIPE_BYTES // 6 + 1))
    usage = analyse(recipe)
    assert "too large" in usage.error and usage.reads == []
