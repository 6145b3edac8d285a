// The Run view's data, without `vscode` or the DOM (plain-Node unit tests import it; the webview bundles it):
// what the server sends (tuneconf.server.runSeries, server/tuneconf/runs/series.py), the messages between the
// extension and the webview, merging each answer into a run's series, smoothing, progress and ETA.

/** A point's value; null where the log said NaN or inf (JSON has no word for them). */
export type Value = number | null;

/** One answer of tuneconf.server.runSeries: the new points after `since`, or why there are none (`waiting`). */
export interface SeriesReply {
  logger: { kind: string; component: string; logDir: string | null; problem: string };
  expectedSteps: number | null;
  logEvery: number;
  waiting?: string;
  file?: string;
  offset?: number;
  generation?: number;
  /** True: drop what you have, these are all the points. */
  reset?: boolean;
  /** The new steps, shared by every series that has no `steps` of its own. */
  steps?: number[];
  series?: Record<string, { values: Value[]; steps?: number[] }>;
  started?: number;
  modified?: number;
  state?: string;
  lastStep?: number | null;
  stepCount?: number;
  corrupt?: number;
  restarts?: number;
  /** Where the run is shown instead (Weights & Biases, Comet): a link, nothing parsed. */
  link?: { label: string; url: string };
}

/** Where a view's copy of a log ends: sent back as runSeries' `since`. */
export interface Since {
  file: string;
  offset: number;
  generation: number;
}

export function sinceOf(reply: SeriesReply): Since | undefined {
  return reply.file !== undefined && reply.offset !== undefined && reply.generation !== undefined
    ? { file: reply.file, offset: reply.offset, generation: reply.generation }
    : undefined;
}

/** What the extension tells the webview. */
export type ToWebview =
  | { type: "init"; title: string; live: boolean; runs: { id: string; label: string }[] }
  | { type: "series"; runId: string; reply: SeriesReply }
  | {
      type: "status";
      state: RunState;
      exitCode?: number;
      startedMs?: number;
      endedMs?: number;
      note?: string;
      /** The last lines the run printed (a failed run's, from the launch wrapper's tail file). */
      tail?: string[];
    };

/** What the webview tells the extension. */
export type FromWebview =
  | { type: "ready" }
  | { type: "stop" }
  | { type: "openLog" }
  | { type: "drawn"; runId: string; points: Record<string, number> };

export type RunState = "waiting" | "running" | "finished" | "failed" | "stopped" | "unknown";

/** One scalar of a run, as the charts hold it. */
export interface Series {
  steps: number[];
  values: Value[];
}

/** A run's series, merged answer by answer. */
export class RunData {
  readonly series = new Map<string, Series>();
  lastStep: number | null = null;
  expectedSteps: number | null = null;
  file: string | undefined;

  /** Merges an answer; returns the names of the series that changed (all of them after a reset). */
  merge(reply: SeriesReply): string[] {
    if (reply.waiting !== undefined || reply.series === undefined) {
      return [];
    }
    if (reply.reset === true || reply.file !== this.file) {
      this.series.clear();
    }
    this.file = reply.file;
    this.expectedSteps = reply.expectedSteps;
    this.lastStep = reply.lastStep ?? this.lastStep;
    const shared = reply.steps ?? [];
    const changed: string[] = [];
    for (const [name, fresh] of Object.entries(reply.series)) {
      let series = this.series.get(name);
      if (series === undefined) {
        series = { steps: [], values: [] };
        this.series.set(name, series);
      }
      appendPoints(series, fresh.steps ?? shared, fresh.values);
      changed.push(name);
    }
    return changed;
  }

  points(): Record<string, number> {
    return Object.fromEntries([...this.series].map(([name, series]) => [name, series.steps.length]));
  }
}

