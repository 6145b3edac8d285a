"""tuneconf.server.resumePlan through the real server: the plan for the recipe the config names (its
RecipeUsage says LoRA, and whether it resumes at all), the config's own overrides applied, and bad arguments
answered, never raised."""

from __future__ import annotations

import pickle
import zipfile
from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp_session import open_doc, request
from tuneconf.command_ids import RESUME_PLAN

CONFIG = """output_dir: out
model:
  _component_: torchtune.models.llama2.lora_llama2
checkpointer:
  _component_: torchtune.training.FullModelTorchTuneCheckpointer
  checkpoint_dir: base
  checkpoint_files: [model.pt]
  output_dir: ${output_dir}
resume_from_checkpoint: False
epochs: 1
"""


async def execute(client: LanguageClient, command: str, *arguments: Any) -> Any:
    params = types.ExecuteCommandParams(command=command, arguments=list(arguments))
    return await request(client.workspace_execute_command_async(params))


def interrupted_run(out: Path) -> None:
    """epoch_0 and the recipe state of a run with epochs=2 stopped during its second epoch."""
    (out / "epoch_0").mkdir(parents=True)
    (out / "epoch_0" / "adapter_model.pt").write_bytes(b"adapter")
    (out / "recipe_state").mkdir()
    state = {"seed": 1, "epochs_run": 1, "total_epochs": 2, "max_steps_per_epoch": 4}
    with zipfile.ZipFile(out / "recipe_state" / "recipe_state.pt", "w") as archive:
        archive.writestr("recipe_state/data.pkl", pickle.dumps(state, protocol=2))


async def test_the_plan_follows_the_named_recipe_and_the_overrides(vscode: LanguageClient, tmp_path: Path) -> None:
    interrupted_run(tmp_path / "elsewhere")
    uri = (tmp_path / "config.yaml").as_uri()
    open_doc(vscode, uri, "# tuneconf: recipe=lora_finetune_single_device\n" + CONFIG)

    plan = await execute(vscode, RESUME_PLAN, uri, ["output_dir=elsewhere"])
    assert plan["epoch"] == 1 and plan["family"] == "lora", plan
    assert plan["overrides"] == [
        "resume_from_checkpoint=True",
        "checkpointer.recipe_checkpoint=recipe_state/recipe_state.pt",
        "checkpointer.adapter_checkpoint=epoch_0/adapter_model.pt",
        "epochs=2",
    ]
    assert plan["checkpoint"] == str(tmp_path / "elsewhere" / "epoch_0")
    assert "not known" not in plan["why"]  # the recipe was read, not guessed from the config

    nothing = await execute(vscode, RESUME_PLAN, uri, [])
    assert nothing == {"error": f"no checkpoint yet: {tmp_path / 'out'} does not exist"}


async def test_a_recipe_that_never_resumes_is_refused(vscode: LanguageClient, tmp_path: Path) -> None:
    interrupted_run(tmp_path / "out")
    uri = (tmp_path / "config.yaml").as_uri()
    open_doc(vscode, uri, "# tuneconf: recipe=generate\n" + CONFIG)
    plan = await execute(vscode, RESUME_PLAN, uri, [])
    assert plan == {"error": "generate does not read resume_from_checkpoint: it cannot resume a run"}


async def test_bad_arguments_are_answered_not_raised(vscode: LanguageClient, tmp_path: Path) -> None:
    uri = (tmp_path / "config.yaml").as_uri()
    open_doc(vscode, uri, CONFIG)
    assert await execute(vscode, RESUME_PLAN, 42) is None
    assert "error" in await execute(vscode, RESUME_PLAN, uri, "not a list")
    assert "error" in await execute(vscode, RESUME_PLAN, uri)
