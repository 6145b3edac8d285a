"""The runs parser on the log torchtune 0.6.1 really writes: configs/tiny/lora_cpu.yaml run once on this CPU
(through the launch plan the Run lens uses) with its DiskLogger's log_dir moved by an override; the
runs found from the same config and overrides must hold every logged step with the file's values."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from tuneconf.cli import main
from tuneconf.document.parse import parse
from tuneconf.launch.execute import execute
from tuneconf.launch.gpus import GPUs
from tuneconf.launch.plan import plan_for
from tuneconf.project import Project
from tuneconf.runs.history import Run, runs_of
from tuneconf.runs.loggers import resolve_logger
from tuneconf.settings import Settings

pytestmark = [
    pytest.mark.runtime,
    pytest.mark.skipif(importlib.util.find_spec("torchtune") is None, reason="needs the recipe runtime"),
]
ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "configs" / "tiny" / "lora_cpu.yaml"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], Path]:
    """The overrides of one real tiny run, and the log file it wrote."""
    tmp = tmp_path_factory.mktemp("runs")
    overrides = [f"output_dir={tmp / 'out'}", f"metric_logger.log_dir={tmp / 'metrics'}"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        patch.setenv("HF_DATASETS_OFFLINE", "1")
        project = Project(Settings(), [ROOT], cache_dir=tmp / "cache")
        view = project.view(CONFIG.as_uri(), None, CONFIG.read_text(), config=True)
        plan = plan_for(project, view, overrides, gpus=GPUs(0, "none"))
        assert plan.runnable, (plan.problems, plan.errors)
        assert execute(plan) == 0
    (log,) = (tmp / "metrics").glob("log_*.txt")
    return overrides, log


def the_runs(overrides: list[str]) -> list[Run]:
    target = resolve_logger(parse(CONFIG.read_text()), overrides, ROOT)
    assert target.kind == "disk" and not target.problem, target.problem
    return runs_of(target)


def test_every_logged_step_is_read_with_the_files_values(tiny: tuple[list[str], Path]) -> None:
    overrides, log = tiny
    text = log.read_text()
    written = re.findall(r"^Step ([0-9]+) \| (.*)$", text, re.M)
    assert written, text
    (run,) = the_runs(overrides)
    assert run.path == log and run.metrics is not None
    assert run.metrics.corrupt == 0 and run.metrics.restarts == 0
    assert run.steps == len(written) == 4  # epochs 1 × max_steps_per_epoch 4, logged every step
    for name in ("loss", "lr", "tokens_per_second_per_gpu"):
        in_file = [float(v) for _, rest in written for v in re.findall(rf"(?:^| ){name}:([^ ]+)", rest)]
        assert run.metrics.series[name].values == in_file, name
        assert run.metrics.series[name].steps == [int(step) for step, _ in written]
    assert run.state == "finished"
    assert run.loss(lowest=True) == min(run.metrics.series["loss"].values)


def test_the_cli_reports_the_real_run(
    tiny: tuple[list[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    overrides, log = tiny
    assert main(["runs", str(CONFIG), *overrides]) == 0
    (row,) = capsys.readouterr().out.splitlines()[1:]
    assert row.split()[2] == "4" and row.split()[-2:] == ["finished", str(log)]
    page = tmp_path / "report.html"
    assert main(["runs", str(CONFIG), *overrides, "--html", str(page)]) == 0
    loss = page.read_text().split("<h2>loss</h2>")[1].split("</svg>")[0]
    (points,) = re.findall(r'points="([^"]*)"', loss)
    assert len(points.split()) == 4
