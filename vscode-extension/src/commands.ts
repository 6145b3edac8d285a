// The extension's commands; each forwards to the server, the output channel or a view.
import * as vscode from "vscode";

import type { TuneconfServer } from "./client";
import { showEffectiveConfig } from "./effective";

export function registerCommands(server: TuneconfServer, channel: vscode.OutputChannel): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand("tuneconf.restartServer", () => server.restart()),
    vscode.commands.registerCommand("tuneconf.showOutput", () => channel.show()),
    vscode.commands.registerCommand("tuneconf.showEffectiveConfig", (uri?: string | vscode.Uri) => {
      const source = typeof uri === "string" ? vscode.Uri.parse(uri) : (uri ?? vscode.window.activeTextEditor?.document.uri);
      return source === undefined ? undefined : showEffectiveConfig(source);
    }),
  ];
}
