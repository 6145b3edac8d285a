// Export SLURM script: the server writes the sbatch script; it opens as an unsaved document.
import * as vscode from "vscode";

import type { ServerConnection } from "../client";
import { SERVER_COMMANDS } from "../commandIds";
import type { LaunchPlanner } from "./plan";

export async function exportSlurm(server: ServerConnection, planner: LaunchPlanner, uri: vscode.Uri): Promise<void> {
  const nodes = await askNumber("Nodes", "2");
  const gpus = nodes === undefined ? undefined : await askNumber("GPUs per node", "8");
  const overrides = gpus === undefined ? undefined : await planner.chooseOverrides(uri);
  if (nodes === undefined || gpus === undefined || overrides === undefined) {
    return;
  }
  const script = await server.executeCommand(SERVER_COMMANDS.slurmScript, [uri.toString(), overrides, nodes, gpus]);
  if (typeof script === "string") {
    const document = await vscode.workspace.openTextDocument({ language: "shellscript", content: script });
    await vscode.window.showTextDocument(document);
  }
}

async function askNumber(prompt: string, value: string): Promise<number | undefined> {
  const answer = await vscode.window.showInputBox({
    prompt,
    value,
    validateInput: (text) => (/^[1-9]\d*$/.test(text) ? undefined : "a positive whole number"),
  });
  return answer === undefined ? undefined : Number(answer);
}
