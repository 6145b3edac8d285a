"""Running a config (the CLI's `run`, the editor's Run recipe): its launch plan, checked, then executed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tuneconf.document.values import to_python
from tuneconf.findings import Severity
from tuneconf.overrides import merge
from tuneconf.recipes.launch import GPUs, LaunchPlan, Profile, build_plan, overwrite_warning, visible_gpus
from tuneconf.report import finding_line
from tuneconf.workspace import ConfigView, Workspace, folder_of, path_of


def plan_for(
    workspace: Workspace,
    view: ConfigView,
    overrides: list[str],
    profile: Profile | None = None,
    gpus: GPUs | None = None,
) -> LaunchPlan:
    """The launch plan of the config `view` (from `Workspace.view(..., config=True)`) with `overrides`,
    with the config's errors and run-time warnings."""
    config = Path(path_of(view.uri))
    recipe = view.ctx.recipe.choice if view.ctx.recipe is not None else None
    interpreter = workspace.index.env.interpreter
    cwd = folder_of(config, workspace.folders)
    gpus = gpus if gpus is not None else visible_gpus(interpreter)
    plan = build_plan(interpreter, config, view.parsed.text, overrides, recipe, cwd, gpus, profile)
    merged = merge(view.parsed, overrides)
    for finding in workspace.findings_with(view, overrides, merged):
        if finding.severity is Severity.ERROR:
            plan.errors.append(finding_line(finding, str(config)))
    effective = to_python(merged.doc.root)
    values = effective if isinstance(effective, dict) else {}
    device = str(values.get("device") or "")
    if device.startswith("cuda") and gpus.count == 0:
        plan.warnings.append(f"device: {device}, but no GPU is visible here ({gpus.source}): the run will fail.")
    overwrite = overwrite_warning(values.get("output_dir"), cwd)
    if overwrite is not None:
        plan.warnings.append(overwrite)
    return plan


def execute(plan: LaunchPlan) -> int:
    """Run the plan's prepare step, then the plan, streaming their output; the run's exit status."""
    if plan.prepare is not None:
        prepared = subprocess.run(plan.prepare, cwd=plan.cwd, stdout=sys.stdout, stderr=sys.stderr)
        if prepared.returncode != 0:
            return prepared.returncode
    return subprocess.run(plan.argv, cwd=plan.cwd, stdout=sys.stdout, stderr=sys.stderr).returncode
