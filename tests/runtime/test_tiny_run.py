"""configs/tiny/lora_cpu.yaml really runs on this CPU, through the launch plan the Run lens uses."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from tuneconf.launch.execute import execute
from tuneconf.launch.gpus import GPUs
from tuneconf.launch.plan import plan_for
from tuneconf.project import Project
from tuneconf.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "configs" / "tiny" / "lora_cpu.yaml"


@pytest.mark.skipif(importlib.util.find_spec("torchtune") is None, reason="needs the recipe runtime")
def test_the_tiny_lora_config_trains_and_writes_a_checkpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    output = tmp_path / "out"
    project = Project(Settings(), [ROOT], cache_dir=tmp_path / "cache")
    view = project.view(CONFIG.as_uri(), None, CONFIG.read_text(), config=True)
    plan = plan_for(project, view, [f"output_dir={output}"], gpus=GPUs(0, "none"))
    assert plan.runnable, (plan.problems, plan.errors)
    assert plan.recipe is not None and plan.recipe.name == "lora_finetune_single_device"
    assert plan.prepare is not None and plan.cwd == ROOT
    assert execute(plan) == 0
    assert (output / "epoch_0" / "adapter_model.pt").stat().st_size > 0
    assert any((output / "epoch_0").glob("model-*.bin"))
    logs = list((output / "logs").glob("log_*.txt"))
    assert logs and "loss:" in logs[0].read_text().lower()
    assert os.path.exists(ROOT / "configs" / "tiny" / ".artifacts" / "tokenizer.model")
