// Entry point: wire the output channel, the server, the commands and the settings watcher.
import * as path from "node:path";
import * as vscode from "vscode";

import { SECTION, ServerConnection } from "./client";
import { CLIENT_COMMANDS } from "./commandIds";
import { registerCommands } from "./commands";
import { registerConfigReferences } from "./configReferences";
import { registerOverrideCompletion } from "./overrideCompletion";
import { EffectiveConfigProvider, SCHEME } from "./effective";
import { Runs } from "./launch/runs";
import type { RunViewSnapshot } from "./runs/panel";
import { registerRunViews } from "./runs/register";
import { RunViews } from "./runs/views";

let active: ServerConnection | undefined;

/** What the extension exports (`extension.exports`): read by the code-server e2e, which cannot see into a webview. */
export interface TuneconfApi {
  runView(config: string): RunViewSnapshot | undefined;
  /** Runs the config with these overrides through the checked plan (its dialogs as a person sees them); resolves when the task ends. */
  run(config: string, overrides: string[]): Promise<void>;
  /** What the Run view's Stop does (its run's task terminated), while the config's view says running; false otherwise. */
  stop(config: string): boolean;
  /** Compare Runs on log files of the config's runs (its plain argument form): the view's snapshot, or undefined when none opened. */
  compare(config: string, files: string[]): Promise<(() => import("./runs/compare").CompareSnapshot) | undefined>;
}

export async function activate(context: vscode.ExtensionContext): Promise<TuneconfApi> {
  const channel = vscode.window.createOutputChannel("tuneconf", { log: true });
  const connection = new ServerConnection(context, channel);
  active = connection;
  let runs: Runs | undefined = undefined;
  const views = new RunViews(connection, context.workspaceState, context.extensionUri, (uri) => runs?.overridesFor(uri) ?? []);
  // A recipe runs behind bundled/tool/tee.py, which keeps its last lines in the storage folder for the Run view.
  const tee = {
    tool: path.join(context.extensionPath, "bundled", "tool", "tee.py"),
    storage: (context.storageUri ?? context.globalStorageUri).fsPath,
  };
  runs = new Runs(connection, channel, context.workspaceState, views, tee);
  const effective = new EffectiveConfigProvider(connection, (uri) => runs.overridesFor(uri));
  context.subscriptions.push(
    channel,
    effective,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, effective),
    vscode.workspace.onDidChangeTextDocument((event) => effective.refresh(event.document.uri)),
    ...registerCommands(connection, channel, runs),
    ...registerRunViews(
      connection,
      context.workspaceState,
      context.extensionUri,
      views,
      (uri) => runs.overridesFor(uri),
      (uri, overrides, action) => runs.run(uri, { overrides, action }),
    ),
    // Trust granted: the interpreter may now come from the Python extension too, and the server is told
    // the Run/Debug lens commands (clientCommands), which Restricted Mode leaves out.
    vscode.workspace.onDidGrantWorkspaceTrust(() => void connection.restart()),
    // The other settings reach the running server through workspace/didChangeConfiguration.
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(`${SECTION}.interpreter`)) {
        void connection.restart();
      }
    }),
  );
  registerConfigReferences(context);
  registerOverrideCompletion(context, connection);
  await connection.start();
  return {
    runView: (config) => views.snapshot(config),
    run: (config, overrides) => runs.run(vscode.Uri.parse(config), { overrides, action: "Run" }),
    stop: (config) => views.stop(config),
    compare: async (config, files) => {
      const view = await vscode.commands.executeCommand<import("./runs/compare").CompareView | undefined>(CLIENT_COMMANDS.compareRuns, { config, files });
      return view === undefined ? undefined : () => view.snapshot();
    },
  };
}

export async function deactivate(): Promise<void> {
  await active?.stop();
  active = undefined;
}
