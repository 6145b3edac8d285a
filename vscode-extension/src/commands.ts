// The extension's commands; each forwards to the server, the output channel or a view.
import * as vscode from "vscode";

import type { ServerConnection } from "./client";
import { CLIENT_COMMANDS } from "./commandIds";
import { compareWithBuiltin } from "./compare";
import { showEffectiveConfig } from "./effective";
import type { Runs } from "./launch/runs";

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

export function registerCommands(server: ServerConnection, channel: vscode.OutputChannel, runs: Runs): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(CLIENT_COMMANDS.restartServer, () => server.restart()),
    vscode.commands.registerCommand(CLIENT_COMMANDS.showOutput, () => channel.show()),
    vscode.commands.registerCommand(CLIENT_COMMANDS.showEffectiveConfig, forTarget(showEffectiveConfig)),
    vscode.commands.registerCommand(CLIENT_COMMANDS.runRecipe, forTarget((uri) => runs.run(uri))),
    vscode.commands.registerCommand(CLIENT_COMMANDS.debugRecipe, forTarget((uri) => runs.debug(uri))),
    vscode.commands.registerCommand(CLIENT_COMMANDS.checkConfig, forTarget((uri) => runs.check(uri))),
    vscode.commands.registerCommand(CLIENT_COMMANDS.exportSlurm, forTarget((uri) => runs.exportSlurm(uri))),
    vscode.commands.registerCommand(CLIENT_COMMANDS.newConfigFromBuiltin, () => runs.newConfigFromBuiltin()),
    vscode.commands.registerCommand(CLIENT_COMMANDS.compareWithBuiltin, (uri: UriArgument, builtin: unknown) =>
      forTarget((resolved) => compareWithBuiltin(server, resolved, builtin))(uri),
    ),
    vscode.commands.registerCommand(CLIENT_COMMANDS.downloadModel, (uri: UriArgument, plan: unknown) =>
      forTarget((resolved) => runs.download(resolved, plan))(uri),
    ),
  ];
}
