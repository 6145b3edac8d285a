// Scenarios 8-10 (trusted, after scenario 6). 8: the Run lens on configs/tiny/lora_cpu.yaml opens the Run view
// beside the editor; when the run ends the view says "finished" and its loss chart holds one point per
// step the log has. The page is a webview (an iframe the extension host cannot read), so the view's state
// comes from the extension's exports (`runView(uri)`: what the page reported it drew).
"use strict";
const fs = require("fs");
const path = require("path");
const { lensesWhen } = require("./lib");

const TINY = "configs/tiny/lora_cpu.yaml";
const LOGS = path.join("configs", "tiny", ".artifacts", "output", "logs");
// 1000 epochs of 4 steps (a checkpoint after each): minutes on a CPU, stopped after its first logged steps.
const LONG = ["epochs=1000"];

/** The distinct steps a DiskLogger file logged (`Step N | ...` lines). */
function loggedSteps(file) {
  const steps = new Set();
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const match = /^Step (\d+) \|/.exec(line);
    if (match) {
      steps.add(Number(match[1]));
    }
  }
  return steps.size;
}

/** The DiskLogger files in the tiny config's log folder, oldest first. */
function logFiles(t) {
  const dir = path.join(t.folder.fsPath, LOGS);
  const names = fs.existsSync(dir) ? fs.readdirSync(dir).filter((name) => /^log_.*\.txt$/.test(name)) : [];
  return names.map((name) => path.join(dir, name)).sort((a, b) => fs.statSync(a).mtimeMs - fs.statSync(b).mtimeMs);
}

/** Whether the process `pid` is gone (ESRCH; a zombie not yet reaped counts as there). */
function gone(pid) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return error.code === "ESRCH";
  }
  return false;
}

/** The processes (pid, parent, command line) in /proc. */
function processes() {
  const found = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ").trim();
      found.push({ pid: Number(entry), ppid: Number(fields[1]), state: fields[0], cmdline });
    } catch {
      // it ended while being read
    }
  }
  return found;
}

/** `pid` and its descendants, as /proc has them now. */
function tree(pid) {
  const all = processes();
  const out = all.filter((p) => p.pid === pid);
  for (let i = 0; i < out.length; i += 1) {
    out.push(...all.filter((p) => p.ppid === out[i].pid));
  }
  return out;
}

