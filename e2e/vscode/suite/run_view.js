// Scenario 9 (trusted, after scenario 6): the Run lens on configs/tiny/lora_cpu.yaml opens the Run view
// beside the editor; when the run ends the view says "finished" and its loss chart holds one point per
// step the log has. The page is a webview (an iframe the extension host cannot read), so the view's state
// comes from the extension's exports (`runView(uri)`: what the page reported it drew).
"use strict";
const fs = require("fs");
const path = require("path");
const { lensesWhen } = require("./lib");

const TINY = "configs/tiny/lora_cpu.yaml";

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
];

module.exports = { scenarios };
