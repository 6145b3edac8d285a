// Run recipe, Debug recipe, Check, Export SLURM script, New config from built-in, Download model: the
// commands' wiring. The server builds every plan (an argv, never a shell string); VS Code runs it as a process task.
import * as vscode from "vscode";

import { newConfigFromBuiltin } from "../builtins";
import type { ServerConnection } from "../client";
import { type LaunchPlan, SERVER_COMMANDS } from "../commandIds";
import type { RunViews } from "../runs/views";
import { approvedOnce, type Memory } from "./consent";
import { downloadOutcome, downloadPlanOf } from "./downloadPlan";
import { runProcess } from "./execute";
import { LaunchPlanner } from "./plan";
import { exportSlurm } from "./slurm";
import { takeTail, teeArgv, type TeePaths, teeSetup } from "./tee";

export class Runs {
  private readonly planner: LaunchPlanner;

  constructor(
    private readonly server: ServerConnection,
    private readonly channel: vscode.OutputChannel,
    /** context.workspaceState: the prepare scripts approved in this workspace. */
    private readonly memory: Memory,
    /** The Run views: a run opens its config's view beside the editor. */
    private readonly views?: RunViews,
    /** The run wrapper and the storage folder for its tail files; without it a run's last lines are not kept. */
    private readonly tee?: TeePaths,
  ) {
    this.planner = new LaunchPlanner(server, channel);
  }

  /** The overrides last chosen for a config (used by Effective config too). */
  overridesFor(uri: vscode.Uri): string[] {
    return this.planner.overridesFor(uri);
  }

  /** Run the config, with the overrides the user picks, or `fixed` ones (Resume from epoch N). */
  async run(uri: vscode.Uri, fixed?: { overrides: string[]; action: string }): Promise<void> {
    const plan = await this.planner.plan(uri, fixed?.action ?? "Run", fixed?.overrides);
    if (plan === undefined || !(await this.planner.confirm(plan)) || !(await this.prepared(plan))) {
      return;
    }
    const name = `${plan.title}${fixed === undefined ? "" : ` (${fixed.action.toLowerCase()})`}`;
    const overrides = fixed?.overrides ?? this.planner.overridesFor(uri);
    const startedMs = Date.now();
    this.views?.started(uri, { overrides, startedMs, taskName: name });
    // The recipe (not the prepare step, not Debug) runs behind the wrapper that keeps its last lines.
    const tee = teeSetup(this.tee, plan.debug.python, `${startedMs}-${Math.random().toString(36).slice(2, 8)}`);
    let exitCode: number | undefined;
    try {
      exitCode = await runProcess(name, tee === undefined ? plan.argv : teeArgv(tee, plan.argv), plan.cwd);
    } finally {
      const tail = tee === undefined ? undefined : await takeTail(tee.tailFile);
      this.views?.ended(uri, exitCode, exitCode === 0 ? undefined : tail);
    }
  }

  /** Runs the plan's prepare step, asked first the first time its script runs in this workspace; false when declined or failed. */
  private async prepared(plan: LaunchPlan): Promise<boolean> {
    const prepare = plan.prepare;
    if (prepare === null) {
      return true;
    }
    const script = prepare[prepare.length - 1] ?? "";
    const approved = await approvedOnce(this.memory, script, async (name) => {
      const answer = await vscode.window.showWarningMessage(
        `This config runs ${name} before the recipe (its \`# tuneconf: prepare=\` comment). Run it?`,
        { modal: true, detail: `${prepare.join(" ")}\n(in ${plan.cwd}; asked once per script in this workspace)` },
        "Run",
      );
      return answer === "Run";
    });
    if (!approved) {
      this.channel.appendLine(`  prepare step not approved: ${prepare.join(" ")}`);
      return false;
    }
    if ((await runProcess("tuneconf: prepare", prepare, plan.cwd)) !== 0) {
      void vscode.window.showErrorMessage("tuneconf: the config's prepare step failed (see the terminal).");
      return false;
    }
    return true;
  }

  async debug(uri: vscode.Uri): Promise<void> {
    const plan = await this.planner.plan(uri, "Debug");
    if (plan === undefined || !(await this.planner.confirm(plan))) {
      return;
    }
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const started = await vscode.debug.startDebugging(folder, plan.debug);
    if (!started) {
      void vscode.window.showErrorMessage("tuneconf: could not start debugging; is the Python Debugger (debugpy) extension installed?");
    }
  }

  async check(uri: vscode.Uri): Promise<void> {
    const overrides = await this.planner.chooseOverrides(uri);
    if (overrides === undefined) {
      return;
    }
    const result = (await this.server.executeCommand(SERVER_COMMANDS.check, [uri.toString(), overrides])) as
      | { errors: number; total: number; lines: string[] }
      | undefined;
    if (result === undefined) {
      return;
    }
    this.channel.appendLine(`tuneconf check ${uri.fsPath} ${overrides.join(" ")}`);
    result.lines.forEach((line) => this.channel.appendLine(`  ${line}`));
    const summary = `tuneconf: ${result.errors} error(s), ${result.total - result.errors} other finding(s)`;
    void (result.errors > 0 ? vscode.window.showErrorMessage(summary) : vscode.window.showInformationMessage(summary));
  }

  /**
   * Runs the `tune download` a Download lens or quick fix carries (trusted workspaces only), then asks the
   * server to check the open configs again: the missing-path warning and its lens go once the files are there.
   */
  async download(uri: vscode.Uri, raw: unknown): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage("tuneconf: Download is not available in Restricted Mode.");
      return;
    }
    const plan = downloadPlanOf(raw);
    if (plan === undefined) {
      this.channel.appendLine(`Download: not a download plan: ${JSON.stringify(raw)}`);
      return;
    }
    this.channel.appendLine(`Download: ${plan.argv.join(" ")}  (cwd ${plan.cwd})`);
    let exitCode: number | undefined;
    try {
      exitCode = await runProcess(`tune download ${plan.repo}`, plan.argv, plan.cwd);
    } finally {
      await this.server.executeCommand(SERVER_COMMANDS.recheck, [uri.toString()]);
    }
    const failure = downloadOutcome(plan, exitCode);
    if (failure !== undefined) {
      this.channel.appendLine(failure);
      void vscode.window.showErrorMessage(failure);
    }
  }

  exportSlurm(uri: vscode.Uri): Promise<void> {
    return exportSlurm(this.server, this.planner, uri);
  }

  newConfigFromBuiltin(): Promise<void> {
    return newConfigFromBuiltin(this.server);
  }
}
