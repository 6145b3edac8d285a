// The Run view: a webview panel beside the config that follows one run. It asks the server for the points
// logged after the ones it has (tuneconf.server.runSeries with `since`) about once a second while the run
// goes and the panel is visible, and hands each answer to the page, which appends it (webview/main.ts).
import * as path from "node:path";
import * as vscode from "vscode";

import type { ServerConnection } from "../client";
import { SERVER_COMMANDS } from "../commandIds";
import type { Memory } from "../launch/consent";
import { runViewHtml } from "./html";
import { rememberOverrides } from "./launches";
import { type FromWebview, type RunState, type SeriesReply, type Since, sinceOf, stateOf, type ToWebview } from "./model";

const LIVE_MS = 1000;
const IDLE_MS = 5000;
export const VIEW_TYPE = "tuneconf.runView";

/** A run started by the extension: its overrides, start time and task (Stop ends it). */
export interface Launch {
  overrides: string[];
  startedMs: number;
  taskName: string;
}

/** What a test (the code-server e2e, through the extension's exports) can read of a view. */
export interface RunViewSnapshot {
  state: string;
  file: string | undefined;
  lastStep: number | null;
  /** The exit code of the run's task, once it ended (-1: VS Code could not tell, as after Stop). */
  exitCode: number | undefined;
  /** Points per scalar as the page last drew them. */
  drawn: Record<string, number>;
}

