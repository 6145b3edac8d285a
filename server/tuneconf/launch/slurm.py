"""SLURM export: an sbatch script that runs a launch plan on several nodes.

Everything from the plan (the interpreter, the config's path, overrides, the working folder) is
written shell-quoted; the job name is reduced to a safe alphabet (it sits in an `#SBATCH` line,
which sbatch reads without a shell). Only the script's own fragments expand variables."""

from __future__ import annotations

import re
import shlex

from tuneconf.launch.plan import LaunchPlan

_TORCHRUN_FLAGS = {"--nproc_per_node", "--nnodes", "--node_rank", "--rdzv_backend", "--rdzv_endpoint"}
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


def slurm_script(plan: LaunchPlan, nodes: int, gpus_per_node: int, job_name: str = "tuneconf") -> str:
    """An sbatch script running the plan on `nodes` nodes: one srun of the same tune run per node,
    rendezvous at the first node (the shape of torchtune's multi-node SLURM example). Raises
    ValueError for a count below 1 (callers refuse those first, with a message)."""
    for name, count in (("nodes", nodes), ("gpus_per_node", gpus_per_node)):
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError(f"{name} must be a whole number of at least 1, not {count!r}")
    argv = list(plan.argv)
    run = argv.index("run") + 1 if "run" in argv else len(argv)
    head, tail = argv[:run], _without_leading_flags(argv[run:], _TORCHRUN_FLAGS)
    # Our own fragments, written as shell words: the job id and the head node's address expand at run time.
    torchrun = [
        "--nnodes", str(nodes), "--nproc_per_node", str(gpus_per_node),
        "--rdzv_id", "$SLURM_JOB_ID", "--rdzv_backend", "c10d", "--rdzv_endpoint", "$head_node_ip:29500",
    ]  # fmt: skip
    words = [shlex.quote(a) for a in head] + torchrun + [shlex.quote(a) for a in tail]
    return "\n".join(
        [
            "#!/bin/bash",
            f"#SBATCH --job-name={safe_job_name(job_name)}",
            f"#SBATCH --nodes={nodes}",
            "#SBATCH --ntasks-per-node=1",
            f"#SBATCH --gpus-per-node={gpus_per_node}",
            "",
            *_prepare_note(plan),
            'nodes=( $(scontrol show hostnames "$SLURM_JOB_NODELIST") )',
            'head_node_ip=$(srun --nodes=1 --ntasks=1 -w "${nodes[0]}" hostname --ip-address)',
            f"cd {shlex.quote(str(plan.cwd))}",
            f"srun {' '.join(words)}",
            "",
        ]
    )


def safe_job_name(name: str) -> str:
    """The job name in letters, digits, `.`, `_` and `-` (anything else becomes `_`), at most 64 long."""
    return _UNSAFE_NAME.sub("_", name)[:64] or "tuneconf"


def _prepare_note(plan: LaunchPlan) -> list[str]:
    """The plan's prepare step, which the script does not run, as one comment line: its words quoted,
    then escaped (a line break in a folder's name would end the comment and start a command)."""
    if plan.prepare is None:
        return []
    command = shlex.join(plan.prepare).encode("unicode_escape").decode("ascii")
    return [f"# The config's prepare step is not run by this script; run it first: {command}"]


def _without_leading_flags(argv: list[str], flags: set[str]) -> list[str]:
    """`argv` less the torchrun flags (and their values) in front of the recipe; the rest as it is."""
    at = 0
    while at < len(argv) and argv[at] in flags:
        at += 2
    return argv[at:]
