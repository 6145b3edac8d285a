// Asking before a config's prepare step runs: once per script (path) and workspace, remembered.
// No runtime import of `vscode` here, so the unit tests run under plain Node.

/** Where the answers are kept: VS Code's `context.workspaceState` (a Memento) in the extension. */
export interface Memory {
  get(key: string): unknown;
  update(key: string, value: unknown): Thenable<void>;
}

export const APPROVED_PREPARE_SCRIPTS = "tuneconf.approvedPrepareScripts";

/**
 * True when `script` may run: approved before in this workspace, or `ask` says yes now (then
 * remembered). A declined script is not remembered, so the next run asks again.
 */
export async function approvedOnce(memory: Memory, script: string, ask: (script: string) => Promise<boolean>): Promise<boolean> {
  const stored = memory.get(APPROVED_PREPARE_SCRIPTS);
  // The stored value is only ever our own list, but read it defensively: anything else is no approval.
  const approved = Array.isArray(stored) ? stored.filter((item): item is string => typeof item === "string") : [];
  if (approved.includes(script)) {
    return true;
  }
  if (!(await ask(script))) {
    return false;
  }
  await memory.update(APPROVED_PREPARE_SCRIPTS, [...approved, script]);
  return true;
}
