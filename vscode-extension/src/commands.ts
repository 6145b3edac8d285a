// The extension's commands; each forwards to the server, the output channel or a view.
import * as vscode from "vscode";

import type { TuneconfServer } from "./client";
import { showEffectiveConfig } from "./effective";
import type { Runs } from "./runs";

type UriArgument = string | vscode.Uri | undefined;

function target(uri: UriArgument): vscode.Uri | undefined {
  return typeof uri === "string" ? vscode.Uri.parse(uri) : (uri ?? vscode.window.activeTextEditor?.document.uri);
}

function forTarget(action: (uri: vscode.Uri) => Promise<void>): (uri: UriArgument) => Promise<void> | undefined {
  return (uri) => {
    const resolved = target(uri);
    return resolved === undefined ? undefined : action(resolved);
  };
}

export function registerCommands(server: TuneconfServer, channel: vscode.OutputChannel, runs: Runs): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand("tuneconf.restartServer", () => server.restart()),
    vscode.commands.registerCommand("tuneconf.showOutput", () => channel.show()),
    vscode.commands.registerCommand("tuneconf.showEffectiveConfig", forTarget(showEffectiveConfig)),
    vscode.commands.registerCommand("tuneconf.runRecipe", forTarget((uri) => runs.run(uri))),
    vscode.commands.registerCommand("tuneconf.debugRecipe", forTarget((uri) => runs.debug(uri))),
    vscode.commands.registerCommand("tuneconf.checkConfig", forTarget((uri) => runs.check(uri))),
    vscode.commands.registerCommand("tuneconf.exportSlurm", forTarget((uri) => runs.exportSlurm(uri))),
    vscode.commands.registerCommand("tuneconf.newConfigFromBuiltin", () => runs.newConfigFromBuiltin()),
  ];
}
