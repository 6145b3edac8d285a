// The extension's commands; each forwards to the server or the output channel.
import * as vscode from "vscode";

import type { TuneconfServer } from "./client";

export function registerCommands(server: TuneconfServer, channel: vscode.OutputChannel): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand("tuneconf.restartServer", () => server.restart()),
    vscode.commands.registerCommand("tuneconf.showOutput", () => channel.show()),
  ];
}
