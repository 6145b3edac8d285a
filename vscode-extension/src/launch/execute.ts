// Executing a plan's argv: a VS Code process task (no shell), awaited to its exit code.
import * as vscode from "vscode";

/** Runs an argv as a VS Code task (a process, no shell) and resolves with its exit code. */
export async function runProcess(name: string, argv: string[], cwd: string): Promise<number | undefined> {
  const execution = new vscode.ProcessExecution(argv[0], argv.slice(1), { cwd });
  const task = new vscode.Task({ type: "tuneconf", name }, vscode.TaskScope.Workspace, name, "tuneconf", execution);
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true };
  // Subscribed before executeTask: a process that ends at once (the prepare step) is not missed.
  let started: vscode.TaskExecution | undefined;
  let listener: vscode.Disposable | undefined;
  const ended = new Promise<number | undefined>((resolve) => {
    listener = vscode.tasks.onDidEndTaskProcess((event) => {
      if (event.execution === started || event.execution.task === task) {
        listener?.dispose();
        resolve(event.exitCode);
      }
    });
  });
  try {
    started = await vscode.tasks.executeTask(task);
  } catch (error) {
    listener?.dispose();
    throw error;
  }
  return ended;
}
