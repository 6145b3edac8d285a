// The overrides each run was launched with, remembered per log file in the workspace's state, so the
// Runs tree and the compare view can name them. No runtime import of `vscode` (plain-Node tests).
import type { Memory } from "../launch/consent";

export const RUN_OVERRIDES = "tuneconf.runOverrides";
/** Runs remembered (the oldest are forgotten first). */
export const MAX_REMEMBERED = 500;

type Stored = Record<string, string[]>;

function stored(memory: Memory): Stored {
  const value = memory.get(RUN_OVERRIDES);
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return {};
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(
    (entry): entry is [string, string[]] => Array.isArray(entry[1]) && entry[1].every((item) => typeof item === "string"),
  );
  return Object.fromEntries(entries);
}

/** Remembers that the run writing `logFile` was launched with `overrides`. */
export async function rememberOverrides(memory: Memory, logFile: string, overrides: string[]): Promise<void> {
  const runs = stored(memory);
  delete runs[logFile];
  runs[logFile] = overrides;
  const kept = Object.entries(runs).slice(-MAX_REMEMBERED);
  await memory.update(RUN_OVERRIDES, Object.fromEntries(kept));
}

/** The overrides a run was launched with; undefined when tuneconf did not launch it (or forgot). */
export function overridesOf(memory: Memory, logFile: string): string[] | undefined {
  return stored(memory)[logFile];
}

/** A run's name in a legend: its log file's name and the overrides it used. */
export function runLabel(logFile: string, overrides: string[] | undefined): string {
  const name = logFile.split(/[\\/]/).pop() ?? logFile;
  if (overrides === undefined) {
    return name;
  }
  return overrides.length > 0 ? `${name}: ${overrides.join(" ")}` : `${name} (no overrides)`;
}
