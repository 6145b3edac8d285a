// The Run view's page script (bundled by esbuild into dist/webview.js, with uPlot: no CDN, works offline).
// One uPlot chart per scalar; answers from the server are merged (src/runs/model.ts) and only the charts
// whose series changed are redrawn, once per animation frame.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import "./style.css";

import {
  align,
  duration,
  type FromWebview,
  Progress,
  progressText,
  RunData,
  type RunState,
  smooth,
  type ToWebview,
  type Value,
} from "../src/runs/model";

declare function acquireVsCodeApi(): { postMessage(message: FromWebview): void };

const host = acquireVsCodeApi();
const PALETTE = ["blue", "red", "green", "orange", "purple", "yellow"];
const ORDER = ["loss", "lr", "tokens_per_second_per_gpu", "peak_memory_active", "peak_memory_alloc", "peak_memory_reserved"];
const HEIGHT = 220;

interface RunEntry {
  id: string;
  label: string;
  colour: string;
  data: RunData;
}

interface Chart {
  name: string;
  box: HTMLElement;
  plot: uPlot | undefined;
  log: boolean;
}

const runs: RunEntry[] = [];
const charts = new Map<string, Chart>();
const dirty = new Set<string>();
const progress = new Progress();
let live = true;
let weight = 0.6;
let frame = 0;
let status: { state: RunState; exitCode?: number; startedMs?: number; endedMs?: number; tail?: string[] } = { state: "waiting" };

function byId<T extends HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

/** An element the page (src/runs/html.ts) does not have: made once, placed after `before`. */
function made<T extends HTMLElement>(id: string, tag: string, before: string): T {
  const found = document.getElementById(id);
  if (found !== null) {
    return found as T;
  }
  const element = document.createElement(tag);
  element.id = id;
  element.hidden = true;
  byId(before).after(element);
  return element as T;
}

/** W&B's or Comet's page: a plain https link, which VS Code opens in the browser (the CSP is unchanged). */
function showLink(link: { label: string; url: string } | undefined): void {
  const line = made<HTMLParagraphElement>("run-link", "p", "note");
  const safe = link !== undefined && /^https:\/\//.test(link.url);
  line.hidden = !safe;
  if (!safe) {
    line.replaceChildren();
    return;
  }
  const anchor = document.createElement("a");
  anchor.href = link.url;
  anchor.textContent = link.label;
  anchor.title = link.url;
  line.replaceChildren(anchor);
}

/** A failed run's last output lines, as text (never HTML). */
function showTail(lines: string[] | undefined): void {
  const block = made<HTMLPreElement>("tail", "pre", "head");
  const text = Array.isArray(lines) ? lines.filter((l) => typeof l === "string").join("\n") : "";
  block.hidden = text === "";
  block.textContent = text;
}

