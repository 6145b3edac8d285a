// The "used in N configs" lens above a Python definition: the server sends the configs' locations as JSON
// (server/tuneconf/features/python_refs.py); this shows them in VS Code's own references peek.
import * as vscode from "vscode";

import { CLIENT_COMMANDS } from "./commandIds";

/** A position as the server writes it (LSP's, already in the client's UTF-16 units). */
interface JsonPosition {
  line: number;
  character: number;
}

/** A location as the server writes it. */
interface JsonLocation {
  uri: string;
  range: { start: JsonPosition; end: JsonPosition };
}

function isPosition(value: unknown): value is JsonPosition {
  const p = value as JsonPosition | null;
  return typeof p === "object" && p !== null && Number.isInteger(p.line) && Number.isInteger(p.character);
}

function isLocation(value: unknown): value is JsonLocation {
  const l = value as JsonLocation | null;
  if (typeof l !== "object" || l === null || typeof l.uri !== "string") {
    return false;
  }
  return typeof l.range === "object" && l.range !== null && isPosition(l.range.start) && isPosition(l.range.end);
}

function position(p: JsonPosition): vscode.Position {
  return new vscode.Position(p.line, p.character);
}

function location(l: JsonLocation): vscode.Location {
  return new vscode.Location(vscode.Uri.parse(l.uri), new vscode.Range(position(l.range.start), position(l.range.end)));
}

/** Show the config lines that name a Python definition; malformed arguments show nothing (and say so). */
async function showConfigReferences(uri: unknown, at: unknown, locations: unknown): Promise<void> {
  if (typeof uri !== "string" || !isPosition(at) || !Array.isArray(locations)) {
    void vscode.window.showWarningMessage("tuneconf: the config references could not be shown (unexpected arguments).");
    return;
  }
  const found = locations.filter(isLocation).map(location);
  await vscode.commands.executeCommand("editor.action.showReferences", vscode.Uri.parse(uri), position(at), found);
}

/** Register CLIENT_COMMANDS.showConfigReferences, the command of the server's "used in N configs" lenses. */
export function registerConfigReferences(context: vscode.ExtensionContext): void {
  context.subscriptions.push(vscode.commands.registerCommand(CLIENT_COMMANDS.showConfigReferences, showConfigReferences));
}
