"""runs/resume.py: the overrides that resume from the recipe checkpoint torchtune 0.6.1 left in an output
folder, on folders laid out as its checkpointers write them (recipe_state.pt made as torch.save makes it: a
zip whose `recipe_state/data.pkl` is a protocol-2 pickle of the state dict)."""

from __future__ import annotations

import os
import pickle
import zipfile
from pathlib import Path

import pytest

from tuneconf.document.parse import parse
from tuneconf.effective import prepare
from tuneconf.recipes.usage import Read, RecipeUsage
from tuneconf.runs.resume import recipe_state, resume_plan

LORA = """\
output_dir: /placeholder
model:
  _component_: torchtune.models.llama2.lora_llama2
checkpointer:
  _component_: torchtune.training.FullModelTorchTuneCheckpointer
  checkpoint_dir: base
  checkpoint_files: [model.pt]
  output_dir: ${output_dir}
save_adapter_weights_only: False
resume_from_checkpoint: False
epochs: 3
"""
FULL = """\
output_dir: /placeholder
model:
  _component_: torchtune.models.llama3_2.llama3_2_1b
checkpointer:
  _component_: torchtune.training.FullModelHFCheckpointer
  checkpoint_dir: base
  checkpoint_files: [model.safetensors]
  output_dir: ${output_dir}
epochs: 3
"""


def usage(*keys: str) -> RecipeUsage:
    return RecipeUsage(Path("recipe.py"), [Read((key,), line, True) for line, key in enumerate(keys, 1)])


FULL_RECIPE = usage("resume_from_checkpoint", "checkpointer", "epochs")
LORA_RECIPE = usage("resume_from_checkpoint", "checkpointer", "save_adapter_weights_only")


def save_state(out: Path, epochs_run: int, total: int) -> None:
    """What save_checkpoint(intermediate_checkpoint=True) leaves, without the tensors."""
    state = {"optimizer": {"state": {}}, "seed": 1234, "epochs_run": epochs_run, "total_epochs": total}
    state["max_steps_per_epoch"] = 4
    (out / "recipe_state").mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out / "recipe_state" / "recipe_state.pt", "w") as archive:
        archive.writestr("recipe_state/data.pkl", pickle.dumps(state, protocol=2))


def save_epoch(out: Path, epoch: int, *files: str) -> Path:
    folder = out / f"epoch_{epoch}"
    folder.mkdir(parents=True)
    for name in files:
        (folder / name).write_bytes(b"weights")
    return folder


def plan(text: str, out: Path, *extra: str, recipe: RecipeUsage | None = None) -> dict[str, object]:
    return resume_plan(parse(text), [f"output_dir={out}", *extra], out.parent, recipe, "the_recipe")


def test_a_lora_run_stopped_after_its_first_epoch_resumes_from_epoch_1(tmp_path: Path) -> None:
    out = tmp_path / "out"
    save_epoch(out, 0, "adapter_model.pt", "model-00001-of-00001.bin")
    save_state(out, epochs_run=1, total=3)
    result = plan(LORA, out, recipe=LORA_RECIPE)
    assert result["epoch"] == 1 and result["family"] == "lora" and result["totalEpochs"] == 3
    assert result["overrides"] == [
        "resume_from_checkpoint=True",
        "checkpointer.recipe_checkpoint=recipe_state/recipe_state.pt",
        "checkpointer.adapter_checkpoint=epoch_0/adapter_model.pt",
    ]
    assert result["checkpoint"] == str(out / "epoch_0")
    assert "Resume from epoch 1" in str(result["why"]) and "not known" not in str(result["why"])


def test_a_finished_run_resumes_the_epoch_its_recipe_state_belongs_to(tmp_path: Path) -> None:
    # epochs=2 ran to the end: epoch_1 (the last) saved no recipe state, the one of epoch 0 is still there;
    # the checkpointer alone would take the adapter of epoch_1 (the largest folder) with the state of epoch 0.
    out = tmp_path / "out"
    save_epoch(out, 0, "adapter_model.pt")
    save_epoch(out, 1, "adapter_model.pt")
    save_state(out, epochs_run=1, total=2)
    result = plan(LORA, out, "epochs=1", recipe=LORA_RECIPE)
    overrides = result["overrides"]
    assert isinstance(overrides, list)
    assert "checkpointer.adapter_checkpoint=epoch_0/adapter_model.pt" in overrides
    assert overrides[-1] == "epochs=2"  # the config's epochs=1 would run nothing after epoch 0
    assert "epoch_1/ is newer" in str(result["why"])


def test_full_finetuning_loads_the_epoch_folders_weights_from_output_dir(tmp_path: Path) -> None:
    out = tmp_path / "out"
    save_epoch(out, 1, "model-00002-of-00002.safetensors", "model-00001-of-00002.safetensors", "config.json")
    save_state(out, epochs_run=2, total=3)
    result = plan(FULL, out, recipe=FULL_RECIPE)
    assert result["epoch"] == 2 and result["family"] == "full"
    assert result["overrides"] == [
        "resume_from_checkpoint=True",
        "checkpointer.recipe_checkpoint=recipe_state/recipe_state.pt",
        "checkpointer.checkpoint_files=[epoch_1/model-00001-of-00002.safetensors,epoch_1/model-00002-of-00002.safetensors]",
    ]
    overrides = result["overrides"]
    assert isinstance(overrides, list)
    merged = prepare(parse(FULL), overrides)
    assert merged.plain is not None
    assert merged.plain["checkpointer"]["checkpoint_files"] == [
        "epoch_1/model-00001-of-00002.safetensors",
        "epoch_1/model-00002-of-00002.safetensors",
    ]


