// Compare with built-in: VS Code's diff editor, the built-in config as installed (left, read-only) against
// the document (right). The server picks the built-in (the lens names it; from the palette: the header's,
// else the closest with the same model and recipe) and says where it lives.
import * as vscode from "vscode";

import type { ServerConnection } from "./client";
import { SERVER_COMMANDS } from "./commandIds";

interface Comparison {
  builtin?: string;
  how?: string;
  uri?: string;
  error?: string;
}

export async function compareWithBuiltin(server: ServerConnection, uri: vscode.Uri, builtin?: unknown): Promise<void> {
  const args: unknown[] = typeof builtin === "string" ? [uri.toString(), builtin] : [uri.toString()];
  const found = (await server.executeCommand(SERVER_COMMANDS.compareBuiltin, args)) as Comparison | undefined;
  if (found === undefined || found === null) {
    void vscode.window.showWarningMessage("tuneconf: the server is not running; try again once it has started.");
    return;
  }
  if (found.error !== undefined || found.uri === undefined) {
    void vscode.window.showInformationMessage(`tuneconf: ${found.error ?? "no built-in to compare with"}`);
    return;
  }
  const name = uri.path.split("/").pop() ?? "config";
  const title = `${found.builtin ?? "built-in"} (built-in) ↔ ${name}`;
  await vscode.commands.executeCommand("vscode.diff", vscode.Uri.parse(found.uri), uri, title, { preview: true });
}
