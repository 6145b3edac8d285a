// The browser side of `make e2e-vscode`: opens the code-server workbench in headless Chromium
// (playwright-core, Debian's /usr/bin/chromium), which starts the extension host and with it the
// suite; answers the suite's screenshot requests; returns once the suite's report exists.
//
// env: CS_URL       the workbench URL (http://127.0.0.1:PORT/?folder=...)
//      RESULT       the report the driver extension writes
//      CHANNEL      folder of screenshot requests (NAME.request.json) and answers (NAME.answer.json)
//      SHOTS        folder for the PNG files
//      TIMEOUT_S    how long the suite may take (default 600)
//      CHROMIUM     the browser (default /usr/bin/chromium)
"use strict";
const fs = require("fs");
const http = require("http");
const os = require("os");
const path = require("path");
const { chromium } = require("playwright-core");

const url = need("CS_URL");
const result = need("RESULT");
const channel = need("CHANNEL");
const shots = need("SHOTS");
const timeoutMs = Number(process.env.TIMEOUT_S || 600) * 1000;

function need(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`browser.js: set ${name}`);
    process.exit(2);
  }
  return value;
}

const t0 = Date.now();
const log = (message) => console.log(`[browser ${((Date.now() - t0) / 1000).toFixed(1)}s] ${message}`);
const tick = () => new Promise((resolve) => setTimeout(resolve, 100));

function healthy() {
  return new Promise((resolve) => {
    const health = new URL("/healthz", url);
    http.get(health, (response) => { response.resume(); resolve(response.statusCode === 200); }).on("error", () => resolve(false));
  });
}

async function until(probe, ms, what) {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    }
    await tick();
  }
}

function writeJson(file, value) {
  fs.writeFileSync(`${file}.partial`, JSON.stringify(value, null, 2));
  fs.renameSync(`${file}.partial`, file);
}

async function answer(page, requestFile) {
  const request = JSON.parse(fs.readFileSync(requestFile, "utf8"));
  const waits = [];
  for (const wait of request.waits || []) {
    // Only visible elements count: VS Code keeps hidden hovers and terminals in the DOM.
    const locator = page.locator(`${wait.selector} >> visible=true`, wait.text ? { hasText: wait.text } : {}).first();
    const ok = await locator.waitFor({ state: "visible", timeout: wait.timeout || 20000 }).then(() => true, () => false);
    const seen = ok ? (await locator.innerText().catch(() => "")).slice(0, 600) : "";
    waits.push({ selector: wait.selector, text: wait.text, ok, seen });
  }
  const file = path.join(shots, `${request.name}.png`);
  // Fade-ins (hovers, widgets) are finished at once, so pictures never catch them half-drawn.
  await page.screenshot({ path: file, animations: "disabled" });
  log(`screenshot ${file}${waits.every((w) => w.ok) ? "" : " (some elements never showed)"}`);
  const clicked = request.click ? await click(page, request.click) : undefined;
  const ok = waits.every((w) => w.ok) && clicked !== false;
  writeJson(requestFile.replace(/\.request\.json$/, ".answer.json"), { ok, waits, clicked, file });
}

/** Clicks the first visible element matching {selector, text?}; false when none shows up. */
async function click(page, target) {
  const locator = page.locator(`${target.selector} >> visible=true`, target.text ? { hasText: target.text } : {}).first();
  const clicked = await locator.click({ timeout: target.timeout || 20000 }).then(() => true, () => false);
  log(`click ${target.selector} ${target.text || ""}: ${clicked ? "done" : "nothing to click"}`);
  return clicked;
}

(async () => {
  fs.mkdirSync(shots, { recursive: true });
  fs.mkdirSync(channel, { recursive: true });
  await until(healthy, 60000, "code-server's /healthz");
  log("code-server is up");
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "tuneconf-e2e-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  let failed = false;
  try {
    const page = context.pages()[0] || (await context.newPage());
    const errors = [];
    page.on("console", (message) => { if (message.type() === "error") errors.push(message.text().slice(0, 300)); });
    page.on("pageerror", (error) => errors.push(String(error).slice(0, 300)));
    await page.goto(url, { waitUntil: "domcontentloaded" });
    await page.waitForSelector(".monaco-workbench", { timeout: 60000 });
    log("workbench loaded; the suite runs in the extension host");
    const answered = new Set();
    const end = Date.now() + timeoutMs;
    while (!fs.existsSync(result)) {
      if (Date.now() > end) {
        throw new Error(`no report after ${timeoutMs / 1000} s (${result})`);
      }
      for (const name of fs.readdirSync(channel).sort()) {
        if (name.endsWith(".request.json") && !answered.has(name)) {
          answered.add(name);
          await answer(page, path.join(channel, name));
        }
      }
      await tick();
    }
    await page.screenshot({ path: path.join(shots, "zz-final.png") });
    fs.writeFileSync(path.join(shots, "browser-console-errors.txt"), errors.join("\n") + "\n");
  } catch (error) {
    failed = true;
    console.error(`browser.js: ${error.stack || error}`);
    const page = context.pages()[0];
    if (page) {
      await page.screenshot({ path: path.join(shots, "zz-error.png") }).catch(() => undefined);
    }
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
})();
