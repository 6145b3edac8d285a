// The tuneconf Runs view (Explorer): each open config, and under it the runs found in its log folder
// (tuneconf.server.runs) with their date, steps, last and lowest loss and state. Several selected runs
// are compared in one view (compare.ts).
import * as path from "node:path";
import * as vscode from "vscode";

import type { ServerConnection } from "../client";
import { CLIENT_COMMANDS, SERVER_COMMANDS } from "../commandIds";
import type { Memory } from "../launch/consent";
import { overridesOf } from "./launches";
import { duration } from "./model";

interface RunRow {
  file: string;
  started: number;
  modified: number;
  state: string;
  steps: number | null;
  lastLoss: number | null;
  lowestLoss: number | null;
  problem: string;
}

interface RunsReply {
  logger: { problem: string; logDir: string | null };
  runs: RunRow[];
  note?: string;
}

export type RunsNode = { kind: "config"; config: vscode.Uri } | { kind: "run"; config: vscode.Uri; row: RunRow } | { kind: "note"; text: string };

const number = (value: number | null): string => (value === null ? "-" : String(+value.toPrecision(4)));

export function runDescription(row: RunRow): string {
  const steps = row.steps === null ? "" : `${row.steps} steps · `;
  return `${steps}last ${number(row.lastLoss)} · lowest ${number(row.lowestLoss)} · ${row.problem ? `unreadable: ${row.problem}` : row.state}`;
}

export class RunsTree implements vscode.TreeDataProvider<RunsNode> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly server: ServerConnection,
    private readonly memory: Memory,
    private readonly overridesFor: (config: vscode.Uri) => string[],
  ) {}

  refresh(): void {
    this.changed.fire();
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    if (node.kind === "config") {
      const item = new vscode.TreeItem(path.basename(node.config.fsPath), vscode.TreeItemCollapsibleState.Collapsed);
      item.resourceUri = node.config;
      item.contextValue = "tuneconfConfig";
      return item;
    }
    if (node.kind === "note") {
      return new vscode.TreeItem(node.text);
    }
    const { row } = node;
    const item = new vscode.TreeItem(new Date(row.started * 1000).toLocaleString());
    item.description = runDescription(row);
    const overrides = overridesOf(this.memory, row.file);
    const age = duration(Math.max(0, row.modified - row.started) * 1000);
    item.tooltip = `${row.file}\nlogged for ${age}\noverrides: ${overrides === undefined ? "not launched by tuneconf" : overrides.join(" ") || "none"}`;
    item.contextValue = "tuneconfRun";
    item.command = { title: "Show run", command: CLIENT_COMMANDS.compareRuns, arguments: [node] };
    return item;
  }

  async getChildren(node?: RunsNode): Promise<RunsNode[]> {
    if (node === undefined) {
      const configs = vscode.workspace.textDocuments.filter((d) => d.languageId === "yaml" && d.uri.scheme === "file");
      return configs.map((d) => ({ kind: "config", config: d.uri }));
    }
    if (node.kind !== "config") {
      return [];
    }
    const reply = (await this.server.executeCommand(SERVER_COMMANDS.runs, [node.config.toString(), this.overridesFor(node.config)])) as
      | RunsReply
      | null
      | undefined;
    if (reply === null || reply === undefined) {
      return [{ kind: "note", text: "the tuneconf server did not answer" }];
    }
    const notes: RunsNode[] = [reply.logger.problem, reply.note].filter((t): t is string => !!t).map((text) => ({ kind: "note", text }));
    const runs: RunsNode[] = reply.runs.map((row) => ({ kind: "run", config: node.config, row }));
    return runs.length > 0 || notes.length > 0 ? [...notes, ...runs] : [{ kind: "note", text: `no runs yet in ${reply.logger.logDir ?? "?"}` }];
  }
}
