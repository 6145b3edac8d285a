// New config from built-in: copy one of torchtune's configs into the workspace (like `tune cp`).
import * as vscode from "vscode";

import type { ServerConnection } from "./client";
import { SERVER_COMMANDS } from "./commandIds";

export async function newConfigFromBuiltin(server: ServerConnection): Promise<void> {
  const configs = (await server.executeCommand(SERVER_COMMANDS.builtinConfigs, [])) as
    | { name: string; recipe: string; path: string }[]
    | undefined;
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (configs === undefined || configs.length === 0 || folder === undefined) {
    void vscode.window.showWarningMessage("tuneconf: no built-in configs found (is torchtune installed?), or no folder is open.");
    return;
  }
  const picked = await vscode.window.showQuickPick(
    configs.map((c) => ({ label: c.name, description: c.recipe, config: c })),
    { placeHolder: "Copy a built-in torchtune config into the workspace (like tune cp)" },
  );
  if (picked === undefined) {
    return;
  }
  const target = await freeName(vscode.Uri.joinPath(folder.uri, `${picked.config.name.replace(/\//g, "_")}.yaml`));
  await vscode.workspace.fs.copy(vscode.Uri.file(picked.config.path), target, { overwrite: false });
  await vscode.window.showTextDocument(target);
}

/** `target`, or the first of target-1.yaml, target-2.yaml, … that does not exist yet: never overwrites. */
async function freeName(target: vscode.Uri): Promise<vscode.Uri> {
  for (let index = 0; index < 100; index += 1) {
    const candidate = index === 0 ? target : target.with({ path: target.path.replace(/\.yaml$/, `-${index}.yaml`) });
    try {
      await vscode.workspace.fs.stat(candidate);
    } catch {
      return candidate;
    }
  }
  return target.with({ path: target.path.replace(/\.yaml$/, `-${Date.now()}.yaml`) });
}
