"""Launch plans: GPUs (a fake nvidia-smi on PATH), torchrun flags, refusals, debug, SLURM, argv safety."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tuneconf.launch.execute import execute
from tuneconf.launch.gpus import GPUs, visible_gpus
from tuneconf.launch.plan import Profile, build_plan
from tuneconf.launch.slurm import slurm_script
from tuneconf.recipes.registry import RecipeChoice

PROJECT = Path("project").absolute()  # a workspace folder; nothing is read from it
SINGLE = RecipeChoice(
    "lora_finetune_single_device", Path("/site/recipes/lora_finetune_single_device.py"), "t", False, True
)
DISTRIBUTED = RecipeChoice(
    "lora_finetune_distributed", Path("/site/recipes/lora_finetune_distributed.py"), "t", True, True
)


def fake_nvidia_smi(tmp_path: Path, count: int) -> dict[str, str]:
    folder = tmp_path / f"bin{count}"
    folder.mkdir()
    script = folder / "nvidia-smi"
    lines = "".join(f'echo "GPU {i}: NVIDIA H100 80GB HBM3 (UUID: GPU-{i})"\n' for i in range(count))
    script.write_text(f'#!/bin/sh\n[ "$1" = "-L" ] || exit 2\n{lines}')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    env = {k: v for k, v in os.environ.items() if k != "CUDA_VISIBLE_DEVICES"}
    env["PATH"] = f"{folder}{os.pathsep}{env.get('PATH', '')}"
    return env


@pytest.mark.parametrize("count", [0, 1, 4])
def test_gpus_come_from_nvidia_smi(tmp_path: Path, count: int) -> None:
    gpus = visible_gpus(sys.executable, fake_nvidia_smi(tmp_path, count))
    assert (gpus.count, gpus.source) == (count, "nvidia-smi")


def test_cuda_visible_devices_narrows_the_gpus(tmp_path: Path) -> None:
    env = fake_nvidia_smi(tmp_path, 4) | {"CUDA_VISIBLE_DEVICES": "0,2"}
    gpus = visible_gpus(sys.executable, env)
    assert gpus.count == 2 and gpus.names[1].startswith("GPU 2:")


def plan(recipe: RecipeChoice, gpus: int, profile: Profile | None = None, overrides: list[str] | None = None):  # type: ignore[no-untyped-def]
    cwd = PROJECT
    config = cwd / "configs" / "c.yaml"
    return build_plan(
        "/env/bin/python", config, "a: 1\n", overrides or [], recipe, cwd, GPUs(gpus, "nvidia-smi"), profile
    )


@pytest.mark.parametrize("gpus", [0, 1, 4])
def test_single_device_runs_without_torchrun_flags(gpus: int) -> None:
    result = plan(SINGLE, gpus, overrides=["epochs=2"])
    assert result.argv == [
        "/env/bin/python", "-m", "torchtune._cli.tune", "run",
        "lora_finetune_single_device", "--config", "configs/c.yaml", "epochs=2",
    ]  # fmt: skip
    assert result.runnable


@pytest.mark.parametrize(("gpus", "nproc"), [(0, "1"), (1, "1"), (4, "4")])
def test_distributed_uses_the_visible_gpus(gpus: int, nproc: str) -> None:
    result = plan(DISTRIBUTED, gpus)
    assert result.argv[4:6] == ["--nproc_per_node", nproc] and result.runnable


def test_more_processes_than_gpus_is_refused() -> None:
    result = plan(DISTRIBUTED, 4, Profile(nproc_per_node=8))
    assert not result.runnable and "more processes than the 4 GPU(s)" in result.problems[0]
    assert not plan(SINGLE, 4, Profile(nproc_per_node=2)).runnable


def test_multinode_flags_and_the_slurm_script() -> None:
    profile = Profile(nproc_per_node=8, nnodes=2, node_rank=1, rdzv_endpoint="head:29500")
    result = plan(DISTRIBUTED, 8, profile)
    assert result.argv[4:14] == [
        "--nproc_per_node", "8", "--nnodes", "2", "--node_rank", "1",
        "--rdzv_backend", "c10d", "--rdzv_endpoint", "head:29500",
    ]  # fmt: skip
    script = slurm_script(result, nodes=2, gpus_per_node=8)
    assert "#SBATCH --nodes=2" in script and "#SBATCH --gpus-per-node=8" in script
    (srun,) = [line for line in script.splitlines() if line.startswith("srun ")]
    assert "--nnodes 2 --nproc_per_node 8 --rdzv_id $SLURM_JOB_ID" in srun
    assert "--rdzv_endpoint $head_node_ip:29500 lora_finetune_distributed --config configs/c.yaml" in srun
    assert srun.count("--nproc_per_node") == 1


def test_debug_runs_the_recipe_itself() -> None:
    debug = plan(SINGLE, 0, overrides=["epochs=2"]).debug
    assert debug["program"] == "/site/recipes/lora_finetune_single_device.py"
    assert debug["args"] == ["--config", "configs/c.yaml", "epochs=2"] and debug["cwd"] == str(PROJECT)


def test_unknown_recipe_blocks() -> None:
    result = build_plan("/env/bin/python", Path("/p/c.yaml"), "", [], None, Path("/p"), GPUs(0, "none"))
    assert not result.runnable and "recipe is unknown" in result.problems[0]


def test_argv_reaches_the_process_verbatim_and_nothing_runs_a_shell(tmp_path: Path) -> None:
    fake = tmp_path / "torchtune" / "_cli"
    fake.mkdir(parents=True)
    (tmp_path / "torchtune" / "__init__.py").write_text("")
    (fake / "__init__.py").write_text("")
    (fake / "tune.py").write_text("import json, sys\nopen('argv.json', 'w').write(json.dumps(sys.argv[1:]))\n")
    config = tmp_path / "my conf $(touch pwned); x.yaml"
    config.write_text("a: 1\n")
    overrides = ["a=b c", "q='x'", 'r="y"', "s=$(touch pwned)", "t=1;touch pwned", "u=line1\nline2", "v=`id`"]
    result = build_plan(sys.executable, config, "", overrides, SINGLE, tmp_path, GPUs(0, "none"))
    assert execute(result) == 0
    received = json.loads((tmp_path / "argv.json").read_text())
    assert received == ["run", "lora_finetune_single_device", "--config", config.name, *overrides]
    assert not (tmp_path / "pwned").exists()


def test_cli_dry_run_prints_the_plan_and_says_if_it_is_runnable(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("model:\n  _component_: torch.nn.Linear\n  in_features: 1\n  out_features: 1\n")
    proc = subprocess.run(
        [sys.executable, "-m", "tuneconf", "run", "--dry-run", str(config)],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 1 and "blocked: The recipe is unknown" in proc.stdout


def test_no_slurm_script_when_the_recipe_file_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tuneconf.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TUNECONF_CACHE_DIR", str(tmp_path / "cache"))
    config = tmp_path / "c.yaml"
    config.write_text("# tune run my_recipe.py --config c.yaml\nepochs: 1\n")
    assert main(["run", "--slurm", str(config)]) == 1
    out = capsys.readouterr().out
    assert "srun" not in out and "blocked: The recipe file my_recipe.py does not exist." in out