export class RunView implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  private since: Since | undefined;
  private file: string | undefined;
  private launch: Launch | undefined;
  private exitCode: number | undefined;
  /** The last lines a failed run printed (the run wrapper's tail file). */
  private tail: string[] | undefined;
  private endedMs: number | undefined;
  private serverState: string | undefined;
  private startedMs: number | undefined;
  private lastStep: number | null = null;
  private drawn: Record<string, number> = {};
  private timer: ReturnType<typeof setTimeout> | undefined;
  private polling = false;
  /** Stop was pressed for the run followed: its end reads "stopped", not "failed". */
  private stopped = false;
  /** Bumped by restart(): a reply fetched for an earlier run is dropped (a re-run while a fetch is in flight). */
  private session = 0;
  /** A poll asked for while one was in flight: run it when that one ends. */
  private again = false;
  private disposed = false;

  constructor(
    private readonly config: vscode.Uri,
    private overrides: string[],
    private readonly server: ServerConnection,
    private readonly memory: Memory,
    extensionUri: vscode.Uri,
    onDispose: () => void,
  ) {
    const dist = vscode.Uri.joinPath(extensionUri, "dist");
    this.panel = vscode.window.createWebviewPanel(
      VIEW_TYPE,
      `Run: ${path.basename(config.fsPath)}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [dist] },
    );
    const webview = this.panel.webview;
    webview.html = runViewHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, "webview.js")).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, "webview.css")).toString(),
      title: `Run: ${path.basename(config.fsPath)}`,
    });
    webview.onDidReceiveMessage((message: FromWebview) => void this.receive(message));
    this.panel.onDidDispose(() => {
      this.disposed = true;
      clearTimeout(this.timer);
      onDispose();
    });
  }

  /** Follow a run the extension just started: a fresh log, the task's state. */
  follow(launch: Launch): void {
    this.launch = launch;
    this.stopped = false;
    this.overrides = launch.overrides;
    this.exitCode = this.endedMs = this.file = this.since = this.serverState = this.tail = undefined;
    this.startedMs = launch.startedMs;
    this.restart();
  }

  /** The run's task ended with `exitCode` (undefined: VS Code could not tell); `tail`: its last lines. */
  ended(exitCode: number | undefined, tail?: string[]): void {
    this.exitCode = exitCode ?? -1;
    this.tail = tail;
    this.endedMs = Date.now();
    this.schedule(0);
  }

  reveal(): void {
    this.panel.reveal(vscode.ViewColumn.Beside, true);
  }

  /** The config this view follows and the overrides of the run it shows (Resume starts from them). */
  target(): { config: vscode.Uri; overrides: string[] } {
    return { config: this.config, overrides: this.overrides };
  }

  snapshot(): RunViewSnapshot {
    return { state: this.state(), file: this.file, lastStep: this.lastStep, exitCode: this.exitCode, drawn: { ...this.drawn } };
  }

  dispose(): void {
    this.panel.dispose();
  }

  /** What the Stop button does: end the task of the run this view follows, while it goes. */
  stop(): boolean {
    const task = this.launch !== undefined && this.exitCode === undefined ? taskOf(this.launch.taskName) : undefined;
    if (task === undefined) {
      return false;
    }
    this.stopped = true;
    task.terminate();
    return true;
  }

  private state(): RunState {
    if (this.stopped && this.exitCode !== undefined && this.exitCode !== 0) {
      return "stopped";
    }
    return stateOf(this.exitCode, this.launch !== undefined && this.exitCode === undefined, this.serverState);
  }

  private post(message: ToWebview): void {
    void this.panel.webview.postMessage(message);
  }

  private restart(): void {
    this.session += 1;
    const title = path.basename(this.config.fsPath);
    this.post({ type: "init", title, live: true, runs: [{ id: "run", label: title }] });
    this.since = undefined;
    this.drawn = {};
    this.schedule(0);
  }

  private async receive(message: FromWebview): Promise<void> {
    if (message.type === "ready") {
      this.restart();
    } else if (message.type === "drawn") {
      this.drawn = message.points;
    } else if (message.type === "stop") {
      this.stop();
    } else if (message.type === "openLog" && this.file !== undefined) {
      await vscode.window.showTextDocument(vscode.Uri.file(this.file), { preview: true, viewColumn: vscode.ViewColumn.Active });
    }
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    if (!this.disposed) {
      this.timer = setTimeout(() => void this.poll(), ms);
    }
  }

  private async poll(): Promise<void> {
    if (this.disposed) {
      return;
    }
    if (this.polling) {
      this.again = true;
      return;
    }
    this.polling = true;
    try {
      if (this.panel.visible || this.exitCode !== undefined) {
        await this.fetch();
      }
    } finally {
      this.polling = false;
    }
    const live = this.state() === "running" || this.file === undefined;
    this.schedule(this.again ? 0 : live ? LIVE_MS : IDLE_MS);
    this.again = false;
  }

  private async fetch(): Promise<void> {
    const after = this.launch !== undefined ? this.launch.startedMs / 1000 : null;
    const args = [this.config.toString(), this.overrides, this.file ?? null, this.since ?? null, after];
    const session = this.session;
    const reply = (await this.server.executeCommand(SERVER_COMMANDS.runSeries, args)) as SeriesReply | null | undefined;
    if (reply === null || reply === undefined || this.disposed || session !== this.session) {
      return;
    }
    if (reply.file !== undefined && this.file === undefined) {
      this.file = reply.file;
      if (this.launch !== undefined) {
        await rememberOverrides(this.memory, reply.file, this.launch.overrides);
      }
    }
    this.since = sinceOf(reply) ?? this.since;
    this.serverState = reply.state ?? this.serverState;
    this.lastStep = reply.lastStep ?? this.lastStep;
    this.startedMs ??= reply.started !== undefined ? reply.started * 1000 : undefined;
    this.post({ type: "series", runId: "run", reply });
    const state = this.state();
    const endedMs = this.endedMs ?? (state !== "running" && reply.modified !== undefined ? reply.modified * 1000 : undefined);
    this.post({ type: "status", state, exitCode: this.exitCode, startedMs: this.startedMs, endedMs, tail: this.tail });
  }
}

/** The running task of that name that tuneconf started. */
function taskOf(name: string): vscode.TaskExecution | undefined {
  return vscode.tasks.taskExecutions.find((execution) => execution.task.definition.type === "tuneconf" && execution.task.name === name);
}
