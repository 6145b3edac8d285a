"""Resume from epoch N: the overrides that make torchtune 0.6.1 go on from the recipe checkpoint in a config's
output folder, or why it cannot. Read from the folder only (no torch): what 0.6.1 writes and reads is

- at the end of epoch K the recipe calls `save_checkpoint(epoch=K)` with `epochs_run` = K + 1 already
  counted; the checkpointer writes the weights to `<checkpointer.output_dir>/epoch_K/` (full weights as
  `model-0000i-of-0000n.{bin,safetensors}`, LoRA adapters as `adapter_model.pt`) and, only when K + 1 <
  epochs (`intermediate_checkpoint`), `recipe_state/recipe_state.pt` (optimizer, seed, `epochs_run`,
  `total_epochs`, `max_steps_per_epoch`, dataloader): the last epoch of a run leaves no recipe state;
- `resume_from_checkpoint=True` makes the checkpointer load `recipe_checkpoint` (else
  `recipe_state/recipe_state.pt`), for LoRA `adapter_checkpoint` (else `adapter_model.pt` of the *largest*
  `epoch_*` folder, which after a finished run is newer than the recipe state), and the model weights:
  LoRA from `checkpoint_dir` (the base), full finetuning from `output_dir/<checkpoint_files>` — so those
  must name the epoch folder's files (training/checkpointing/_utils.py: get_model_checkpoint_path);
- the recipe then starts at `curr_epoch = epochs_run` and runs up to `epochs` (the config's, not the
  state's). Every path is pinned here, so what is loaded is the epoch the recipe state belongs to."""

from __future__ import annotations

import os
import pickletools
import re
import zipfile
import zlib
from pathlib import Path
from typing import Any

from tuneconf.document.parse import ParsedConfig
from tuneconf.effective import prepare
from tuneconf.recipes.usage import RecipeUsage
from tuneconf.runs.loggers import Values as Values

RESUME_KEY = "resume_from_checkpoint"
RECIPE_STATE = "recipe_state/recipe_state.pt"
"""RECIPE_STATE_DIRNAME/recipe_state.pt, relative to the checkpointer's output_dir."""
ADAPTER_FILE = "adapter_model.pt"
SHARD = re.compile(r"^model-(\d{5})-of-(\d{5})\.(bin|safetensors)$")
"""SHARD_FNAME with the suffix each checkpointer writes."""
STATE_KEYS = ("epochs_run", "total_epochs", "max_steps_per_epoch", "seed")
MAX_PICKLE = 64 * 1024 * 1024
"""data.pkl holds no tensor data (those are separate entries of the zip): a bigger one is not a recipe state."""


class NotResumable(Exception):
    """Why there is nothing 0.6.1 could resume from: the plan's `error`."""


def resume_plan(
    doc: ParsedConfig, overrides: list[str], cwd: Path, usage: RecipeUsage | None = None, recipe: str = ""
) -> dict[str, Any]:
    """{"epoch", "overrides", "why", "checkpoint", ...} for a run of `doc` with `overrides` started in `cwd`
    by `recipe` (what it reads: `usage`, None when not known), or {"error": why not}."""
    try:
        return _plan(doc, overrides, cwd, usage, recipe)
    except NotResumable as exc:
        return {"error": str(exc)}
    except OSError as exc:  # a folder or file that went away or cannot be read while we looked
        return {"error": f"the output folder cannot be read: {exc.strerror or exc}"}


