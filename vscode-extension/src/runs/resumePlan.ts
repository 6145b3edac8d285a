// What tuneconf.server.resumePlan answers (server/tuneconf/runs/resume.py) and the overrides a resumed run is
// launched with. No runtime import of `vscode` (plain-Node tests).

/** The plan to resume from the output folder's recipe checkpoint. */
export interface ResumePlan {
  /** The first epoch the resumed run trains, as torchtune counts (from 0). */
  epoch: number;
  overrides: string[];
  why: string;
  /** The epoch_N folder it resumes from. */
  checkpoint: string;
}

/** The server's answer read defensively: a plan, why there is none, or undefined when it did not answer. */
export function readResumePlan(raw: unknown): ResumePlan | { error: string } | undefined {
  if (raw === null || typeof raw !== "object") {
    return undefined;
  }
  const value = raw as Record<string, unknown>;
  if (typeof value.error === "string") {
    return { error: value.error };
  }
  const overrides = value.overrides;
  if (typeof value.epoch !== "number" || !Array.isArray(overrides) || !overrides.every((o) => typeof o === "string")) {
    return undefined;
  }
  return {
    epoch: value.epoch,
    overrides,
    why: typeof value.why === "string" ? value.why : "",
    checkpoint: typeof value.checkpoint === "string" ? value.checkpoint : "",
  };
}

/** The key an override sets or deletes (`a.b=c`, `~a.b`). */
function keyOf(override: string): string {
  const key = override.startsWith("~") ? override.slice(1) : override.split("=", 1)[0];
  return key.trim();
}

/**
 * The run's own overrides, then the plan's: a key the plan sets is dropped from the run's (torchtune would
 * take the later one anyway; the command line then says each key once).
 */
export function resumeOverrides(base: string[], plan: ResumePlan): string[] {
  const planned = new Set(plan.overrides.map(keyOf));
  return [...base.filter((override) => !planned.has(keyOf(override))), ...plan.overrides];
}
