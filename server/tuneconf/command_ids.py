"""Command ids shared with the VS Code extension (vscode-extension/src/commandIds.ts) and the launch
plan's shape; tests/contract/test_command_ids.py keeps both and package.json in step."""

from __future__ import annotations

# Client commands: the extension implements them; the server's lenses name them.
RUN_RECIPE = "tuneconf.runRecipe"
DEBUG_RECIPE = "tuneconf.debugRecipe"
CHECK_CONFIG = "tuneconf.checkConfig"
SHOW_EFFECTIVE_CONFIG = "tuneconf.showEffectiveConfig"
DOWNLOAD_MODEL = "tuneconf.downloadModel"
OPEN_RUN_VIEW = "tuneconf.openRunView"
RESUME_RUN = "tuneconf.resumeRun"
COMPARE_WITH_BUILTIN = "tuneconf.compareWithBuiltin"
SHOW_CONFIG_REFERENCES = "tuneconf.showConfigReferences"

# Server commands (workspace/executeCommand): the extension asks, the server answers.
EFFECTIVE_CONFIG = "tuneconf.server.effectiveConfig"
LAUNCH_PLAN = "tuneconf.server.launchPlan"
CHECK = "tuneconf.server.check"
SLURM_SCRIPT = "tuneconf.server.slurmScript"
BUILTIN_CONFIGS = "tuneconf.server.builtinConfigs"
RECHECK = "tuneconf.server.recheck"
COMPARE_BUILTIN = "tuneconf.server.compareBuiltin"
ACTIVE_OVERRIDES = "tuneconf.server.activeOverrides"
RUNS = "tuneconf.server.runs"
RUN_SERIES = "tuneconf.server.runSeries"
RESUME_PLAN = "tuneconf.server.resumePlan"
OVERRIDE_COMPLETIONS = "tuneconf.server.overrideCompletions"
SERVER_COMMANDS = (
    EFFECTIVE_CONFIG,
    LAUNCH_PLAN,
    CHECK,
    SLURM_SCRIPT,
    BUILTIN_CONFIGS,
    RECHECK,
    COMPARE_BUILTIN,
    ACTIVE_OVERRIDES,
    RUNS,
    RUN_SERIES,
    RESUME_PLAN,
    OVERRIDE_COMPLETIONS,
)

LAUNCH_PLAN_FIELDS = ("argv", "cwd", "recipe", "title", "gpus", "problems", "errors", "warnings", "prepare", "debug")
"""The keys of the launch plan the server sends (tuneconf.launch.plan.plan_json)."""

DOWNLOAD_PLAN_FIELDS = ("repo", "argv", "cwd", "outputDir")
"""The keys of the download plan a Download action carries (tuneconf.launch.download.download_plan)."""