function themeColour(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

function number(value: Value | undefined): string {
  if (value === null || value === undefined) {
    return "-";
  }
  return Math.abs(value) >= 1e5 || (Math.abs(value) < 1e-3 && value !== 0) ? value.toExponential(3) : String(+value.toPrecision(5));
}

function chartFor(name: string): Chart {
  let chart = charts.get(name);
  if (chart === undefined) {
    const section = document.createElement("section");
    section.className = "chart";
    section.dataset.metric = name;
    const title = document.createElement("h2");
    title.textContent = name;
    const toggle = document.createElement("label");
    toggle.className = "log-toggle";
    const box = document.createElement("input");
    box.type = "checkbox";
    toggle.append(box, " log scale");
    const plotBox = document.createElement("div");
    section.append(title, toggle, plotBox);
    insertInOrder(section, name);
    const made: Chart = { name, box: plotBox, plot: undefined, log: false };
    box.addEventListener("change", () => {
      made.log = box.checked;
      made.plot?.destroy();
      made.plot = undefined;
      schedule([name]);
    });
    charts.set(name, made);
    chart = made;
  }
  return chart;
}

function insertInOrder(section: HTMLElement, name: string): void {
  const container = byId("charts");
  const rank = (n: string): number => (ORDER.includes(n) ? ORDER.indexOf(n) : ORDER.length);
  const after = [...container.children].find((child) => {
    const other = (child as HTMLElement).dataset.metric ?? "";
    return rank(other) > rank(name) || (rank(other) === rank(name) && other > name);
  });
  container.insertBefore(section, after ?? null);
}

/** The chart's columns: x, then per run its raw curve (faint, live view) and its smoothed one. */
function columns(chart: Chart): { data: uPlot.AlignedData; series: uPlot.Series[] } {
  const present = runs.filter((run) => run.data.series.has(chart.name));
  const aligned =
    present.length === 1
      ? { x: present[0].data.series.get(chart.name)?.steps ?? [], ys: [present[0].data.series.get(chart.name)?.values ?? []] }
      : align(present.map((run) => run.data.series.get(chart.name) ?? { steps: [], values: [] }));
  const positive = (values: Value[]): Value[] => (chart.log ? values.map((v) => (v !== null && v > 0 ? v : null)) : values);
  const ys: Value[][] = [];
  const series: uPlot.Series[] = [{ label: "step", value: (_u, v) => (v === null ? "-" : String(v)) }];
  present.forEach((run, i) => {
    const raw = positive(aligned.ys[i]);
    if (live && weight > 0) {
      ys.push(raw);
      series.push({ label: `${run.label} (raw)`, stroke: run.colour, alpha: 0.25, width: 1, spanGaps: true, value: (_u, v) => number(v) });
    }
    ys.push(positive(smooth(raw, weight)));
    series.push({ label: run.label, stroke: run.colour, width: 1.5, spanGaps: true, value: (_u, v) => number(v), points: { show: false } });
  });
  return { data: [aligned.x, ...ys] as uPlot.AlignedData, series };
}

function draw(chart: Chart): void {
  const { data, series } = columns(chart);
  if (chart.plot !== undefined && chart.plot.series.length === series.length) {
    chart.plot.setData(data);
    return;
  }
  chart.plot?.destroy();
  const foreground = themeColour("--vscode-editor-foreground", "#888");
  const grid = themeColour("--vscode-editorWidget-border", "rgba(128,128,128,0.25)");
  const axis = { stroke: foreground, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  chart.plot = new uPlot(
    {
      width: Math.max(200, chart.box.clientWidth || byId("charts").clientWidth),
      height: HEIGHT,
      series,
      scales: { x: { time: false }, y: chart.log ? { distr: 3 } : {} },
      axes: [axis, { ...axis, size: 72, values: (_u, splits) => splits.map((v) => number(v)) }],
      cursor: { drag: { x: true, y: false } },
      legend: { live: true },
    },
    data,
    chart.box,
  );
}

function schedule(names: string[]): void {
  names.forEach((name) => dirty.add(name));
  if (frame === 0) {
    frame = requestAnimationFrame(flush);
  }
}

function flush(): void {
  frame = 0;
  for (const name of dirty) {
    draw(chartFor(name));
  }
  dirty.clear();
  for (const run of runs) {
    host.postMessage({ type: "drawn", runId: run.id, points: run.data.points() });
  }
}

function showStatus(): void {
  const element = byId("state");
  const failed = status.state === "failed" && status.exitCode !== undefined ? ` (exit code ${status.exitCode})` : "";
  element.textContent = status.state + failed;
  element.className = `state ${status.state}`;
  byId<HTMLButtonElement>("stop").hidden = !live || status.state !== "running";
  const run = runs[0];
  const step = run?.data.lastStep ?? null;
  const expected = run?.data.expectedSteps ?? null;
  byId("progress").textContent = live && run !== undefined ? progressText(step, expected) : "";
  byId("timing").textContent = live ? timing(step, expected) : "";
}

function timing(step: number | null, expected: number | null): string {
  if (status.startedMs === undefined) {
    return "";
  }
  const end = status.endedMs ?? Date.now();
  const parts = [`elapsed ${duration(end - status.startedMs)}`];
  const eta = status.state === "running" ? progress.etaMs(expected, step) : undefined;
  if (eta !== undefined) {
    parts.push(`ETA ${duration(eta)}`);
  }
  return parts.join(" · ");
}

function legend(): void {
  const element = byId("legend");
  element.replaceChildren(
    ...runs.map((run) => {
      const key = document.createElement("span");
      key.className = "key";
      key.style.color = run.colour;
      key.textContent = `■ ${run.label}`;
      return key;
    }),
  );
  element.hidden = live;
}

function receive(message: ToWebview): void {
  if (message.type === "init") {
    live = message.live;
    runs.length = 0;
    message.runs.forEach((run, i) => {
      const colour = themeColour(`--vscode-charts-${PALETTE[i % PALETTE.length]}`, "#3794ff");
      runs.push({ id: run.id, label: run.label, colour, data: new RunData() });
    });
    charts.forEach((chart) => chart.plot?.destroy());
    charts.clear();
    byId("charts").replaceChildren();
    legend();
  } else if (message.type === "series") {
    const run = runs.find((r) => r.id === message.runId);
    if (run === undefined) {
      return;
    }
    const note = byId("note");
    note.hidden = message.reply.waiting === undefined;
    note.textContent = message.reply.waiting ?? "";
    showLink(message.reply.link);
    const reset = message.reply.reset === true;
    const changed = run.data.merge(message.reply);
    progress.observe(Date.now(), run.data.lastStep);
    schedule(reset ? [...new Set([...changed, ...charts.keys()])] : changed);
  } else {
    status = { ...message };
    showTail(message.tail);
  }
  showStatus();
}

window.addEventListener("message", (event: MessageEvent<ToWebview>) => receive(event.data));
byId("stop").addEventListener("click", () => host.postMessage({ type: "stop" }));
byId("open-log").addEventListener("click", () => host.postMessage({ type: "openLog" }));
const slider = byId<HTMLInputElement>("smoothing");
slider.addEventListener("input", () => {
  weight = Number(slider.value);
  byId("smoothing-value").textContent = weight.toFixed(2);
  schedule([...charts.keys()]); // the same columns redrawn; a chart gains or loses its raw curve only at 0
});
new ResizeObserver(() => charts.forEach((chart) => chart.plot?.setSize({ width: Math.max(200, chart.box.clientWidth), height: HEIGHT }))).observe(
  byId("charts"),
);
setInterval(showStatus, 1000);
host.postMessage({ type: "ready" });
