// Resume from epoch N: asks the server which recipe checkpoint the config's output folder holds
// (tuneconf.server.resumePlan) and launches the run with the overrides that resume it, checked like any run:
// the Run path's (the server's launch plan, its problems stopping it and its errors and warnings asked about,
// the config's prepare step, a task, and the config's Run view following it).
import * as vscode from "vscode";

import type { ServerConnection } from "../client";
import { SERVER_COMMANDS } from "../commandIds";
import { readResumePlan, resumeOverrides } from "./resumePlan";

/** Runs a config with fixed overrides through the Run path (src/launch/runs.ts: Runs.run). */
export type Launch = (config: vscode.Uri, overrides: string[], action: string) => Promise<void>;

export interface ResumeDeps {
  server: ServerConnection;
  launch: Launch;
}

/** Resume the run of `config` that was launched with `base` overrides (they say where it wrote). */
export async function resumeRun(deps: ResumeDeps, config: vscode.Uri, base: string[]): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage("tuneconf: Resume is not available in Restricted Mode.");
    return;
  }
  const plan = readResumePlan(await deps.server.executeCommand(SERVER_COMMANDS.resumePlan, [config.toString(), base]));
  if (plan === undefined) {
    void vscode.window.showErrorMessage("tuneconf: no resume plan (see the tuneconf output).");
    return;
  }
  if ("error" in plan) {
    void vscode.window.showWarningMessage(`tuneconf: cannot resume: ${plan.error}`);
    return;
  }
  const overrides = resumeOverrides(base, plan);
  const answer = await vscode.window.showInformationMessage(
    `Resume from epoch ${plan.epoch}?`,
    { modal: true, detail: `${plan.why}\n\ntune run … ${overrides.join(" ")}` },
    "Resume",
  );
  if (answer === "Resume") {
    await deps.launch(config, overrides, `Resume from epoch ${plan.epoch}`);
  }
}