const scenarios = [
  {
    name: "the Run lens opens the Run view: the loss curve has a point per logged step, the state is finished",
    async run(t) {
      const { vscode } = t;
      const extension = vscode.extensions.getExtension("tuneconf.tuneconf");
      t.ensure("the extension is active and exports runView", extension !== undefined && extension.isActive && typeof extension.exports.runView === "function");
      const api = extension.exports;
      const editor = await t.open(TINY);
      const uri = editor.document.uri;
      const lenses = await lensesWhen(t, uri, "tuneconf.runRecipe", "the Run lens");
      const run = lenses.find((lens) => lens.command.command === "tuneconf.runRecipe").command;
      const ended = [];
      const listener = vscode.tasks.onDidEndTaskProcess((e) => ended.push({ task: e.execution.task.name, exitCode: e.exitCode }));
      try {
        const command = Promise.resolve(vscode.commands.executeCommand(run.command, ...(run.arguments || [])));
        // One modal asks first: the prepare step on a fresh workspace, else (after scenario 6) the outputs it would overwrite.
        const asked = await t.screenshot("run-view-asked", [{ selector: ".monaco-dialog-box", timeout: 60000 }], { selector: ".monaco-dialog-box .monaco-button", text: "Run" });
        t.check("the run asks once before it starts, and Run is clicked", asked.ok, asked);
        const opened = await t.waitFor(() => api.runView(uri.toString()), 120000, "the Run view");
        t.note("the Run view when it opened", opened);
        const finished = await t.waitFor(() => ended.find((e) => e.task.startsWith("tune run")), 300000, "the run task to end");
        t.check("the run's task ends with exit code 0", finished.exitCode === 0, finished);
        await command;
        const view = await t.waitFor(() => {
          const now = api.runView(uri.toString());
          return now && now.state === "finished" && now.file && now.drawn.loss === loggedSteps(now.file) ? now : undefined;
        }, 30000, "the Run view to draw every logged step and say finished").catch((error) => {
          t.note("the Run view at the timeout", api.runView(uri.toString()));
          throw error;
        });
        const steps = loggedSteps(view.file);
        t.note("the Run view", view);
        t.check("the view follows this run's log (under output_dir/logs)", view.file.includes(path.join(".artifacts", "output", "logs")), view.file);
        t.check("the loss chart has as many points as the log has steps (4: max_steps_per_epoch × epochs)", view.drawn.loss === steps && steps === 4, { drawn: view.drawn, steps });
        t.check("lr and tokens_per_second_per_gpu are charted too", view.drawn.lr === steps && view.drawn.tokens_per_second_per_gpu === steps, view.drawn);
        t.check("the state is finished", view.state === "finished", view.state);
        const shot = await t.screenshot("run-view", [{ selector: ".tab", text: "Run: lora_cpu.yaml" }]);
        t.check("the browser shows the Run view's tab", shot.ok, shot.waits);
      } finally {
        listener.dispose();
      }
    },
  },
  {
    name: "Stop ends a longer run: its task ends, its process and any child are gone, the Run view says failed",
    async run(t) {
      const { vscode } = t;
      const api = vscode.extensions.getExtension("tuneconf.tuneconf").exports;
      t.ensure("the extension exports run and stop", typeof api.run === "function" && typeof api.stop === "function");
      const editor = await t.open(TINY);
      const uri = editor.document.uri;
      const before = new Set(logFiles(t));
      const started = [];
      const ended = [];
      const listeners = [
        vscode.tasks.onDidStartTaskProcess((e) => started.push({ task: e.execution.task.name, pid: e.processId })),
        vscode.tasks.onDidEndTaskProcess((e) => ended.push({ task: e.execution.task.name, exitCode: e.exitCode, ms: Date.now() })),
      ];
      let commandDone = false;
      const command = Promise.resolve(api.run(uri.toString(), LONG)).then(
        () => { commandDone = true; },
        (error) => { commandDone = true; t.check("the run does not fail to start", false, String(error)); },
      );
      try {
        // The checked plan warns that the run overwrites the outputs of the earlier ones: Run is clicked.
        const asked = await t.screenshot("long-run-asked", [{ selector: ".monaco-dialog-box", timeout: 60000 }], { selector: ".monaco-dialog-box .monaco-button", text: "Run" });
        t.check("the run asks once before it starts, and Run is clicked", asked.ok, asked);
        const task = await t.waitFor(() => started.find((s) => s.task.startsWith("tune run")), 120000, "the run's task process");
        t.note("the run's task process", task);
        // The recipe's own log (a new file in the log folder) with a step in it: the run is under way.
        const log = await t.waitFor(() => logFiles(t).find((file) => !before.has(file) && loggedSteps(file) >= 1), 180000, "the run's new log with a logged step").catch((error) => {
          t.note("task processes ended", ended);
          throw error;
        });
        t.note("the run's log", log);
        // The view must follow that log (not an earlier run's): a failed check, not the end of the scenario, so Stop is still tested.
        const running = await t.waitFor(() => {
          const now = api.runView(uri.toString());
          return now && now.state === "running" && now.file === log && (now.drawn.loss || 0) >= 1 ? now : undefined;
        }, 30000, "the Run view to show the new run running with a logged step").catch(() => api.runView(uri.toString()));
        t.check("the Run view shows this run's log running, with its logged steps drawn",
          running && running.state === "running" && running.file === log && running.drawn.loss >= 1, { view: running, log });
        t.note("the Run view while running", running);
        const family = tree(task.pid);
        t.note("the task's process and its children", family);
        t.check("the task's process runs the recipe on this config with the overrides",
          family.some((p) => p.cmdline.includes(TINY) && p.cmdline.includes(LONG[0])), family);
        t.check("the run has not ended by itself", ended.every((e) => !e.task.startsWith("tune run")), ended);

        const stopMs = Date.now();
        t.ensure("Stop is pressed (the view follows a running run)", api.stop(uri.toString()) === true);
        const end = await t.waitFor(() => ended.find((e) => e.task.startsWith("tune run")), 60000, "the run's task to end after Stop");
        t.note("the task's end", { ...end, secondsAfterStop: (end.ms - stopMs) / 1000 });
        t.check("the task ends with a non-zero exit code", end.exitCode !== 0, end);
        await t.waitFor(() => commandDone, 10000, "the run to return");
        const left = await t.waitFor(() => {
          const familyLeft = family.filter((p) => !gone(p.pid));
          const named = processes().filter((p) => p.pid !== process.pid && p.state !== "Z" && p.cmdline.includes(TINY) && p.cmdline.includes(LONG[0]));
          return familyLeft.length === 0 && named.length === 0 ? { familyLeft, named } : undefined;
        }, 15000, "the run's processes to be gone").catch(() => ({
          familyLeft: family.filter((p) => !gone(p.pid)),
          named: processes().filter((p) => p.pid !== process.pid && p.cmdline.includes(TINY)),
        }));
        t.check("the task's process is gone (kill(pid, 0): ESRCH)", gone(task.pid), task);
        t.check("no child of it remains, nor any process running this config with the overrides", left.familyLeft.length === 0 && left.named.length === 0, left);
        const view = await t.waitFor(() => {
          const now = api.runView(uri.toString());
          return now && (now.state === "failed" || now.state === "stopped") ? now : undefined;
        }, 30000, "the Run view to say the run stopped").catch((error) => {
          t.note("the Run view at the timeout", api.runView(uri.toString()));
          throw error;
        });
        t.note("the Run view after Stop", view);
        const steps = loggedSteps(log);
        t.check("the view says failed or stopped (the page adds the exit code)", view.state === "failed" || view.state === "stopped", view.state);
        t.check("the log stopped early: at least one step, far fewer than 4000", steps >= 1 && steps < 4000, { log, steps });
      } finally {
        listeners.forEach((listener) => listener.dispose());
        // A run still going (a failed check before Stop) must not outlive the scenario.
        vscode.tasks.taskExecutions.filter((e) => e.task.definition.type === "tuneconf").forEach((e) => e.terminate());
        await Promise.race([command, new Promise((resolve) => setTimeout(resolve, 5000))]);
      }
    },
  },
  {
    name: "two runs overlaid: Compare Runs on the two newest logs draws each run's loss with a point per logged step",
    async run(t) {
      const { vscode } = t;
      const api = vscode.extensions.getExtension("tuneconf.tuneconf").exports;
      t.ensure("the extension exports compare", typeof api.compare === "function");
      const editor = await t.open(TINY);
      const uri = editor.document.uri;
      const files = logFiles(t);
      t.note("the log folder's runs", files.map((file) => ({ file: path.basename(file), steps: loggedSteps(file) })));
      t.ensure("the log folder holds at least two runs", files.length >= 2, files);
      const pair = files.slice(-2);
      const steps = pair.map(loggedSteps);
      const snapshot = await api.compare(uri.toString(), pair);
      t.ensure("Compare Runs opens a view", typeof snapshot === "function");
      const view = await t.waitFor(() => {
        const now = snapshot();
        return now.loaded && now.runs.length === 2 && now.runs.every((run, i) => run.drawn.loss === steps[i]) ? now : undefined;
      }, 30000, "both runs' loss drawn, a point per logged step").catch((error) => {
        t.note("the compare view at the timeout", snapshot());
        throw error;
      });
      t.note("the compare view", view);
      t.check("the view overlays the two runs asked for, in that order", JSON.stringify(view.runs.map((run) => run.file)) === JSON.stringify(pair), view.runs);
      t.check("each run's loss has as many points as its log has steps", view.runs.every((run, i) => run.drawn.loss === steps[i] && steps[i] >= 1), { drawn: view.runs.map((run) => run.drawn), steps });
      t.check("the legend names the overrides the newer run was launched with", view.runs[1].label.includes(LONG[0]), view.runs.map((run) => run.label));
      const shot = await t.screenshot("runs-overlaid", [{ selector: ".tab", text: "Compare 2 runs" }]);
      t.check("the browser shows the compare view's tab", shot.ok, shot.waits);
    },
  },
];

module.exports = { scenarios };
