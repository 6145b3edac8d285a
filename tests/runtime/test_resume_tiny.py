"""Resume from epoch N against torchtune 0.6.1 itself: configs/tiny/lora_cpu.yaml run on this CPU through
the launch plan the Run lens uses, then resumed with the overrides runs/resume.py plans, launched through the
same checked plan. A fresh run logs from step 1; a resumed one starts at epochs_run × steps per epoch + 1
(the recipe's `global_step` comes from the recipe state), so the resumed log's first step is the proof."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from tuneconf.launch.execute import execute
from tuneconf.launch.gpus import GPUs
from tuneconf.launch.plan import plan_for
from tuneconf.project import ConfigView, Project
from tuneconf.runs.resume import resume_plan
from tuneconf.settings import Settings

pytestmark = [
    pytest.mark.runtime,
    pytest.mark.skipif(importlib.util.find_spec("torchtune") is None, reason="needs the recipe runtime"),
]
ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "configs" / "tiny" / "lora_cpu.yaml"
STEPS = 4
"""The tiny config's max_steps_per_epoch."""


@pytest.fixture
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Project, ConfigView]:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    project = Project(Settings(), [ROOT], cache_dir=tmp_path / "cache")
    return project, project.view(CONFIG.as_uri(), None, CONFIG.read_text(), config=True)


def launch(project: Project, view: ConfigView, overrides: list[str]) -> None:
    """Like any run: the plan is checked (no problems, no errors) and then run."""
    plan = plan_for(project, view, overrides, gpus=GPUs(0, "none"))
    assert plan.runnable and not plan.errors, (plan.problems, plan.errors)
    assert execute(plan) == 0


def planned(view: ConfigView, overrides: list[str]) -> dict[str, object]:
    recipe = view.ctx.recipe
    assert recipe is not None and recipe.usage is not None
    return resume_plan(view.parsed, overrides, ROOT, recipe.usage, recipe.choice.name)


def logged_steps(log: Path) -> list[int]:
    return [int(step) for step in re.findall(r"^Step ([0-9]+) \|", log.read_text(), re.M)]


def test_a_run_resumes_from_epoch_1_with_the_planned_overrides(
    tiny: tuple[Project, ConfigView], tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    project, view = tiny
    out, first_logs, resumed_logs = tmp_path / "out", tmp_path / "first", tmp_path / "resumed"
    launch(project, view, [f"output_dir={out}", f"metric_logger.log_dir={first_logs}", "epochs=2"])
    assert logged_steps(next(first_logs.glob("log_*.txt"))) == list(range(1, 2 * STEPS + 1))
    capfd.readouterr()

    # The config says epochs: 1; the run was epochs=2, and its last epoch (epoch_1) saved no recipe state.
    base = [f"output_dir={out}", f"metric_logger.log_dir={resumed_logs}"]
    plan = planned(view, base)
    assert plan.get("epoch") == 1 and plan["family"] == "lora" and "not known" not in str(plan["why"]), plan
    overrides = plan["overrides"]
    assert isinstance(overrides, list) and overrides[-1] == "epochs=2"
    assert "checkpointer.adapter_checkpoint=epoch_0/adapter_model.pt" in overrides
    launch(project, view, base + overrides)

    output = capfd.readouterr()
    assert "Loading the recipe state using" in output.out + output.err
    (log,) = resumed_logs.glob("log_*.txt")
    assert logged_steps(log) == list(range(STEPS + 1, 2 * STEPS + 1))  # epoch 1 only, counted on from epoch 0


def test_a_run_of_one_epoch_leaves_nothing_to_resume(tiny: tuple[Project, ConfigView], tmp_path: Path) -> None:
    project, view = tiny
    overrides = [f"output_dir={tmp_path / 'out'}", f"metric_logger.log_dir={tmp_path / 'logs'}"]
    launch(project, view, overrides)
    assert (tmp_path / "out" / "epoch_0" / "adapter_model.pt").is_file()
    plan = planned(view, overrides)
    assert "only final checkpoints" in str(plan.get("error")), plan
