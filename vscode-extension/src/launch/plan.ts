// Building and confirming a launch plan: choose overrides (.vscode/tuneconf.json), ask the server
// for the plan, show its problems, confirm its errors and warnings.
import * as path from "node:path";
import * as vscode from "vscode";

import type { ServerConnection } from "../client";
import { type LaunchPlan, SERVER_COMMANDS } from "../commandIds";
import { parseRunSettings, setsFor, type WorkspaceRunSettings } from "../runSettings";

export class LaunchPlanner {
  private readonly chosen = new Map<string, string[]>();

  constructor(
    private readonly server: ServerConnection,
    private readonly channel: vscode.OutputChannel,
  ) {}

  /** The overrides last chosen for a config (used by Effective config too). */
  overridesFor(uri: vscode.Uri): string[] {
    return this.chosen.get(uri.toString()) ?? [];
  }

  /** The server's checked plan for `uri` with the overrides the user picks (or `fixed` ones: Resume's). */
  async plan(uri: vscode.Uri, action: string, fixed?: string[]): Promise<LaunchPlan | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(`tuneconf: ${action} is not available in Restricted Mode.`);
      return undefined;
    }
    const settings = await readRunSettings(uri);
    const overrides = fixed ?? (await this.chooseOverrides(uri, settings));
    if (overrides === undefined) {
      return undefined;
    }
    const plan = (await this.server.executeCommand(SERVER_COMMANDS.launchPlan, [uri.toString(), overrides, settings.launch])) as
      | LaunchPlan
      | undefined;
    if (plan === undefined || plan === null) {
      void vscode.window.showErrorMessage("tuneconf: no launch plan (see the tuneconf output).");
      return undefined;
    }
    if (plan.prepare !== null) {
      this.channel.appendLine(`${action}: prepare: ${plan.prepare.join(" ")}  (the config's \`# tuneconf: prepare=\` comment)`);
    }
    this.channel.appendLine(`${action}: ${plan.argv.join(" ")}  (cwd ${plan.cwd}; GPUs: ${plan.gpus.count} via ${plan.gpus.source})`);
    if (plan.problems.length > 0) {
      void vscode.window.showErrorMessage(`tuneconf: cannot ${action.toLowerCase()}: ${plan.problems.join(" ")}`);
      return undefined;
    }
    return plan;
  }

  async confirm(plan: LaunchPlan): Promise<boolean> {
    if (plan.errors.length > 0) {
      plan.errors.forEach((line) => this.channel.appendLine(`  ${line}`));
      const answer = await vscode.window.showErrorMessage(
        `The config has ${plan.errors.length} error(s): ${plan.errors[0]}`,
        { modal: true },
        "Show Problems",
        "Run Anyway",
      );
      if (answer === "Show Problems") {
        await vscode.commands.executeCommand("workbench.actions.view.problems");
      }
      if (answer !== "Run Anyway") {
        return false;
      }
    }
    if (plan.warnings.length > 0) {
      const answer = await vscode.window.showWarningMessage(plan.warnings.join("\n"), { modal: true }, "Run");
      return answer === "Run";
    }
    return true;
  }

  /** `settings`: .vscode/tuneconf.json when the caller has read it already (read once, warned about once). */
  async chooseOverrides(uri: vscode.Uri, settings?: WorkspaceRunSettings): Promise<string[] | undefined> {
    settings ??= await readRunSettings(uri);
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const relative = folder ? path.posix.normalize(path.relative(folder.uri.fsPath, uri.fsPath).split(path.sep).join("/")) : "";
    const sets = setsFor(settings, relative);
    const names = Object.keys(sets);
    if (names.length === 0) {
      return [];
    }
    const items = [{ label: "(no overrides)", overrides: [] as string[] }].concat(
      names.map((name) => ({ label: name, overrides: sets[name], description: sets[name].join(" ") })),
    );
    const picked = await vscode.window.showQuickPick(items, { placeHolder: "Overrides for this run (.vscode/tuneconf.json)" });
    if (picked !== undefined) {
      this.chosen.set(uri.toString(), picked.overrides);
      // The server shows resolved values (inlay hints) as this run will see them.
      void this.server.executeCommand(SERVER_COMMANDS.activeOverrides, [uri.toString(), picked.overrides]);
    }
    return picked?.overrides;
  }
}

async function readRunSettings(uri: vscode.Uri): Promise<WorkspaceRunSettings> {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  if (folder === undefined) {
    return parseRunSettings(undefined).settings;
  }
  let text: string | undefined;
  try {
    text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, ".vscode", "tuneconf.json")));
  } catch {
    text = undefined;
  }
  const { settings, problem } = parseRunSettings(text);
  if (problem !== undefined) {
    void vscode.window.showWarningMessage(`tuneconf: ${problem}`);
  }
  return settings;
}
