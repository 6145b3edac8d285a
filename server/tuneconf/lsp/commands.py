"""The server's commands for the editor's Run, Debug, Check, SLURM export and Compare with built-in:
adapters from a document and its overrides to the launch plan, a check summary, a script, the built-in
configs, the comparison with the built-in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tuneconf.compare import CompareError, compare, registry_configs
from tuneconf.findings import Severity, finding_line
from tuneconf.launch.gpus import GPUs
from tuneconf.launch.plan import Profile, plan_for, plan_json, profile_of
from tuneconf.launch.slurm import slurm_script
from tuneconf.project import ConfigView, Project, path_of


def launch_plan(
    project: Project, view: ConfigView, overrides: list[str], profile: Any, gpus: GPUs | None = None
) -> dict[str, Any]:
    return plan_json(plan_for(project, view, list(overrides), profile_of(profile), gpus))


def slurm(project: Project, view: ConfigView, overrides: list[str], nodes: object, gpus_per_node: object) -> str:
    """The sbatch script, or comment lines saying why there is none. The counts come from the client:
    anything but a whole number of at least 1 is refused; nothing is probed (the GPUs are the counts)."""
    for name, count in (("nodes", nodes), ("gpus_per_node", gpus_per_node)):
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            return _comment([f"tuneconf: {name} must be a whole number of at least 1, not {ascii(count)[:40]}"])
    assert isinstance(nodes, int) and isinstance(gpus_per_node, int)
    gpus = GPUs(gpus_per_node, "requested")
    plan = plan_for(project, view, list(overrides), Profile(gpus_per_node, nodes), gpus)
    if not plan.argv:
        return _comment(plan.problems)
    return slurm_script(plan, nodes, gpus_per_node, job_name=Path(path_of(view.uri)).stem)


def _comment(lines: list[str]) -> str:
    """Shell comment lines; a line break inside a message (a file name can hold one) stays in the comment."""
    return "".join("# " + " ".join(line.splitlines()) + "\n" for line in lines)


def check_summary(project: Project, view: ConfigView, overrides: list[str]) -> dict[str, Any]:
    findings = project.findings_with(view, list(overrides))
    lines = [finding_line(f, Path(path_of(view.uri)).name) for f in findings]
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    return {"errors": errors, "total": len(findings), "lines": lines}


def builtin_configs(project: Project) -> list[dict[str, str]]:
    registry = project.catalog.registry
    if registry.recipes_dir is None:
        return []
    configs_dir = registry.recipes_dir / "configs"
    return [
        {"name": config.name, "recipe": recipe.name, "path": str(configs_dir / config.file_path)}
        for recipe in registry.recipes
        for config in recipe.configs
    ]


def compare_builtin(project: Project, view: ConfigView, builtin: str | None = None) -> dict[str, Any]:
    """compare.py's comparison of the document with its built-in (`builtin`: a registry config name) as
    JSON, with the built-in's file as `uri` (for the diff editor); else {"error": why} (one line)."""
    recipe = view.ctx.recipe.choice.name if view.ctx.recipe is not None else None
    registry = project.catalog.registry
    if builtin is not None and builtin.removesuffix(".yaml") not in {name for name, _, _ in registry_configs(registry)}:
        return {"error": f"no built-in config {builtin!r}"}  # a name from a lens, never a path to read
    try:
        result = compare(view.parsed.text, registry, builtin, recipe=lambda: recipe)
    except CompareError as exc:
        return {"error": str(exc)}
    return {**result.json(), "uri": result.builtin.path.resolve().as_uri()}
