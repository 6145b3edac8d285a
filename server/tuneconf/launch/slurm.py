"""SLURM export: an sbatch script that runs a launch plan on several nodes."""

from __future__ import annotations

import re
import shlex

from tuneconf.launch.plan import LaunchPlan


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
