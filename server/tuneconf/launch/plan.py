"""Launch plans: the exact `tune run` argv for a config, the GPUs it will use, and what blocks it
(the CLI's `run`, the editor's Run and Debug recipe, SLURM export).

The plan is data: an argv (never a shell string), a working directory, problems that block the
run, warnings to confirm (a run that would overwrite earlier outputs says so), the config's errors,
and the debug configuration for the same run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tuneconf.document.values import ExpansionLimitError, to_python
from tuneconf.findings import Severity, finding_line
from tuneconf.launch.gpus import GPUs, visible_gpus
from tuneconf.launch.outputs import overwrite_warnings
from tuneconf.launch.prepare import prepare_step
from tuneconf.overrides import merge
from tuneconf.project import ConfigView, Project, folder_of, path_of
from tuneconf.recipes.registry import RecipeChoice


@dataclass(frozen=True)
class Profile:
    """How to launch beyond defaults: torchrun's process and multi-node flags."""

    nproc_per_node: int | None = None
    nnodes: int | None = None
    node_rank: int | None = None
    rdzv_backend: str | None = None
    rdzv_endpoint: str | None = None

    @property
    def multinode(self) -> bool:
        return bool(self.nnodes and self.nnodes > 1)


@dataclass
class LaunchPlan:
    argv: list[str]
    cwd: Path
    recipe: RecipeChoice | None
    gpus: GPUs
    problems: list[str] = field(default_factory=list)
    """What blocks the run (no recipe, more processes than GPUs, ...)."""
    warnings: list[str] = field(default_factory=list)
    """What the user should confirm first (outputs overwritten, no GPU for device: cuda)."""
    errors: list[str] = field(default_factory=list)
    """Error findings of the config as it would run: blocking unless the user runs anyway."""
    prepare: list[str] | None = None
    """An argv to run first (a `# tuneconf: prepare=script.py` comment inside the workspace folder;
    launch/prepare.py); shown in every plan and confirmed before it runs."""
    debug: dict[str, object] = field(default_factory=dict)
    title: str = ""
    """What the run is called (the task's name): `tune run RECIPE`, `python src/train.py`."""

    @property
    def runnable(self) -> bool:
        return not self.problems and not self.errors


def plan_for(
    project: Project,
    view: ConfigView,
    overrides: list[str],
    profile: Profile | None = None,
    gpus: GPUs | None = None,
) -> LaunchPlan:
    """The launch plan of the config `view` (from `Project.view(..., config=True)`) with `overrides`,
    with the config's errors and run-time warnings. `gpus`: given, nothing is probed (counts the
    caller knows, or a cached probe); else launch/gpus.py asks nvidia-smi or torch, isolated."""
    if view.ctx.hydra is not None:
        from tuneconf.launch.hydra_plan import hydra_plan

        return hydra_plan(project, view, view.ctx.hydra, overrides, gpus)
    config = Path(path_of(view.uri))
    recipe = view.ctx.recipe.choice if view.ctx.recipe is not None else None
    interpreter = project.index.env.interpreter
    cwd = folder_of(config, project.folders)
    gpus = gpus if gpus is not None else visible_gpus(interpreter)
    plan = build_plan(interpreter, config, view.parsed.text, overrides, recipe, cwd, gpus, profile)
    merged = merge(view.parsed, overrides)
    for finding in project.findings_with(view, overrides, merged):
        if finding.severity is Severity.ERROR:
            plan.errors.append(finding_line(finding, str(config)))
    try:
        effective = to_python(merged.doc.root)
    except ExpansionLimitError as exc:  # nothing more to check; blocks even --run-anyway: OmegaConf refuses it
        plan.problems.append(f"The config cannot be loaded: {exc}")
        return plan
    values = effective if isinstance(effective, dict) else {}
    device = str(values.get("device") or "")
    if device.startswith("cuda") and gpus.count == 0:
        plan.warnings.append(f"device: {device}, but no GPU is visible here ({gpus.source}): the run will fail.")
    plan.warnings.extend(overwrite_warnings(merged.doc.root, values, cwd))
    return plan


def build_plan(
    interpreter: str,
    config: Path,
    text: str,
    overrides: list[str],
    recipe: RecipeChoice | None,
    cwd: Path,
    gpus: GPUs,
    profile: Profile | None = None,
) -> LaunchPlan:
    profile = profile or Profile()
    plan = LaunchPlan([], cwd, recipe, gpus)
    plan.problems.extend(_profile_problems(profile))
    if not os.path.isabs(interpreter):
        plan.problems.append(f"The interpreter {interpreter} is not an absolute path: set tuneconf.interpreter to one.")
    if recipe is None:
        plan.problems.append(
            "The recipe is unknown: add a `# tuneconf: recipe=NAME` comment, a `tune run RECIPE --config ...` "
            "header line, or a tuneconf.recipes setting."
        )
        return plan
    if recipe.file is None:
        plan.problems.append(f"The recipe file {recipe.name} does not exist.")
        return plan
    torchrun = _torchrun_flags(plan, recipe, gpus, profile)
    recipe_arg = recipe.name if recipe.builtin else relative_path(recipe.file, cwd)
    config_arg = relative_path(config, cwd)
    plan.argv = [
        interpreter,
        "-m",
        "torchtune._cli.tune",
        "run",
        *torchrun,
        recipe_arg,
        "--config",
        config_arg,
        *overrides,
    ]
    prepare = prepare_step(interpreter, config, text, cwd)
    plan.prepare = prepare.argv
    if prepare.problem is not None:
        plan.problems.append(prepare.problem)
    plan.debug = _debug(interpreter, recipe, config_arg, overrides, cwd)
    return plan


