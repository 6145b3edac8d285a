"""What the editor's Run, Debug and Check commands ask the server: plans, checks, built-in configs."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tuneconf.findings import Severity
from tuneconf.recipes.launch import GPUs, Profile, slurm_script, visible_gpus
from tuneconf.report import finding_line
from tuneconf.running import plan_for
from tuneconf.workspace import ConfigView, Workspace, path_of


def profile_of(raw: Any) -> Profile:
    if not isinstance(raw, dict):
        return Profile()

    def number(name: str) -> int | None:
        value = raw.get(name)
        return value if isinstance(value, int) and value > 0 else None

    endpoint = raw.get("rdzv_endpoint")
    backend = raw.get("rdzv_backend")
    return Profile(
        number("nproc_per_node"),
        number("nnodes"),
        raw.get("node_rank") if isinstance(raw.get("node_rank"), int) else None,
        backend if isinstance(backend, str) else None,
        endpoint if isinstance(endpoint, str) else None,
    )


_gpus: dict[str, tuple[float, GPUs]] = {}
GPU_CACHE_S = 30.0


def gpus_cached(interpreter: str) -> GPUs:
    """visible_gpus, remembered for half a minute (asking torch takes seconds)."""
    hit = _gpus.get(interpreter)
    if hit is not None and time.monotonic() - hit[0] < GPU_CACHE_S:
        return hit[1]
    found = visible_gpus(interpreter)
    _gpus[interpreter] = (time.monotonic(), found)
    return found


def launch_plan(
    model: Workspace, view: ConfigView, overrides: list[str], profile: Any, gpus: GPUs | None = None
) -> dict[str, Any]:
    plan = plan_for(model, view, list(overrides), profile_of(profile), gpus)
    return {
        "argv": plan.argv,
        "cwd": str(plan.cwd),
        "recipe": plan.recipe.name if plan.recipe else None,
        "gpus": {"count": plan.gpus.count, "source": plan.gpus.source, "names": list(plan.gpus.names)},
        "problems": plan.problems,
        "errors": plan.errors,
        "warnings": plan.warnings,
        "prepare": plan.prepare,
        "debug": plan.debug,
    }


def slurm(model: Workspace, view: ConfigView, overrides: list[str], nodes: int, gpus_per_node: int) -> str:
    gpus = GPUs(gpus_per_node, "requested")
    plan = plan_for(model, view, list(overrides), Profile(gpus_per_node, nodes), gpus)
    if not plan.argv:
        return "# " + "\n# ".join(plan.problems) + "\n"
    return slurm_script(plan, nodes, gpus_per_node, job_name=Path(path_of(view.uri)).stem)


def check_summary(model: Workspace, view: ConfigView, overrides: list[str]) -> dict[str, Any]:
    findings = model.findings_with(view, list(overrides))
    lines = [finding_line(f, Path(path_of(view.uri)).name) for f in findings]
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    return {"errors": errors, "total": len(findings), "lines": lines}


def builtin_configs(model: Workspace) -> list[dict[str, str]]:
    registry = model.catalog.registry
    if registry.recipes_dir is None:
        return []
    configs_dir = registry.recipes_dir / "configs"
    return [
        {"name": config.name, "recipe": recipe.name, "path": str(configs_dir / config.file_path)}
        for recipe in registry.recipes
        for config in recipe.configs
    ]
