import assert from "node:assert/strict";
import { test } from "node:test";

import { contentSecurityPolicy, runViewHtml } from "../src/runs/html";
import { overridesOf, rememberOverrides, runLabel, MAX_REMEMBERED } from "../src/runs/launches";
import { align, appendPoints, duration, Progress, progressText, RunData, type SeriesReply, smooth, stateOf } from "../src/runs/model";

const LOGGER = { kind: "disk", component: "DiskLogger", logDir: "/logs", problem: "" };

function reply(fields: Partial<SeriesReply>): SeriesReply {
  return { logger: LOGGER, expectedSteps: 10, logEvery: 1, file: "/logs/log_1.txt", offset: 1, generation: 0, ...fields };
}

test("answers merge: shared steps, a sparser series' own steps, a step logged again, a reset", () => {
  const run = new RunData();
  run.merge(reply({ reset: true, steps: [1, 2], series: { loss: { values: [3, 2] }, mem: { values: [1], steps: [2] } }, lastStep: 2 }));
  assert.deepEqual(run.series.get("loss"), { steps: [1, 2], values: [3, 2] });
  assert.deepEqual(run.series.get("mem"), { steps: [2], values: [1] });
  const changed = run.merge(reply({ reset: false, steps: [3], series: { loss: { values: [1.5, 1], steps: [2, 3] } }, lastStep: 3 }));
  assert.deepEqual(changed, ["loss"]);
  assert.deepEqual(run.series.get("loss"), { steps: [1, 2, 3], values: [3, 1.5, 1] });
  assert.equal(run.lastStep, 3);
  assert.deepEqual(run.points(), { loss: 3, mem: 1 });
  run.merge(reply({ reset: true, steps: [1], series: { loss: { values: [9] } }, lastStep: 1 }));
  assert.deepEqual(run.points(), { loss: 1 });
  assert.deepEqual(run.merge(reply({ waiting: "no log yet" })), []);
  assert.deepEqual(run.points(), { loss: 1 }, "a waiting answer keeps what is drawn");
});

test("appending ignores points at or before the last step, except a new value for the last one", () => {
  const series = { steps: [1, 2], values: [5, 4] as (number | null)[] };
  appendPoints(series, [1, 2, 3, 4], [0, 3.5, 3, null]);
  assert.deepEqual(series, { steps: [1, 2, 3, 4], values: [5, 3.5, 3, null] });
});

test("appending 100,000 points and smoothing them stays well under the 50 ms of a live update", () => {
  const steps = Array.from({ length: 100_000 }, (_, i) => i + 1);
  const values = steps.map((s) => 1 / s);
  const run = new RunData();
  const started = performance.now();
  run.merge(reply({ reset: true, steps, series: { loss: { values } } }));
  smooth(run.series.get("loss")?.values ?? [], 0.9);
  run.merge(reply({ steps: [100_001], series: { loss: { values: [0] } } }));
  const ms = performance.now() - started;
  assert.equal(run.points().loss, 100_001);
  assert.ok(ms < 200, `${ms} ms`); // generous here: 2 shared cores; measured ~10 ms
});

test("smoothing is TensorBoard's debiased moving average; 0 is the raw curve, gaps stay gaps", () => {
  assert.deepEqual(smooth([1, 2, 3], 0), [1, 2, 3]);
  const out = smooth([2, null, 4], 0.5);
  assert.equal(out[0], 2); // debiased: the first point is itself
  assert.equal(out[1], null);
  assert.ok(Math.abs((out[2] ?? 0) - (0.5 * 1 + 0.5 * 4) / 0.75) < 1e-12);
});

test("the ETA comes from the recent rate of steps; a restart forgets it", () => {
  const progress = new Progress(60_000);
  assert.equal(progress.etaMs(100, null), undefined);
  progress.observe(0, 10);
  progress.observe(500, 11);
  assert.equal(progress.msPerStep(), undefined, "less than a second seen");
  progress.observe(10_000, 30);
  assert.equal(progress.msPerStep(), 500);
  assert.equal(progress.etaMs(100, 30), 35_000);
  assert.equal(progress.etaMs(null, 30), undefined, "no total: no ETA");
  progress.observe(200_000, 50); // the first observations fall out of the window
  assert.equal(progress.msPerStep(), (200_000 - 10_000) / 20);
  progress.observe(201_000, 2);
  assert.equal(progress.msPerStep(), undefined);
});

test("progress, durations and the state shown", () => {
  assert.equal(progressText(null, 4), "no step logged yet");
  assert.equal(progressText(3, 4), "step 3 of 4 (75%)");
  assert.equal(progressText(3, null), "step 3");
  assert.equal(duration(7_000), "0:07");
  assert.equal(duration(3_723_000), "1:02:03");
  assert.equal(stateOf(0, false, "unknown"), "finished");
  assert.equal(stateOf(1, false, "running"), "failed");
  assert.equal(stateOf(undefined, true, undefined), "running");
  assert.equal(stateOf(undefined, false, "finished"), "finished");
  assert.equal(stateOf(undefined, false, undefined), "waiting");
});

test("runs are aligned on the union of their steps for the compare view", () => {
  const { x, ys } = align([
    { steps: [1, 3], values: [1, 3] },
    { steps: [2, 3], values: [20, 30] },
  ]);
  assert.deepEqual(x, [1, 2, 3]);
  assert.deepEqual(ys, [
    [1, null, 3],
    [null, 20, 30],
  ]);
});

test("the page's policy: nothing by default, the script only with its nonce, styles from the extension", () => {
  const csp = contentSecurityPolicy("vscode-resource:", "abc");
  assert.equal(csp, "default-src 'none'; script-src 'nonce-abc'; style-src vscode-resource:; font-src vscode-resource:; img-src vscode-resource: data:");
  const page = runViewHtml({ cspSource: "vscode-resource:", scriptUri: "s.js", styleUri: "s.css", title: "<x>" }, "abc");
  assert.match(page, /<script nonce="abc" src="s.js"><\/script>/);
  assert.ok(page.includes("<title>&lt;x&gt;</title>"));
  assert.ok(!/style="/.test(page), "no inline style attribute");
});

test("launch overrides are remembered per log file and name the run", async () => {
  const store = new Map<string, unknown>();
  const memory = { get: (key: string) => store.get(key), update: (key: string, value: unknown) => Promise.resolve(void store.set(key, value)) };
  assert.equal(overridesOf(memory, "/l/log_1.txt"), undefined);
  await rememberOverrides(memory, "/l/log_1.txt", ["lr=1"]);
  assert.deepEqual(overridesOf(memory, "/l/log_1.txt"), ["lr=1"]);
  assert.equal(runLabel("/l/log_1.txt", ["lr=1", "epochs=2"]), "log_1.txt: lr=1 epochs=2");
  assert.equal(runLabel("/l/log_2.txt", []), "log_2.txt (no overrides)");
  assert.equal(runLabel("/l/log_3.txt", undefined), "log_3.txt");
  for (let i = 0; i < MAX_REMEMBERED + 5; i += 1) {
    await rememberOverrides(memory, `/l/log_${i + 10}.txt`, []);
  }
  assert.equal(overridesOf(memory, "/l/log_1.txt"), undefined, "the oldest are forgotten");
  store.set("tuneconf.runOverrides", { "/x": "not a list" });
  assert.equal(overridesOf(memory, "/x"), undefined);
});
