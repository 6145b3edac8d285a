"""The download plan: the argv that runs `tune download` for a missing model (diagnostics/download.py
says which), run by the editor as a task (src/launch/runs.ts: `download`) from the workspace folder.

An argv, never a shell string. The `tune` is the one beside the selected interpreter (its environment's
scripts), else the first `tune` on PATH, else `python -m torchtune._cli.tune` (what the Run plan runs).
No token is passed: `tune download` reads HF_TOKEN from the environment the task inherits (else the
token `huggingface-cli login` stored).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

_SCRIPTS = ("tune", "tune.exe")


def tune_argv(interpreter: str) -> list[str]:
    """How to run `tune` for `interpreter`'s environment (the interpreter's path is not resolved: a
    virtual environment's python is a link to the base interpreter, whose folder has no `tune`)."""
    if interpreter:
        folder = Path(interpreter).parent
        for name in _SCRIPTS:
            script = folder / name
            if script.is_file() and os.access(script, os.X_OK):
                return [str(script)]
    found = shutil.which("tune")
    if found is not None:
        return [os.path.abspath(found)]
    return [interpreter or "python3", "-m", "torchtune._cli.tune"]


def download_plan(interpreter: str, download: dict[str, Any], cwd: Path) -> dict[str, Any]:
    """The plan the extension runs (DOWNLOAD_PLAN_FIELDS; `DownloadPlan` in src/commandIds.ts), from a
    path-missing finding's `data["download"]`."""
    ignore = download.get("ignore_patterns")
    arguments = ["download", download["repo"], "--output-dir", download["output_dir"]]
    arguments += ["--ignore-patterns", ignore] if ignore else []
    return {
        "repo": download["repo"],
        "argv": [*tune_argv(interpreter), *arguments],
        "cwd": str(cwd),
        "outputDir": download["output_dir"],
    }
