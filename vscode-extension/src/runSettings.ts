// Run settings, kept in the workspace in .vscode/tuneconf.json: named override sets and launch settings:
//   { "overrideSets": { "configs/tiny/lora_cpu.yaml": { "quick": ["max_steps_per_epoch=2"] } },
//     "launch": { "nproc_per_node": 2, "nnodes": 1 } }
// Pure parsing here (unit-tested); reading the file and asking the user live in launch/plan.ts.

export type OverrideSets = Record<string, string[]>;

export interface WorkspaceRunSettings {
  overrideSets: Record<string, OverrideSets>;
  launch: Record<string, unknown>;
}

/** The settings in a tuneconf.json text; anything malformed is ignored (and reported as `problem`). */
export function parseRunSettings(text: string | undefined): { settings: WorkspaceRunSettings; problem?: string } {
  const empty: WorkspaceRunSettings = { overrideSets: {}, launch: {} };
  if (text === undefined || text.trim() === "") {
    return { settings: empty };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { settings: empty, problem: `.vscode/tuneconf.json is not valid JSON: ${String(error)}` };
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return { settings: empty, problem: ".vscode/tuneconf.json must hold an object" };
  }
  const record = raw as Record<string, unknown>;
  return { settings: { overrideSets: setsOf(record.overrideSets), launch: objectOf(record.launch) } };
}

function setsOf(value: unknown): Record<string, OverrideSets> {
  const result: Record<string, OverrideSets> = {};
  for (const [config, sets] of Object.entries(objectOf(value))) {
    const named: OverrideSets = {};
    for (const [name, list] of Object.entries(objectOf(sets))) {
      if (Array.isArray(list) && list.every((item) => typeof item === "string")) {
        named[name] = list;
      }
    }
    result[config] = named;
  }
  return result;
}

function objectOf(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The override sets of a config, given its path relative to the workspace folder (posix separators). */
export function setsFor(settings: WorkspaceRunSettings, relativePath: string): OverrideSets {
  return settings.overrideSets[relativePath] ?? {};
}
