// The read-only "Effective config" document: the server's view of a config with its overrides
// applied and interpolations resolved, refreshed as the config changes (once typing pauses, and not
// while the last render is still being computed: refreshGate.ts).
import * as vscode from "vscode";

import type { ServerConnection } from "./client";
import { SERVER_COMMANDS } from "./commandIds";
import { RefreshGate } from "./refreshGate";

export const SCHEME = "tuneconf-effective";

/** The virtual document's URI for a config: same path, our scheme, the config's URI in the query. */
export function effectiveUri(source: vscode.Uri): vscode.Uri {
  return vscode.Uri.from({
    scheme: SCHEME,
    path: `${source.path} (effective)`,
    query: encodeURIComponent(source.toString()),
  });
}

export class EffectiveConfigProvider implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly open = new Set<string>();
  private readonly gate = new RefreshGate((source) => this.changed.fire(effectiveUri(vscode.Uri.parse(source))));

  constructor(
    private readonly server: ServerConnection,
    private readonly overrides: (source: vscode.Uri) => string[],
  ) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const source = vscode.Uri.parse(decodeURIComponent(uri.query));
    this.open.add(source.toString());
    const text = await this.gate.rendered(source.toString(), () =>
      this.server.executeCommand(SERVER_COMMANDS.effectiveConfig, [source.toString(), this.overrides(source), true]),
    );
    return typeof text === "string" ? text : "# the tuneconf server is not running (see the tuneconf output)\n";
  }

  /** Re-render the effective config of `source`, if it is shown, once its edits pause. */
  refresh(source: vscode.Uri): void {
    if (this.open.has(source.toString())) {
      this.gate.changed(source.toString());
    }
  }

  dispose(): void {
    this.gate.dispose();
    this.changed.dispose();
  }
}

export async function showEffectiveConfig(source: vscode.Uri): Promise<void> {
  const document = await vscode.workspace.openTextDocument(effectiveUri(source));
  await vscode.languages.setTextDocumentLanguage(document, "yaml");
  await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.Beside });
}
