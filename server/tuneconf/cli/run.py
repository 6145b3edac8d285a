"""`tuneconf run`: print the launch plan, or confirm and run it (the CLI side of Run recipe)."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from tuneconf.cli import exits
from tuneconf.cli.targets import one_config
from tuneconf.launch.execute import execute
from tuneconf.launch.plan import LaunchPlan, Profile, plan_for
from tuneconf.launch.slurm import slurm_script
from tuneconf.project import Project
from tuneconf.settings import Settings


def run_command(args: argparse.Namespace, targets: list[str]) -> int:
    target = one_config(targets, "run")
    if target is None:
        return exits.USAGE
    config, text, overrides = target
    profile = Profile(args.nproc_per_node, args.nnodes, args.node_rank, None, args.rdzv_endpoint)
    project = Project(Settings(), [Path.cwd()])
    plan = plan_for(project, project.view(config.resolve().as_uri(), None, text, config=True), overrides, profile)
    project.save()
    if args.slurm:
        if not plan.argv:  # no recipe, or its file is missing: nothing to put in a script
            describe(plan)
            return exits.FINDINGS
        print(slurm_script(plan, args.nnodes or 1, args.nproc_per_node or max(plan.gpus.count, 1)), end="")
        return exits.OK
    if args.dry_run:
        describe(plan)
        return exits.OK if plan.runnable else exits.FINDINGS
    return run_plan(plan, args.run_anyway, args.yes)


def describe(plan: LaunchPlan) -> None:
    """The plan as `--dry-run` prints it: the argv on one line, then GPUs, then what blocks or warns."""
    print(shlex.join(plan.argv) if plan.argv else "(no command)")
    names = f": {', '.join(plan.gpus.names)}" if plan.gpus.names else ""
    print(f"GPUs: {plan.gpus.count} ({plan.gpus.source}){names}")
    print(f"cwd: {plan.cwd}")
    for line in plan.problems:
        print(f"blocked: {line}")
    for line in plan.errors:
        print(f"config error: {line}")
    for line in plan.warnings:
        print(f"warning: {line}")


def run_plan(plan: LaunchPlan, run_anyway: bool, yes: bool) -> int:
    if plan.problems or (plan.errors and not run_anyway):
        describe(plan)
        if plan.errors and not plan.problems:
            print("tuneconf: the config has errors; fix them, or pass --run-anyway", file=sys.stderr)
        return exits.FINDINGS
    for line in plan.warnings:
        print(f"tuneconf: warning: {line}", file=sys.stderr)
    if plan.warnings and not yes and sys.stdin.isatty():
        answer = input("Run anyway? [y/N] ").strip().lower()
        if answer not in ("y", "yes"):
            return exits.FINDINGS
    print(f"tuneconf: {shlex.join(plan.argv)}", file=sys.stderr)
    return execute(plan)