def _plan(doc: ParsedConfig, overrides: list[str], cwd: Path, usage: RecipeUsage | None, recipe: str) -> dict[str, Any]:
    prepared = prepare(doc, overrides)
    if prepared.failed is not None:
        raise NotResumable(f"the config cannot be read: {prepared.failed.error}")
    values = Values(prepared.plain if isinstance(prepared.plain, dict) else {})
    family, guessed = _family(values, usage, recipe)
    async_checkpoints, _ = values.get(("enable_async_checkpointing",))
    if async_checkpoints is True:
        raise NotResumable(
            "enable_async_checkpointing is on: torchtune's DistributedCheckpointer resumes from its own "
            "dist_epoch_* folders, which tuneconf does not plan"
        )
    out = _output_dir(values, cwd)
    state_file = out / RECIPE_STATE
    epoch_dirs = _epoch_folders(out)
    if not state_file.is_file():
        raise NotResumable(_no_state(out, epoch_dirs))
    state = recipe_state(state_file)
    epoch = _epochs_run(state, state_file, epoch_dirs)
    folder = out / f"epoch_{epoch - 1}"
    pins = _pins(values, family, folder, out)
    configured, _ = values.get(("epochs",))
    total = state.get("total_epochs")
    extra = [f"epochs={total}"] if _count(total) and (not _count(configured) or configured <= epoch) else []
    return {
        "epoch": epoch,
        "overrides": [f"{RESUME_KEY}=True", f"checkpointer.recipe_checkpoint={RECIPE_STATE}", *pins, *extra],
        "why": _why(epoch, folder, epoch_dirs, family, guessed, extra or [f"epochs={configured}"]),
        "checkpoint": str(folder),
        "recipeState": str(state_file),
        "family": family,
        "totalEpochs": total if _count(total) else None,
    }


def _family(values: Values, usage: RecipeUsage | None, recipe: str) -> tuple[str, bool]:
    """("lora" | "full", guessed): LoRA recipes resume an adapter, full ones the whole model. Refuses a
    recipe that never reads resume_from_checkpoint, or one that resumes a second model (PPO's value model)."""
    name = recipe or "the recipe"
    if usage is not None and not usage.error and not usage.escapes:
        keys = usage.read_keys()
        if RESUME_KEY not in keys:
            raise NotResumable(f"{name} does not read {RESUME_KEY}: it cannot resume a run")
        if "value_checkpointer" in keys:
            raise NotResumable(f"{name} resumes two models (checkpointer and value_checkpointer): not planned here")
        if "checkpointer" not in keys:
            raise NotResumable(f"{name} does not read checkpointer: where it resumes from is not known")
        return ("lora" if "save_adapter_weights_only" in keys else "full"), False
    # The recipe is not known: the config says which family (a LoRA config saves adapters, names a lora_ model).
    component, _ = values.get(("model", "_component_"))
    lora = "save_adapter_weights_only" in values.plain or (isinstance(component, str) and "lora" in component)
    return ("lora" if lora else "full"), True


def _output_dir(values: Values, cwd: Path) -> Path:
    """The checkpointer's output_dir (where it writes and resumes), absolute; a relative one is taken from cwd."""
    if not isinstance(values.plain.get("checkpointer"), dict):
        raise NotResumable("the config has no checkpointer: nothing was saved to resume from")
    value, why = values.get(("checkpointer", "output_dir"))
    if value is None and not why:
        raise NotResumable("checkpointer.output_dir is not set: torchtune's checkpointers need it")
    if not isinstance(value, str) or not value or "\x00" in value:
        raise NotResumable(f"checkpointer.output_dir is not known here: {why or 'not a path'}")
    out = Path(value) if os.path.isabs(value) else cwd / value
    if not out.is_dir():
        raise NotResumable(f"no checkpoint yet: {out} does not exist")
    return out


def _epoch_folders(out: Path) -> dict[int, Path]:
    """The `epoch_N` folders by N, as get_largest_iter_folder matches them (`^epoch_(\\d+)`)."""
    found: dict[int, Path] = {}
    try:
        entries = list(os.scandir(out))
    except OSError as exc:
        raise NotResumable(f"{out} cannot be read: {exc.strerror}") from exc
    for entry in entries:
        match = re.match(r"^epoch_(\d+)", entry.name)
        if match and entry.is_dir():
            found[int(match.group(1))] = Path(entry.path)
    return found


def _no_state(out: Path, epoch_dirs: dict[int, Path]) -> str:
    if not epoch_dirs:
        return f"no checkpoint yet in {out}: a run writes epoch_N/ at the end of each epoch"
    last = max(epoch_dirs)
    return (
        f"{out} holds only final checkpoints (epoch_{last}/ the newest) and no {RECIPE_STATE}: torchtune 0.6.1 "
        "saves the recipe state (optimizer, epochs run) only at the end of an epoch that is not the run's last, "
        "so these weights can start a new run (checkpoint_dir) but not resume one"
    )


