// The compare view: several runs of a config overlaid in one page (each scalar one chart, a colour per
// run, a legend naming the overrides each run was launched with). Read once, not followed.
import * as path from "node:path";
import * as vscode from "vscode";

import type { ServerConnection } from "../client";
import { SERVER_COMMANDS } from "../commandIds";
import type { Memory } from "../launch/consent";
import { runViewHtml } from "./html";
import { overridesOf, runLabel } from "./launches";
import type { FromWebview, SeriesReply } from "./model";
import { VIEW_TYPE } from "./panel";

export interface RunRef {
  config: vscode.Uri;
  file: string;
  /** The overrides the run was launched with (they may move its log folder). */
  overrides: string[];
}

/** What a test (the code-server e2e, through the extension's exports) can read of a compare view. */
export interface CompareSnapshot {
  title: string;
  /** Every run's series has been asked for and handed to the page. */
  loaded: boolean;
  /** The runs in the legend's order: their log, label, and points per scalar as the page last drew them. */
  runs: { file: string; label: string; drawn: Record<string, number> }[];
}

/** An open compare view. */
export interface CompareView {
  readonly panel: vscode.WebviewPanel;
  snapshot(): CompareSnapshot;
}

export function compareRuns(server: ServerConnection, memory: Memory, extensionUri: vscode.Uri, runs: RunRef[]): CompareView | undefined {
  if (runs.length === 0) {
    void vscode.window.showInformationMessage("tuneconf: select one or more runs in the tuneconf Runs view to compare them.");
    return undefined;
  }
  const dist = vscode.Uri.joinPath(extensionUri, "dist");
  const title = runs.length === 1 ? `Run: ${path.basename(runs[0].file)}` : `Compare ${runs.length} runs`;
  const panel = vscode.window.createWebviewPanel(VIEW_TYPE, title, vscode.ViewColumn.Beside, {
    enableScripts: true,
    retainContextWhenHidden: true,
    localResourceRoots: [dist],
  });
  const webview = panel.webview;
  webview.html = runViewHtml({
    cspSource: webview.cspSource,
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, "webview.js")).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, "webview.css")).toString(),
    title,
  });
  const labelled = runs.map((run, i) => ({ id: String(i), label: runLabel(run.file, overridesOf(memory, run.file)) }));
  const drawn = new Map<string, Record<string, number>>();
  let loaded = false;
  webview.onDidReceiveMessage(async (message: FromWebview) => {
    if (message.type === "drawn") {
      drawn.set(message.runId, message.points);
      return;
    }
    if (message.type !== "ready") {
      return;
    }
    loaded = false;
    drawn.clear();
    await webview.postMessage({ type: "init", title, live: false, runs: labelled });
    for (const [i, run] of runs.entries()) {
      const reply = (await server.executeCommand(SERVER_COMMANDS.runSeries, [run.config.toString(), run.overrides, run.file, null, null])) as
        | SeriesReply
        | null
        | undefined;
      if (reply !== null && reply !== undefined) {
        await webview.postMessage({ type: "series", runId: String(i), reply });
      }
    }
    await webview.postMessage({ type: "status", state: "unknown" });
    loaded = true;
  });
  return {
    panel,
    snapshot: () => ({
      title,
      loaded,
      runs: runs.map((run, i) => ({ file: run.file, label: labelled[i].label, drawn: { ...(drawn.get(String(i)) ?? {}) } })),
    }),
  };
}
