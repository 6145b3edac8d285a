// Scenario 8: an untrusted folder (Restricted Mode). The static features stay; nothing runs.
"use strict";
const { codeOf, describe, rangeOf, sameRange, labels, diagnosticsWhen, lensesWhen, hasCode, append } = require("./lib");

const DEMO = "configs/demo_mistakes.yaml";
const TINY = "configs/tiny/lora_cpu.yaml";
const RUNS = ["tuneconf.runRecipe", "tuneconf.debugRecipe"];

const scenarios = [
  {
    name: "Restricted Mode: diagnostics and completion, no Run/Debug lens, runRecipe starts no task",
    async run(t) {
      const { vscode } = t;
      t.ensure("the folder is not trusted (Restricted Mode)", vscode.workspace.isTrusted === false, vscode.workspace.isTrusted);
      const extension = vscode.extensions.getExtension("tuneconf.tuneconf");
      t.ensure("the tuneconf extension is installed", extension !== undefined);
      t.note("untrustedWorkspaces", extension.packageJSON.capabilities.untrustedWorkspaces);

      const editor = await t.open(DEMO);
      const document = editor.document;
      const diagnostics = await diagnosticsWhen(
        t,
        document.uri,
        (found) => hasCode(found, "unknown-member") && hasCode(found, "unexpected-argument"),
        "unknown-member and unexpected-argument diagnostics",
      );
      t.check("the extension is active in Restricted Mode", extension.isActive);
      t.note("diagnostics", diagnostics.map((d) => describe(document, d)));
      for (const [code, needle] of [["unknown-member", "alpaca_datset"], ["unexpected-argument", "lora_rnak"]]) {
        const want = rangeOf(vscode, document, needle);
        t.check(`${code} exactly on \`${needle}\``, diagnostics.some((d) => codeOf(d) === code && sameRange(d.range, want)));
      }

      const lenses = await lensesWhen(t, document.uri, "tuneconf.checkConfig", "the Check lens");
      const commands = lenses.map((lens) => lens.command && lens.command.command);
      t.note("lenses", lenses.map((lens) => lens.command && lens.command.title));
      t.check("no Run or Debug lens is offered", !commands.some((command) => RUNS.includes(command)), commands);
      t.check("the Check and Effective config lenses remain",
        commands.includes("tuneconf.checkConfig") && commands.includes("tuneconf.showEffectiveConfig"), commands);
      await vscode.commands.executeCommand("workbench.actions.view.problems");
      const shot = await t.screenshot("restricted-mode", [
        { selector: ".monaco-editor .squiggly-error" },
        { selector: ".codelens-decoration", text: "Check" },
        { selector: ".statusbar-item", text: "Restricted Mode" },
      ]);
      t.check("the browser shows Restricted Mode, squiggles and the remaining lenses", shot.ok, shot.waits);
      const shownLenses = (shot.waits || []).find((w) => w.selector === ".codelens-decoration");
      // Only a lens row the browser did show counts (a failed wait reports seen: "").
      t.check("the lens row the browser shows has no Run or Debug",
        shownLenses !== undefined && shownLenses.ok && !/\bRun\b|\bDebug\b/.test(shownLenses.seen || ""), shownLenses);

      const scratch = await append(t, editor, "\nscratch_dataset:\n  _component_: torchtune.datasets.");
      const end = scratch.lineAt(scratch.lineCount - 1).range.end;
      const members = labels(await vscode.commands.executeCommand("vscode.executeCompletionItemProvider", scratch.uri, end));
      t.note("members of torchtune.datasets", members);
      t.check("completion after `torchtune.datasets.` still offers alpaca_dataset", members.includes("alpaca_dataset"), members.slice(0, 20));
      await vscode.commands.executeCommand("workbench.action.files.revert");

      const tiny = (await t.open(TINY)).document;
      const started = [];
      const listener = vscode.tasks.onDidStartTask((e) => started.push(e.execution.task.name));
      try {
        await Promise.race([
          vscode.commands.executeCommand("tuneconf.runRecipe", tiny.uri.toString()),
          new Promise((_, reject) => setTimeout(() => reject(new Error("tuneconf.runRecipe did not return within 30 s")), 30000)),
        ]);
      } finally {
        listener.dispose();
      }
      t.check("tuneconf.runRecipe returns without starting a task", started.length === 0 && vscode.tasks.taskExecutions.length === 0,
        { started, executions: vscode.tasks.taskExecutions.map((e) => e.task.name) });
      t.check("no terminal was opened", vscode.window.terminals.length === 0, vscode.window.terminals.map((term) => term.name));
      const refused = await t.screenshot("restricted-run-refused", [{ selector: ".notification-toast", text: "Restricted Mode" }]);
      t.check("the browser shows the 'not available in Restricted Mode' notification", refused.ok, refused.waits);
    },
  },
];

module.exports = { scenarios };
