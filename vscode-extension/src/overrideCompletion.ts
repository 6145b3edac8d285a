// Completion of the overrides typed in .vscode/tuneconf.json's override sets
// (`"overrideSets": { "conf/config.yaml": { "quick": ["db=|"] } }`): the server answers the config's groups,
// options, keys and values for the text typed so far (tuneconf.server.overrideCompletions,
// server/tuneconf/features/override_completion.py); where the cursor is comes from overrideSetPosition.ts.
import * as vscode from "vscode";

import type { ServerConnection } from "./client";
import { SERVER_COMMANDS } from "./commandIds";
import { encode, overrideSetPositionAt } from "./overrideSetPosition";

/** One completion as the server writes it. */
interface OverrideCompletion {
  label: string;
  kind: string;
  detail: string;
  /** The whole override up to the cursor (it replaces what is typed). */
  insertText: string;
}

const SELECTOR: vscode.DocumentSelector = { pattern: "**/.vscode/tuneconf.json" };
const TRIGGERS = ['"', "=", ".", "/"];

function kindOf(kind: string): vscode.CompletionItemKind {
  switch (kind) {
    case "group":
      return vscode.CompletionItemKind.Folder;
    case "option":
      return vscode.CompletionItemKind.EnumMember;
    case "value":
      return vscode.CompletionItemKind.Value;
    default:
      return vscode.CompletionItemKind.Field;
  }
}

function isCompletion(value: unknown): value is OverrideCompletion {
  const c = value as OverrideCompletion | null;
  return typeof c === "object" && c !== null && [c.label, c.kind, c.detail, c.insertText].every((v) => typeof v === "string");
}

class OverrideCompletionProvider implements vscode.CompletionItemProvider {
  constructor(private readonly server: ServerConnection) {}

  async provideCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    token: vscode.CancellationToken,
  ): Promise<vscode.CompletionItem[] | undefined> {
    const at = overrideSetPositionAt(document.getText(), document.offsetAt(position));
    if (at === undefined) {
      return undefined;
    }
    // The config paths are relative to the workspace folder, the folder that holds .vscode/.
    const config = vscode.Uri.joinPath(document.uri, "..", "..", ...at.config.split("/"));
    const args = [config.toString(), at.typed, at.others];
    const answer = await this.server.executeCommand(SERVER_COMMANDS.overrideCompletions, args);
    if (token.isCancellationRequested || !Array.isArray(answer)) {
      return undefined;
    }
    const start = document.positionAt(at.start);
    const range = { inserting: new vscode.Range(start, position), replacing: new vscode.Range(start, document.positionAt(at.end)) };
    return answer.filter(isCompletion).map((found, index) => {
      const item = new vscode.CompletionItem(found.label, kindOf(found.kind));
      const text = encode(found.insertText);
      item.detail = found.detail;
      item.insertText = text;
      item.filterText = text; // what is typed includes the prefix (`+`, `group=`): the label alone would not match it
      item.sortText = String(index).padStart(5, "0"); // the server's order: groups, then keys
      item.range = range;
      return item;
    });
  }
}

/** Register the completion of overrides in .vscode/tuneconf.json (disposed with the extension; also returned). */
export function registerOverrideCompletion(context: vscode.ExtensionContext, server: ServerConnection): vscode.Disposable {
  const registration = vscode.languages.registerCompletionItemProvider(SELECTOR, new OverrideCompletionProvider(server), ...TRIGGERS);
  context.subscriptions.push(registration);
  return registration;
}