def recipe_state(path: Path) -> dict[str, int]:
    """`epochs_run`, `total_epochs`, `max_steps_per_epoch`, `seed` of a recipe_state.pt, read from the pickle's
    opcodes without running it (no torch, no unpickling): torch.save writes a zip whose `*/data.pkl` holds
    the dict; each key string is followed (after its memo opcode) by its integer."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [i for i in archive.infolist() if i.filename.endswith("/data.pkl")]
            if len(names) != 1 or names[0].file_size > MAX_PICKLE:
                return {}
            data = archive.read(names[0])
    except (OSError, zipfile.BadZipFile, RuntimeError, NotImplementedError, zlib.error):
        return {}
    found: dict[str, int] = {}
    want: str | None = None
    try:
        for opcode, arg, _ in pickletools.genops(data):
            if opcode.name in ("MEMOIZE", "BINPUT", "LONG_BINPUT", "PUT"):
                continue
            if want is not None and opcode.name in ("BININT", "BININT1", "BININT2", "INT", "LONG1"):
                found.setdefault(want, int(arg) if isinstance(arg, (int, bool)) else 0)
            want = arg if isinstance(arg, str) and arg in STATE_KEYS and "UNICODE" in opcode.name else None
    except (ValueError, EOFError):
        return found
    return found


def _epochs_run(state: dict[str, int], state_file: Path, epoch_dirs: dict[int, Path]) -> int:
    """The first epoch the resumed run trains (torchtune counts from 0): the state's `epochs_run`; where it
    cannot be read, one past the newest epoch folder written before the state (they are saved together)."""
    epoch = state.get("epochs_run")
    if epoch is not None and _count(epoch):
        if epoch - 1 not in epoch_dirs:
            raise NotResumable(f"the recipe state says {epoch} epoch(s) ran but epoch_{epoch - 1}/ is missing")
        return epoch
    saved = state_file.stat().st_mtime
    before = [n for n, folder in epoch_dirs.items() if folder.stat().st_mtime <= saved + 1]
    if not before:
        raise NotResumable(f"{state_file} cannot be read and no epoch_N/ folder was saved with it")
    return max(before) + 1


def _pins(values: Values, family: str, folder: Path, out: Path) -> list[str]:
    """The checkpointer fields that load the epoch folder the recipe state belongs to."""
    relative = folder.relative_to(out).as_posix()
    if family == "lora":
        if not (folder / ADAPTER_FILE).is_file():
            raise NotResumable(f"{folder} has no {ADAPTER_FILE}: the LoRA recipe cannot resume without its adapter")
        return [f"checkpointer.adapter_checkpoint={relative}/{ADAPTER_FILE}"]
    shards = sorted(p.name for p in folder.iterdir() if SHARD.match(p.name))
    if not shards:
        raise NotResumable(f"{folder} has no model-0000i-of-0000n weights: the full model cannot be resumed")
    files, _ = values.get(("checkpointer", "checkpoint_files"))
    if isinstance(files, dict):  # FormattedCheckpointFiles: keep the form, point it at the folder
        last = SHARD.match(shards[-1])
        assert last is not None
        return [
            f"checkpointer.checkpoint_files.filename_format={relative}/model-{{}}-of-{{}}.{last.group(3)}",
            f"checkpointer.checkpoint_files.max_filename='{last.group(2)}'",
        ]
    return [f"checkpointer.checkpoint_files=[{','.join(f'{relative}/{s}' for s in shards)}]"]


def _why(epoch: int, folder: Path, epoch_dirs: dict[int, Path], family: str, guessed: bool, epochs: list[str]) -> str:
    weights = "its LoRA adapter" if family == "lora" else "its full model weights"
    text = (
        f"Resume from epoch {epoch}: {folder.name}/ ({weights}) and the recipe state were saved at the end of "
        f"epoch {epoch - 1}; the run goes on with epoch {epoch} (torchtune counts from 0: its progress bar "
        f"shows {epoch + 1}) up to {epochs[0]}."
    )
    later = sorted(n for n in epoch_dirs if n >= epoch)
    if later:
        text += (
            f" epoch_{later[-1]}/ is newer but has no recipe state (a run's last epoch saves none): "
            "resuming writes it again."
        )
    if guessed:
        text += (
            f" The recipe is not known: planned as {'LoRA' if family == 'lora' else 'full'} finetuning from the config."
        )
    return text


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0
