"""Launch plans: the exact `tune run` argv for a config, the GPUs it will use, and what blocks it.

The plan is data: an argv (never a shell string), a working directory, problems that block the
run, warnings to confirm (a run that would overwrite earlier outputs says so), the config's errors,
and the debug configuration for the same run.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tuneconf.recipes.registry import RecipeChoice

_PREPARE = re.compile(r"^\s*#\s*tuneconf:\s*prepare\s*=\s*(\S+)", re.M)
GPU_PROBE_TIMEOUT_S = 60


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


@dataclass(frozen=True)
class GPUs:
    count: int
    source: str
    """nvidia-smi | torch | none"""
    names: tuple[str, ...] = ()


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
    """An argv to run first (a `# tuneconf: prepare=script.py` comment)."""
    debug: dict[str, object] = field(default_factory=dict)

    @property
    def runnable(self) -> bool:
        return not self.problems and not self.errors


def visible_gpus(interpreter: str, env: dict[str, str] | None = None) -> GPUs:
    """GPUs the run would see: nvidia-smi (narrowed by CUDA_VISIBLE_DEVICES), else torch asked in the
    target interpreter (a subprocess: tuneconf itself never imports torch), else none."""
    env = dict(os.environ if env is None else env)
    smi = shutil.which("nvidia-smi", path=env.get("PATH"))
    if smi is not None:
        try:
            out = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=20, env=env)
            names = [line.strip() for line in out.stdout.splitlines() if line.startswith("GPU ")]
            if out.returncode == 0:
                names = _narrow(names, env.get("CUDA_VISIBLE_DEVICES"))
                return GPUs(len(names), "nvidia-smi", tuple(names))
        except (OSError, subprocess.SubprocessError):
            pass
    code = "import torch; print(torch.cuda.device_count() if torch.cuda.is_available() else 0)"
    try:
        out = subprocess.run(
            [interpreter, "-c", code], capture_output=True, text=True, timeout=GPU_PROBE_TIMEOUT_S, env=env
        )
        if out.returncode == 0 and out.stdout.strip().isdigit():
            return GPUs(int(out.stdout.strip()), "torch")
    except (OSError, subprocess.SubprocessError):
        pass
    return GPUs(0, "none")


def _narrow(names: list[str], visible: str | None) -> list[str]:
    if visible is None:
        return names
    wanted = [v.strip() for v in visible.split(",") if v.strip()]
    if wanted and all(v.isdigit() for v in wanted):
        return [names[int(v)] for v in wanted if int(v) < len(names)]
    return [n for n in names if any(w in n for w in wanted)]  # UUIDs or MIG names


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
    recipe_arg = recipe.name if recipe.builtin else _relative(recipe.file, cwd)
    config_arg = _relative(config, cwd)
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
    plan.prepare = _prepare(interpreter, config, text)
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


def _prepare(interpreter: str, config: Path, text: str) -> list[str] | None:
    match = _PREPARE.search(text)
    if match is None:
        return None
    return [interpreter, str((config.parent / match.group(1)).resolve())]


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
        debug["module"] = _relative(recipe.file, cwd).removesuffix(".py").replace("/", ".")
    return debug


def _relative(path: Path, cwd: Path) -> str:
    try:
        return path.resolve().relative_to(cwd.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def overwrite_warning(output_dir: object, cwd: Path) -> str | None:
    """A warning when the run's output_dir already holds files (they may be overwritten)."""
    if not isinstance(output_dir, str) or not output_dir or "${" in output_dir:
        return None
    folder = Path(output_dir) if os.path.isabs(output_dir) else cwd / output_dir
    try:
        if folder.is_dir() and any(folder.iterdir()):
            return f"output_dir {output_dir} already has files: this run may overwrite them."
    except OSError:
        return None
    return None


def slurm_script(plan: LaunchPlan, nodes: int, gpus_per_node: int, job_name: str = "tuneconf") -> str:
    """An sbatch script running the plan on `nodes` nodes: one srun of the same tune run per node,
    rendezvous at the first node (the shape of torchtune's multi-node SLURM example)."""
    argv = list(plan.argv)
    run = argv.index("run") + 1 if "run" in argv else len(argv)
    head, tail = argv[:run], argv[run:]
    tail = _without_flags(tail, {"--nproc_per_node", "--nnodes", "--node_rank", "--rdzv_backend", "--rdzv_endpoint"})
    torchrun = [
        "--nnodes", str(nodes), "--nproc_per_node", str(gpus_per_node),
        "--rdzv_id", "$SLURM_JOB_ID", "--rdzv_backend", "c10d", "--rdzv_endpoint", "$head_node_ip:29500",
    ]  # fmt: skip
    command = " ".join(_quote(a) for a in [*head, *torchrun, *tail])
    return "\n".join(
        [
            "#!/bin/bash",
            f"#SBATCH --job-name={job_name}",
            f"#SBATCH --nodes={nodes}",
            "#SBATCH --ntasks-per-node=1",
            f"#SBATCH --gpus-per-node={gpus_per_node}",
            "",
            "nodes=( $(scontrol show hostnames $SLURM_JOB_NODELIST) )",
            'head_node_ip=$(srun --nodes=1 --ntasks=1 -w "${nodes[0]}" hostname --ip-address)',
            f"cd {_quote(str(plan.cwd))}",
            f"srun {command}",
            "",
        ]
    )


def _without_flags(argv: list[str], flags: set[str]) -> list[str]:
    out: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in flags:
            skip = True
            continue
        out.append(arg)
    return out


def _quote(arg: str) -> str:
    """Shell quoting for the script, leaving $SLURM variables to the shell."""
    if re.fullmatch(r"\$[A-Za-z_]+(:\d+)?", arg):
        return arg
    return shlex.quote(arg)
