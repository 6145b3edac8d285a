// The Run view's wiring: the Open Run View, Compare Runs, Refresh Runs and Resume Run commands, the lens shown while a
// config's run goes, and the tuneconf Runs tree in the Explorer.
import * as vscode from "vscode";

import type { ServerConnection } from "../client";
import { CLIENT_COMMANDS } from "../commandIds";
import type { Memory } from "../launch/consent";
import { compareRuns, type RunRef } from "./compare";
import { overridesOf } from "./launches";
import { type Launch, resumeRun } from "./resume";
import { type RunsNode, RunsTree } from "./tree";
import type { RunViews } from "./views";

export const RUNS_TREE = "tuneconf.runs";

export function registerRunViews(
  server: ServerConnection,
  memory: Memory,
  extensionUri: vscode.Uri,
  views: RunViews,
  overridesFor: (config: vscode.Uri) => string[],
  launch: Launch,
): vscode.Disposable[] {
  const tree = new RunsTree(server, memory, overridesFor);
  const treeView = vscode.window.createTreeView(RUNS_TREE, { treeDataProvider: tree, canSelectMany: true });
  const selected = (clicked: unknown): RunRef[] => {
    const plain = plainRuns(clicked);
    if (plain !== undefined) {
      return plain.files.map((file) => ({ config: plain.config, file, overrides: overridesOf(memory, file) ?? overridesFor(plain.config) }));
    }
    const nodes: RunsNode[] = treeView.selection.length > 1 ? [...treeView.selection] : clicked !== undefined ? [clicked as RunsNode] : [...treeView.selection];
    return nodes.flatMap((node) =>
      node.kind === "run"
        ? [{ config: node.config, file: node.row.file, overrides: overridesOf(memory, node.row.file) ?? overridesFor(node.config) }]
        : [],
    );
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
    // The view it opened is returned (the e2e reads its snapshot through the extension's exports).
    vscode.commands.registerCommand(CLIENT_COMMANDS.compareRuns, (clicked?: unknown) => compareRuns(server, memory, extensionUri, selected(clicked))),
    vscode.commands.registerCommand(CLIENT_COMMANDS.resumeRun, async (clicked?: unknown) => {
      const target = resumeTarget(clicked, views, memory, overridesFor);
      if (target !== undefined) {
        await resumeRun({ server, launch }, target.config, target.overrides);
      }
    }),
  ];
}

/**
 * Which run Resume continues, with the overrides that say where it wrote: a run in the Runs tree (the
 * overrides it was launched with), a config there or a config's uri (its last chosen), else the Run view in
 * front (the run it shows), else the active editor's config.
 */
function resumeTarget(
  clicked: unknown,
  views: RunViews,
  memory: Memory,
  overridesFor: (config: vscode.Uri) => string[],
): { config: vscode.Uri; overrides: string[] } | undefined {
  const node = typeof clicked === "object" && clicked !== null && "kind" in clicked ? (clicked as RunsNode) : undefined;
  if (node?.kind === "run") {
    return { config: node.config, overrides: overridesOf(memory, node.row.file) ?? overridesFor(node.config) };
  }
  const config =
    node?.kind === "config" ? node.config : typeof clicked === "string" ? vscode.Uri.parse(clicked) : clicked instanceof vscode.Uri ? clicked : undefined;
  if (config !== undefined) {
    return { config, overrides: overridesFor(config) };
  }
  const front = views.active()?.target();
  const editor = vscode.window.activeTextEditor?.document.uri;
  return front ?? (editor !== undefined ? { config: editor, overrides: overridesFor(editor) } : undefined);
}

/**
 * Compare Runs' plain argument form, `{ config, files }` (a config's uri or uri string and the log files of
 * its runs), for callers that hold no tree node; undefined for anything else (a node, nothing).
 */
export function plainRuns(clicked: unknown): { config: vscode.Uri; files: string[] } | undefined {
  if (typeof clicked !== "object" || clicked === null || !("config" in clicked) || !("files" in clicked)) {
    return undefined;
  }
  const { config, files } = clicked;
  const uri = typeof config === "string" ? vscode.Uri.parse(config) : config instanceof vscode.Uri ? config : undefined;
  if (uri === undefined || !Array.isArray(files) || !files.every((file): file is string => typeof file === "string")) {
    return undefined;
  }
  return { config: uri, files };
}
