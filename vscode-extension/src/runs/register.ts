// The Run view's wiring: the Open Run View, Compare Runs and Refresh Runs commands, the lens shown while a
// config's run goes, and the tuneconf Runs tree in the Explorer.
import * as vscode from "vscode";

import type { ServerConnection } from "../client";
import { CLIENT_COMMANDS } from "../commandIds";
import type { Memory } from "../launch/consent";
import { compareRuns, type RunRef } from "./compare";
import { type RunsNode, RunsTree } from "./tree";
import type { RunViews } from "./views";

export const RUNS_TREE = "tuneconf.runs";

export function registerRunViews(
  server: ServerConnection,
  memory: Memory,
  extensionUri: vscode.Uri,
  views: RunViews,
  overridesFor: (config: vscode.Uri) => string[],
): vscode.Disposable[] {
  const tree = new RunsTree(server, memory, overridesFor);
  const treeView = vscode.window.createTreeView(RUNS_TREE, { treeDataProvider: tree, canSelectMany: true });
  const selected = (clicked: unknown): RunRef[] => {
    const nodes: RunsNode[] = treeView.selection.length > 1 ? [...treeView.selection] : clicked !== undefined ? [clicked as RunsNode] : [...treeView.selection];
    return nodes.flatMap((node) => (node.kind === "run" ? [{ config: node.config, file: node.row.file }] : []));
  };
  return [
    views,
    treeView,
    vscode.languages.registerCodeLensProvider({ language: "yaml" }, views),
    views.onDidChangeCodeLenses(() => tree.refresh()),
    vscode.workspace.onDidOpenTextDocument(() => tree.refresh()),
    vscode.workspace.onDidCloseTextDocument(() => tree.refresh()),
    vscode.commands.registerCommand(CLIENT_COMMANDS.openRunView, (uri?: string | vscode.Uri) => {
      const config = typeof uri === "string" ? vscode.Uri.parse(uri) : (uri ?? vscode.window.activeTextEditor?.document.uri);
      if (config !== undefined) {
        views.open(config);
      }
    }),
    vscode.commands.registerCommand(CLIENT_COMMANDS.refreshRuns, () => tree.refresh()),
    vscode.commands.registerCommand(CLIENT_COMMANDS.compareRuns, (clicked?: unknown) => compareRuns(server, memory, extensionUri, selected(clicked))),
  ];
}
