// Shared with the server (server/tuneconf/command_ids.py); tests/contract/test_command_ids.py keeps both and package.json in step.
// No runtime import of `vscode` here (types only), so plain-Node unit tests may import it.
import type { DebugConfiguration } from "vscode";

/** The commands the extension contributes (package.json `contributes.commands`). */
export const CLIENT_COMMANDS = {
  restartServer: "tuneconf.restartServer",
  showOutput: "tuneconf.showOutput",
  showEffectiveConfig: "tuneconf.showEffectiveConfig",
  runRecipe: "tuneconf.runRecipe",
  debugRecipe: "tuneconf.debugRecipe",
  checkConfig: "tuneconf.checkConfig",
  exportSlurm: "tuneconf.exportSlurm",
  newConfigFromBuiltin: "tuneconf.newConfigFromBuiltin",
  downloadModel: "tuneconf.downloadModel",
  openRunView: "tuneconf.openRunView",
  compareRuns: "tuneconf.compareRuns",
  refreshRuns: "tuneconf.refreshRuns",
  resumeRun: "tuneconf.resumeRun",
  compareWithBuiltin: "tuneconf.compareWithBuiltin",
  showConfigReferences: "tuneconf.showConfigReferences",
} as const;

/** The commands the server implements (workspace/executeCommand). */
export const SERVER_COMMANDS = {
  effectiveConfig: "tuneconf.server.effectiveConfig",
  launchPlan: "tuneconf.server.launchPlan",
  check: "tuneconf.server.check",
  slurmScript: "tuneconf.server.slurmScript",
  builtinConfigs: "tuneconf.server.builtinConfigs",
  recheck: "tuneconf.server.recheck",
  compareBuiltin: "tuneconf.server.compareBuiltin",
  activeOverrides: "tuneconf.server.activeOverrides",
  runs: "tuneconf.server.runs",
  runSeries: "tuneconf.server.runSeries",
  resumePlan: "tuneconf.server.resumePlan",
  overrideCompletions: "tuneconf.server.overrideCompletions",
} as const;

/** What tuneconf.server.launchPlan returns: an argv, never a shell string. One field a line (the contract test reads them). */
export interface LaunchPlan {
  argv: string[];
  cwd: string;
  recipe: string | null;
  /** The run's name: `tune run RECIPE`, or `python src/train.py` for a Hydra entry point. */
  title: string;
  gpus: { count: number; source: string; names?: string[] };
  problems: string[];
  errors: string[];
  warnings: string[];
  prepare: string[] | null;
  debug: DebugConfiguration;
}

/** What a Download action carries (tuneconf.launch.download.download_plan): `tune download` as an argv. One field a line. */
export interface DownloadPlan {
  repo: string;
  argv: string[];
  cwd: string;
  outputDir: string;
}
