"""`tuneconf run`: print the launch plan, or confirm and run it (the CLI side of Run recipe)."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from tuneconf.cli import exits
from tuneconf.cli.targets import one_config
from tuneconf.document.values import ExpansionLimitError, check_expansion
from tuneconf.launch.execute import execute
from tuneconf.launch.gpus import GPUs
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
    # Printing a plan with the counts given probes nothing: the GPUs are the counts asked for.
    printing = args.slurm or args.dry_run
    gpus = GPUs(args.nproc_per_node, "requested") if printing and args.nproc_per_node else None
    project = Project(Settings(), [Path.cwd()])
    view = project.view(config.resolve().as_uri(), None, text, config=True)
    try:
        check_expansion(view.parsed.root)  # an alias bomb: refused as OmegaConf refuses it, and exit 2
    except ExpansionLimitError as exc:
        print(f"tuneconf: cannot run {config}: {exc}", file=sys.stderr)
        return exits.USAGE
    plan = plan_for(project, view, overrides, profile, gpus)
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
    """The plan as `--dry-run` prints it: the prepare step and the argv, then GPUs, then what blocks or warns."""
    if plan.prepare is not None:
        print(f"prepare: {shlex.join(plan.prepare)}")
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
    if plan.prepare is not None:
        print(f"tuneconf: prepare step (a `# tuneconf: prepare=` comment): {shlex.join(plan.prepare)}", file=sys.stderr)
    if not yes and not confirmed(plan):
        return exits.FINDINGS
    print(f"tuneconf: {shlex.join(plan.argv)}", file=sys.stderr)
    return execute(plan)


def confirmed(plan: LaunchPlan) -> bool:
    """Asks on a terminal before a prepare step and before a run with warnings; without a terminal
    (CI, scripts, editor tasks) refuses both, saying to pass --yes."""
    questions = []
    if plan.prepare is not None:
        questions.append(f"Run the prepare step {shlex.join(plan.prepare[1:])} first? [y/N] ")
    if plan.warnings:
        questions.append("Run anyway? [y/N] ")
    if not questions:
        return True
    if not sys.stdin.isatty():
        what = " and ".join(
            part
            for part, present in (("the prepare step", plan.prepare is not None), ("the warnings", bool(plan.warnings)))
            if present
        )
        print(f"tuneconf: not run: confirm {what} with --yes (there is no terminal to ask)", file=sys.stderr)
        return False
    return all(_ask(question) for question in questions)


def _ask(question: str) -> bool:
    try:
        return input(question).strip().lower() in ("y", "yes")
    except EOFError:
        return False
