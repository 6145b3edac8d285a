"""Execution: run a plan's prepare step, then the plan, in the terminal (`tuneconf run`; the editor
runs the same argv as a VS Code task)."""

from __future__ import annotations

import subprocess
import sys

from tuneconf.launch.plan import LaunchPlan


def execute(plan: LaunchPlan) -> int:
    """Run the plan's prepare step, then the plan, streaming their output; the run's exit status."""
    if plan.prepare is not None:
        prepared = subprocess.run(plan.prepare, cwd=plan.cwd, stdout=sys.stdout, stderr=sys.stderr)
        if prepared.returncode != 0:
            return prepared.returncode
    return subprocess.run(plan.argv, cwd=plan.cwd, stdout=sys.stdout, stderr=sys.stderr).returncode
