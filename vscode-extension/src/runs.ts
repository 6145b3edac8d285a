// Run recipe, Debug recipe, Check, New config from built-in, Export SLURM script.
// The server builds every plan (an argv, never a shell string); VS Code runs it as a process task.
import * as path from "node:path";
import * as vscode from "vscode";

import type { TuneconfServer } from "./client";
import { parseRunSettings, setsFor, type WorkspaceRunSettings } from "./overrides";

interface Plan {
  argv: string[];
  cwd: string;
  recipe: string | null;
  gpus: { count: number; source: string };
  problems: string[];
  errors: string[];
  warnings: string[];
  prepare: string[] | null;
  debug: vscode.DebugConfiguration;
}

export class Runs {
  private readonly chosen = new Map<string, string[]>();

  constructor(
    private readonly server: TuneconfServer,
    private readonly channel: vscode.OutputChannel,
  ) {}

  /** The overrides last chosen for a config (used by Effective config too). */
  overridesFor(uri: vscode.Uri): string[] {
    return this.chosen.get(uri.toString()) ?? [];
  }

  async run(uri: vscode.Uri): Promise<void> {
    const plan = await this.plan(uri, "Run");
    if (plan === undefined || !(await this.confirm(plan))) {
      return;
    }
    if (plan.prepare !== null && (await runProcess("tuneconf: prepare", plan.prepare, plan.cwd)) !== 0) {
      void vscode.window.showErrorMessage("tuneconf: the config's prepare step failed (see the terminal).");
      return;
    }
    await runProcess(`tune run ${plan.recipe ?? ""}`, plan.argv, plan.cwd);
  }

  async debug(uri: vscode.Uri): Promise<void> {
    const plan = await this.plan(uri, "Debug");
    if (plan === undefined || !(await this.confirm(plan))) {
      return;
    }
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const started = await vscode.debug.startDebugging(folder, plan.debug);
    if (!started) {
      void vscode.window.showErrorMessage("tuneconf: could not start debugging; is the Python Debugger (debugpy) extension installed?");
    }
  }

  async check(uri: vscode.Uri): Promise<void> {
    const overrides = await this.chooseOverrides(uri);
    if (overrides === undefined) {
      return;
    }
    const result = (await this.server.executeCommand("tuneconf.server.check", [uri.toString(), overrides])) as
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

  async exportSlurm(uri: vscode.Uri): Promise<void> {
    const nodes = await askNumber("Nodes", "2");
    const gpus = nodes === undefined ? undefined : await askNumber("GPUs per node", "8");
    const overrides = gpus === undefined ? undefined : await this.chooseOverrides(uri);
    if (nodes === undefined || gpus === undefined || overrides === undefined) {
      return;
    }
    const script = await this.server.executeCommand("tuneconf.server.slurmScript", [uri.toString(), overrides, nodes, gpus]);
    if (typeof script === "string") {
      const document = await vscode.workspace.openTextDocument({ language: "shellscript", content: script });
      await vscode.window.showTextDocument(document);
    }
  }

  async newConfigFromBuiltin(): Promise<void> {
    const configs = (await this.server.executeCommand("tuneconf.server.builtinConfigs", [])) as
      | { name: string; recipe: string; path: string }[]
      | undefined;
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (configs === undefined || configs.length === 0 || folder === undefined) {
      void vscode.window.showWarningMessage("tuneconf: no built-in configs found (is torchtune installed?), or no folder is open.");
      return;
    }
    const picked = await vscode.window.showQuickPick(
      configs.map((c) => ({ label: c.name, description: c.recipe, config: c })),
      { placeHolder: "Copy a built-in torchtune config into the workspace (like tune cp)" },
    );
    if (picked === undefined) {
      return;
    }
    const target = await freeName(vscode.Uri.joinPath(folder.uri, `${picked.config.name.replace(/\//g, "_")}.yaml`));
    await vscode.workspace.fs.copy(vscode.Uri.file(picked.config.path), target, { overwrite: false });
    await vscode.window.showTextDocument(target);
  }

  private async plan(uri: vscode.Uri, action: string): Promise<Plan | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(`tuneconf: ${action} is not available in Restricted Mode.`);
      return undefined;
    }
    const settings = await readRunSettings(uri);
    const overrides = await this.chooseOverrides(uri, settings);
    if (overrides === undefined) {
      return undefined;
    }
    const plan = (await this.server.executeCommand("tuneconf.server.launchPlan", [uri.toString(), overrides, settings.launch])) as
      | Plan
      | undefined;
    if (plan === undefined || plan === null) {
      void vscode.window.showErrorMessage("tuneconf: no launch plan (see the tuneconf output).");
      return undefined;
    }
    this.channel.appendLine(`${action}: ${plan.argv.join(" ")}  (cwd ${plan.cwd}; GPUs: ${plan.gpus.count} via ${plan.gpus.source})`);
    if (plan.problems.length > 0) {
      void vscode.window.showErrorMessage(`tuneconf: cannot ${action.toLowerCase()}: ${plan.problems.join(" ")}`);
      return undefined;
    }
    return plan;
  }

  private async confirm(plan: Plan): Promise<boolean> {
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
  private async chooseOverrides(uri: vscode.Uri, settings?: WorkspaceRunSettings): Promise<string[] | undefined> {
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

/** Runs an argv as a VS Code task (a process, no shell) and resolves with its exit code. */
async function runProcess(name: string, argv: string[], cwd: string): Promise<number | undefined> {
  const execution = new vscode.ProcessExecution(argv[0], argv.slice(1), { cwd });
  const task = new vscode.Task({ type: "tuneconf", name }, vscode.TaskScope.Workspace, name, "tuneconf", execution);
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true };
  // Subscribed before executeTask: a process that ends at once (the prepare step) is not missed.
  let started: vscode.TaskExecution | undefined;
  let listener: vscode.Disposable | undefined;
  const ended = new Promise<number | undefined>((resolve) => {
    listener = vscode.tasks.onDidEndTaskProcess((event) => {
      if (event.execution === started || event.execution.task === task) {
        listener?.dispose();
        resolve(event.exitCode);
      }
    });
  });
  try {
    started = await vscode.tasks.executeTask(task);
  } catch (error) {
    listener?.dispose();
    throw error;
  }
  return ended;
}

async function askNumber(prompt: string, value: string): Promise<number | undefined> {
  const answer = await vscode.window.showInputBox({
    prompt,
    value,
    validateInput: (text) => (/^[1-9]\d*$/.test(text) ? undefined : "a positive whole number"),
  });
  return answer === undefined ? undefined : Number(answer);
}

async function freeName(target: vscode.Uri): Promise<vscode.Uri> {
  for (let index = 0; index < 100; index += 1) {
    const candidate = index === 0 ? target : target.with({ path: target.path.replace(/\.yaml$/, `-${index}.yaml`) });
    try {
      await vscode.workspace.fs.stat(candidate);
    } catch {
      return candidate;
    }
  }
  return target.with({ path: target.path.replace(/\.yaml$/, `-${Date.now()}.yaml`) });
}
