// The Run view's page (vscode-extension/dist/webview.js, as the .vsix ships it) in headless Chromium: the
// first draw of 100,000 logged steps × 4 scalars after one `series` message, then ten live updates of 100
// steps each, timed from the message to the page's own "drawn" report. Reports, never asserts.
// Needs playwright-core and Chromium (what `make e2e-vscode` installs); bench/run.py runs it with NODE_PATH
// set and skips it, saying why, where they are missing. Usage: node bench/webview_draw.js DIST_FOLDER
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { chromium } = require("playwright-core");

const STEPS = 100000;

/** The page's body as src/runs/html.ts writes it, with acquireVsCodeApi recording what the page posts. */
function page(dist) {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "tuneconf-webview-"));
  for (const name of ["webview.js", "webview.css"]) {
    fs.copyFileSync(path.join(dist, name), path.join(folder, name));
  }
  const html = `<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="stylesheet" href="webview.css"></head><body>
<header id="head"><div id="status"><span id="state" class="state waiting">waiting</span> <span id="progress"></span>
<span id="timing"></span></div><div id="actions"><label>Smoothing <input id="smoothing" type="range" min="0" max="0.99"
step="0.01" value="0.6"><output id="smoothing-value">0.60</output></label><button id="stop" type="button">Stop</button>
<button id="open-log" type="button">Open log</button></div></header><p id="note" hidden></p><div id="legend"></div>
<main id="charts"></main>
<script>window.sent = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.sent.push({ m, t: performance.now() }) });</script>
<script src="webview.js"></script></body></html>`;
  fs.writeFileSync(path.join(folder, "page.html"), html);
  return path.join(folder, "page.html");
}

/** In the page: send the series, wait for each "drawn" report (the page posts one per render). */
async function measure(steps) {
  const drawn = (after) =>
    new Promise((resolve) => {
      const check = () => {
        const found = window.sent.find((s) => s.m.type === "drawn" && s.t > after);
        return found ? resolve(found) : requestAnimationFrame(check);
      };
      check();
    });
  const numbers = Array.from({ length: steps }, (_, i) => i + 1);
  const series = {
    loss: { values: numbers.map((s) => 2 / (1 + s / 1000) + (s % 7) / 100) },
    lr: { values: numbers.map((s) => 2e-5 * (1 - s / (4 * steps))) },
    tokens_per_second_per_gpu: { values: numbers.map((s) => 1234.5 + (s % 13)) },
    peak_memory_active: { values: numbers.map((s) => 10 + (s % 5) / 10) },
  };
  const reply = { logger: { kind: "disk" }, expectedSteps: 2 * steps, logEvery: 1, file: "/runs/log_1.txt", offset: 1,
    generation: 0, reset: true, steps: numbers, series, lastStep: steps, started: Date.now() / 1000 - 60, state: "running" };
  window.postMessage({ type: "init", title: "bench", live: true, runs: [{ id: "run", label: "bench" }] }, "*");
  const text = JSON.stringify(reply);
  const started = performance.now();
  window.postMessage({ type: "series", runId: "run", reply: JSON.parse(text) }, "*");
  const first = (await drawn(started)).t - started;
  const updates = [];
  for (let k = 0; k < 10; k += 1) {
    const more = Array.from({ length: 100 }, (_, i) => steps + k * 100 + i + 1);
    const values = Object.fromEntries(Object.keys(series).map((name) => [name, { values: more.map((s) => 1 / s) }]));
    const update = { ...reply, reset: false, steps: more, series: values, lastStep: more[99] };
    const sent = performance.now();
    window.postMessage({ type: "series", runId: "run", reply: update }, "*");
    updates.push((await drawn(sent)).t - sent);
  }
  updates.sort((a, b) => a - b);
  const points = window.sent.filter((s) => s.m.type === "drawn").pop().m.points;
  return { first_draw_100k_ms: first, update_100_median_ms: updates[5], update_100_max_ms: updates[9], loss_points: points.loss };
}

(async () => {
  const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
  const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-gpu"] });
  try {
    const tab = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await tab.goto(`file://${page(process.argv[2])}`);
    console.log(JSON.stringify(await tab.evaluate(measure, STEPS)));
  } finally {
    await browser.close();
  }
})().catch((error) => {
  console.error(String(error));
  process.exit(1);
});
