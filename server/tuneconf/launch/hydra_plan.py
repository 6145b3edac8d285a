"""Launch plans for Hydra primary configs: `python path/to/train.py [--multirun] [--config-name NAME]
OVERRIDES` from the workspace folder (an argv, never a shell string), its Debug twin through debugpy,
and what blocks it (no entry point names the config's folder; a group option is no primary config).
Findings of the config with the overrides are Hydra's (hydra/override_check.py)."""

from __future__ import annotations

from pathlib import Path

from tuneconf.findings import Severity, finding_line
from tuneconf.hydra.override_check import MULTIRUN_FLAGS
from tuneconf.hydra.workspace import HydraInfo
from tuneconf.launch.gpus import GPUs, visible_gpus
from tuneconf.launch.plan import LaunchPlan, relative_path
from tuneconf.project import ConfigView, Project, folder_of, path_of


def hydra_plan(
    project: Project, view: ConfigView, hydra: HydraInfo, overrides: list[str], gpus: GPUs | None = None
) -> LaunchPlan:
    config = Path(path_of(view.uri))
    interpreter = project.index.env.interpreter
    cwd = folder_of(config, project.folders)
    plan = LaunchPlan([], cwd, None, gpus if gpus is not None else visible_gpus(interpreter))
    place = hydra.place
    if place is None or place.group:
        where = f"an option of the group '{place.group}'" if place is not None else "in no Hydra config folder"
        plan.problems.append(
            f"This file is {where}, not a primary config: run the primary config that selects it "
            "(e.g. with an override group=option)."
        )
        return plan
    entry = place.root.entry_for(place.option)
    if entry is None:
        plan.problems.append(
            f"No @hydra.main entry point in the workspace names {place.root.folder}: nothing to run it with."
        )
        return plan
    flags = ["--multirun"] if any(o in MULTIRUN_FLAGS for o in overrides) else []
    rest = [o for o in overrides if o not in MULTIRUN_FLAGS]
    if entry.config_name != place.option:
        flags += ["--config-name", place.option]
    if entry.config_dir is None or entry.config_dir.resolve() != place.root.folder:
        flags += ["--config-path", str(place.root.folder)]
    script = relative_path(entry.file, cwd)
    plan.argv = [interpreter, script, *flags, *rest]
    plan.title = f"python {script}"
    for finding in project.findings_with(view, overrides):
        if finding.severity is Severity.ERROR:
            plan.errors.append(finding_line(finding, str(config)))
    plan.debug = {
        "type": "debugpy",
        "request": "launch",
        "name": f"Debug {script} ({place.option})",
        "program": str(entry.file),
        "args": [*flags, *rest],
        "cwd": str(cwd),
        "python": interpreter,
        "justMyCode": False,
        "console": "integratedTerminal",
    }
    return plan