/** Appends points whose steps follow the last one; a point at the last step replaces it (logged again). */
export function appendPoints(series: Series, steps: number[], values: Value[]): void {
  const count = Math.min(steps.length, values.length);
  for (let i = 0; i < count; i += 1) {
    const last = series.steps.length - 1;
    if (last >= 0 && steps[i] <= series.steps[last]) {
      if (steps[i] === series.steps[last]) {
        series.values[last] = values[i];
      }
      continue;
    }
    series.steps.push(steps[i]);
    series.values.push(values[i]);
  }
}

/**
 * TensorBoard's smoothing: an exponential moving average, debiased so the first points are not pulled
 * towards zero; `weight` 0 is the raw curve, 0.99 very smooth. Gaps (null) stay gaps.
 */
export function smooth(values: Value[], weight: number): Value[] {
  if (!(weight > 0)) {
    return values;
  }
  const w = Math.min(weight, 0.999);
  const out: Value[] = new Array<Value>(values.length);
  let last = 0;
  let count = 0;
  for (let i = 0; i < values.length; i += 1) {
    const value = values[i];
    if (value === null || !Number.isFinite(value)) {
      out[i] = null;
      continue;
    }
    last = last * w + (1 - w) * value;
    count += 1;
    out[i] = last / (1 - Math.pow(w, count));
  }
  return out;
}

/** The rate of steps from what was seen over the last `windowMs`, and the time left. */
export class Progress {
  private readonly seen: { ms: number; step: number }[] = [];

  constructor(private readonly windowMs = 120_000) {}

  observe(ms: number, step: number | null): void {
    if (step === null) {
      return;
    }
    const last = this.seen[this.seen.length - 1];
    if (last !== undefined && step <= last.step) {
      if (step < last.step) {
        this.seen.length = 0; // a restart
      } else {
        return;
      }
    }
    this.seen.push({ ms, step });
    while (this.seen.length > 2 && ms - this.seen[1].ms > this.windowMs) {
      this.seen.shift();
    }
  }

  /** Milliseconds per step, when two observations at least a second apart tell it. */
  msPerStep(): number | undefined {
    const first = this.seen[0];
    const last = this.seen[this.seen.length - 1];
    if (first === undefined || last === undefined || last.step === first.step || last.ms - first.ms < 1000) {
      return undefined;
    }
    return (last.ms - first.ms) / (last.step - first.step);
  }

  /** Milliseconds left until `expected`; undefined when the total or the rate is not known. */
  etaMs(expected: number | null, step: number | null): number | undefined {
    const rate = this.msPerStep();
    if (expected === null || step === null || rate === undefined) {
      return undefined;
    }
    return Math.max(0, expected - step) * rate;
  }
}

/** `step 120 of 500`, or `step 120` when the config does not bound the steps. */
export function progressText(step: number | null, expected: number | null): string {
  if (step === null) {
    return "no step logged yet";
  }
  return expected !== null ? `step ${step} of ${expected} (${Math.floor((100 * step) / expected)}%)` : `step ${step}`;
}

/** `1:02:03`, `4:05`, `0:07`. */
export function duration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** The state a view shows: the task's exit code when it ended, else what the server guessed from the log. */
export function stateOf(exitCode: number | undefined, taskRunning: boolean, serverState: string | undefined): RunState {
  if (exitCode !== undefined) {
    return exitCode === 0 ? "finished" : "failed";
  }
  if (taskRunning) {
    return "running";
  }
  if (serverState === "running" || serverState === "finished") {
    return serverState;
  }
  return serverState === undefined ? "waiting" : "unknown";
}

/** Aligns several runs' series of one scalar on the union of their steps (the compare view's one x axis). */
export function align(runs: Series[]): { x: number[]; ys: Value[][] } {
  const steps = [...new Set(runs.flatMap((series) => series.steps))].sort((a, b) => a - b);
  const index = new Map(steps.map((step, i) => [step, i]));
  const ys = runs.map((series) => {
    const column = new Array<Value>(steps.length).fill(null);
    series.steps.forEach((step, i) => {
      column[index.get(step) ?? 0] = series.values[i];
    });
    return column;
  });
  return { x: steps, ys };
}