def _torchrun_flags(plan: LaunchPlan, recipe: RecipeChoice, gpus: GPUs, profile: Profile) -> list[str]:
    if not recipe.distributed:
        if profile.nproc_per_node or profile.multinode:
            plan.problems.append(f"{recipe.name} runs on a single device: it takes no --nproc_per_node or --nnodes.")
        return []
    wanted = profile.nproc_per_node or max(gpus.count, 1)
    if gpus.count and wanted > gpus.count:
        plan.problems.append(
            f"--nproc_per_node {wanted} asks for more processes than the {gpus.count} GPU(s) visible here "
            f"({gpus.source}); use at most {gpus.count}, or set CUDA_VISIBLE_DEVICES."
        )
    flags = ["--nproc_per_node", str(wanted)]
    if profile.multinode:
        flags += ["--nnodes", str(profile.nnodes)]
        if profile.node_rank is not None:
            flags += ["--node_rank", str(profile.node_rank)]
        flags += ["--rdzv_backend", profile.rdzv_backend or "c10d"]
        if profile.rdzv_endpoint:
            flags += ["--rdzv_endpoint", profile.rdzv_endpoint]
    return flags


def _profile_problems(profile: Profile) -> list[str]:
    """Counts torchrun would refuse (the CLI's arguments and profile_of already keep them out)."""
    problems = [
        f"--{name} must be a whole number of at least {least}, not {value}."
        for name, value, least in (
            ("nproc_per_node", profile.nproc_per_node, 1),
            ("nnodes", profile.nnodes, 1),
            ("node_rank", profile.node_rank, 0),
        )
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < least)
    ]
    if not problems and profile.node_rank is not None and profile.nnodes and profile.node_rank >= profile.nnodes:
        problems.append(f"--node_rank {profile.node_rank} must be below --nnodes {profile.nnodes}.")
    return problems


def _debug(interpreter: str, recipe: RecipeChoice, config: str, overrides: list[str], cwd: Path) -> dict[str, object]:
    """A debugpy launch of the recipe itself (torchtune #964: `tune run` hides breakpoints)."""
    debug: dict[str, object] = {
        "type": "debugpy",
        "request": "launch",
        "name": f"Debug {recipe.name}",
        "args": ["--config", config, *overrides],
        "cwd": str(cwd),
        "python": interpreter,
        "justMyCode": False,
        "console": "integratedTerminal",
    }
    if recipe.builtin:
        debug["program"] = str(recipe.file)
    else:
        assert recipe.file is not None
        debug["module"] = relative_path(recipe.file, cwd).removesuffix(".py").replace("/", ".")
    return debug


def relative_path(path: Path, cwd: Path) -> str:
    """`path` as an argument from `cwd`: relative when inside it, else absolute."""
    try:
        return path.resolve().relative_to(cwd.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def profile_of(raw: Any) -> Profile:
    """A Profile from the `launch` object of .vscode/tuneconf.json; anything malformed is left out."""
    if not isinstance(raw, dict):
        return Profile()

    def number(name: str, least: int = 1) -> int | None:
        value = raw.get(name)
        # bool is an int in Python; JSON's true is not a count
        return value if isinstance(value, int) and not isinstance(value, bool) and value >= least else None

    endpoint = raw.get("rdzv_endpoint")
    backend = raw.get("rdzv_backend")
    return Profile(
        number("nproc_per_node"),
        number("nnodes"),
        number("node_rank", 0),
        backend if isinstance(backend, str) else None,
        endpoint if isinstance(endpoint, str) else None,
    )


def plan_json(plan: LaunchPlan) -> dict[str, Any]:
    """The plan as the extension reads it (LAUNCH_PLAN_FIELDS; `LaunchPlan` in src/commandIds.ts)."""
    return {
        "argv": plan.argv,
        "cwd": str(plan.cwd),
        "recipe": plan.recipe.name if plan.recipe else None,
        "title": plan.title or f"tune run {plan.recipe.name if plan.recipe else ''}".strip(),
        "gpus": {"count": plan.gpus.count, "source": plan.gpus.source, "names": list(plan.gpus.names)},
        "problems": plan.problems,
        "errors": plan.errors,
        "warnings": plan.warnings,
        "prepare": plan.prepare,
        "debug": plan.debug,
    }
