// The end-to-end driver: when code-server was started with TUNECONF_E2E_SUITE (a module exporting
// `scenarios`), run them one by one inside this extension host, through the real VS Code API, and
// write a JSON report to TUNECONF_E2E_RESULT. Screenshots are asked of the browser side (which
// holds the page) through files in TUNECONF_E2E_CHANNEL: a request names the picture and the
// elements to wait for; the browser answers with what it saw.
"use strict";
const fs = require("fs");
const path = require("path");
const vscode = require("vscode");

function activate() {
  const suite = process.env.TUNECONF_E2E_SUITE;
  const result = process.env.TUNECONF_E2E_RESULT;
  if (!suite || !result) {
    return;
  }
  // Activation must not wait for the suite; it runs on its own.
  void runSuite(suite, result, process.env.TUNECONF_E2E_CHANNEL);
}

function writeJson(file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  fs.writeFileSync(partial, JSON.stringify(value, null, 2));
  fs.renameSync(partial, file); // readers never see half a file
}

function errorText(error) {
  return String((error && error.stack) || error);
}

/** Polls `probe` until it returns something other than undefined/null/false, or fails after `ms`. */
async function waitFor(probe, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) {
      return value;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function makeContext(entry, channel) {
  const workspace = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  let shots = 0;
  const t = {
    vscode,
    folder: workspace ? workspace.uri : undefined,
    waitFor,
    /** Records a check; the scenario passes when all its checks hold and nothing threw. */
    check(name, ok, detail) {
      entry.checks.push(detail === undefined ? { name, ok: !!ok } : { name, ok: !!ok, detail });
      return !!ok;
    },
    /** A check the rest of the scenario depends on: throws when it fails. */
    ensure(name, ok, detail) {
      if (!t.check(name, ok, detail)) {
        throw new Error(`failed: ${name}`);
      }
    },
    note(name, value) {
      entry.notes[name] = value;
    },
    uri(relative) {
      return vscode.Uri.joinPath(t.folder, ...relative.split("/"));
    },
    async open(relative) {
      const document = await vscode.workspace.openTextDocument(t.uri(relative));
      return vscode.window.showTextDocument(document, { preview: false });
    },
    /**
     * Asks the browser for a screenshot once every `waits` element ({selector, text?}) is visible, then
     * (with `click`, {selector, text?}) to click that element as a person would (a modal's button);
     * resolves with {ok, waits: [{selector, text, ok, seen}], file}.
     */
    async screenshot(name, waits = [], click = undefined) {
      if (!channel) {
        return { ok: false, reason: "no TUNECONF_E2E_CHANNEL" };
      }
      shots += 1;
      const id = `${entry.index}${String.fromCharCode(96 + shots)}-${name}`;
      const request = path.join(channel, `${id}.request.json`);
      const answer = path.join(channel, `${id}.answer.json`);
      writeJson(request, { name: id, waits, click });
      await waitFor(() => fs.existsSync(answer), 60000, `the browser's screenshot ${id}`);
      const seen = JSON.parse(fs.readFileSync(answer, "utf8"));
      entry.screenshots.push(seen.file);
      return seen;
    },
  };
  return t;
}

async function runSuite(suitePath, resultPath, channel) {
  const report = {
    ok: false,
    vscode: vscode.version,
    trusted: vscode.workspace.isTrusted,
    suite: path.basename(suitePath),
    scenarios: [],
  };
  const started = Date.now();
  try {
    const { scenarios } = require(suitePath);
    for (const [index, scenario] of scenarios.entries()) {
      const entry = { index: index + 1, name: scenario.name, ok: false, seconds: 0, checks: [], notes: {}, screenshots: [] };
      report.scenarios.push(entry);
      const t0 = Date.now();
      try {
        await scenario.run(makeContext(entry, channel));
        entry.ok = entry.checks.length > 0 && entry.checks.every((check) => check.ok);
      } catch (error) {
        entry.error = errorText(error);
      }
      entry.seconds = (Date.now() - t0) / 1000;
    }
    report.ok = report.scenarios.length > 0 && report.scenarios.every((entry) => entry.ok);
  } catch (error) {
    report.error = errorText(error);
  }
  report.seconds = (Date.now() - started) / 1000;
  writeJson(resultPath, report);
}

module.exports = { activate, deactivate() {} };
