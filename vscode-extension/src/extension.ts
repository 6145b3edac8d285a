// Entry point: wire the output channel, the server, the commands and the settings watcher.
import * as vscode from "vscode";

import { SECTION, ServerConnection } from "./client";
import { registerCommands } from "./commands";
import { EffectiveConfigProvider, SCHEME } from "./effective";
import { Runs } from "./launch/runs";

let active: ServerConnection | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const channel = vscode.window.createOutputChannel("tuneconf", { log: true });
  const connection = new ServerConnection(context, channel);
  active = connection;
  const runs = new Runs(connection, channel, context.workspaceState);
  const effective = new EffectiveConfigProvider(connection, (uri) => runs.overridesFor(uri));
  context.subscriptions.push(
    channel,
    effective,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, effective),
    vscode.workspace.onDidChangeTextDocument((event) => effective.refresh(event.document.uri)),
    ...registerCommands(connection, channel, runs),
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
  await connection.start();
}

export async function deactivate(): Promise<void> {
  await active?.stop();
  active = undefined;
}