def test_formatted_checkpoint_files_keep_their_form(tmp_path: Path) -> None:
    text = FULL.replace(
        "checkpoint_files: [model.safetensors]",
        "checkpoint_files:\n    filename_format: model-{}-of-{}.safetensors\n    max_filename: '00004'",
    )
    out = tmp_path / "out"
    save_epoch(out, 0, *(f"model-0000{i}-of-00004.safetensors" for i in range(1, 5)))
    save_state(out, epochs_run=1, total=3)
    result = plan(text, out, recipe=FULL_RECIPE)
    overrides = result["overrides"]
    assert isinstance(overrides, list)
    merged = prepare(parse(text), overrides)
    assert merged.plain is not None
    assert merged.plain["checkpointer"]["checkpoint_files"] == {
        "filename_format": "epoch_0/model-{}-of-{}.safetensors",
        "max_filename": "00004",
    }


@pytest.mark.parametrize(
    ("layout", "error"),
    [
        ("missing", "does not exist"),
        ("empty", "no checkpoint yet"),
        ("final only", "only final checkpoints"),
        ("no adapter", "has no adapter_model.pt"),
        ("state without its folder", "epoch_0/ is missing"),
    ],
)
def test_what_cannot_be_resumed_says_why(tmp_path: Path, layout: str, error: str) -> None:
    out = tmp_path / "out"
    if layout != "missing":
        out.mkdir()
    if layout in ("final only", "no adapter"):
        save_epoch(out, 0, "model-00001-of-00001.bin")
    if layout in ("no adapter", "state without its folder"):
        save_state(out, epochs_run=1, total=2)
    result = plan(LORA, out, recipe=LORA_RECIPE)
    assert set(result) == {"error"} and error in str(result["error"])


@pytest.mark.parametrize(
    ("recipe", "extra", "error"),
    [
        (usage("checkpointer", "epochs"), [], "does not read resume_from_checkpoint"),
        (usage("resume_from_checkpoint", "checkpointer", "value_checkpointer"), [], "value_checkpointer"),
        (FULL_RECIPE, ["enable_async_checkpointing=True"], "dist_epoch_"),
        (FULL_RECIPE, ["~checkpointer.output_dir"], "checkpointer.output_dir is not set"),
    ],
)
def test_recipes_and_settings_that_cannot_resume(
    tmp_path: Path, recipe: RecipeUsage, extra: list[str], error: str
) -> None:
    out = tmp_path / "out"
    save_epoch(out, 0, "model-00001-of-00001.bin")
    save_state(out, epochs_run=1, total=2)
    result = plan(FULL, out, *extra, recipe=recipe)
    assert error in str(result.get("error")), result


def test_an_unknown_recipe_is_planned_from_the_config_and_says_so(tmp_path: Path) -> None:
    out = tmp_path / "out"
    save_epoch(out, 0, "adapter_model.pt")
    save_state(out, epochs_run=1, total=2)
    result = plan(LORA.replace("save_adapter_weights_only: False\n", ""), out)
    assert result["family"] == "lora" and "The recipe is not known" in str(result["why"])


def test_a_relative_output_dir_is_taken_from_the_run_folder(tmp_path: Path) -> None:
    save_epoch(tmp_path / "runs" / "a", 0, "adapter_model.pt")
    save_state(tmp_path / "runs" / "a", epochs_run=1, total=2)
    result = resume_plan(parse(LORA), ["output_dir=runs/a"], tmp_path, LORA_RECIPE)
    assert result["checkpoint"] == str(tmp_path / "runs" / "a" / "epoch_0")


def test_the_recipe_state_is_read_without_unpickling(tmp_path: Path) -> None:
    save_state(tmp_path, epochs_run=300, total=70000)
    assert recipe_state(tmp_path / "recipe_state" / "recipe_state.pt") == {
        "seed": 1234,
        "epochs_run": 300,
        "total_epochs": 70000,
        "max_steps_per_epoch": 4,
    }
    (tmp_path / "junk.pt").write_bytes(b"not a zip")
    assert recipe_state(tmp_path / "junk.pt") == {}


def test_an_unreadable_state_falls_back_on_the_folder_saved_with_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    old = save_epoch(out, 0, "adapter_model.pt")
    (out / "recipe_state").mkdir()
    state = out / "recipe_state" / "recipe_state.pt"
    state.write_bytes(b"written by a torch this reader does not know")
    newer = save_epoch(out, 1, "adapter_model.pt")
    os.utime(old, (1_000, 1_000))
    os.utime(state, (2_000, 2_000))
    os.utime(newer, (3_000, 3_000))
    result = plan(LORA, out, recipe=LORA_RECIPE)
    assert result["epoch"] == 1 and result["checkpoint"] == str(old)
