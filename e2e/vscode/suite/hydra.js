// Scenario of issue 16 in the trusted workspace: the Hydra example (configs/hydra: train.py with
// @hydra.main, conf/ with groups). A primary config gets the Run lens of its entry point, a defaults entry
// goes to its option's file, options complete, and a typo in a group file is found against the composed
// config.
"use strict";
const fs = require("fs");
const path = require("path");
const { rangeOf, lensesWhen, labels, diagnosticsWhen, hasCode, placeCursor } = require("./lib");

const PRIMARY = "configs/hydra/conf/train.yaml";
const GROUP = "configs/hydra/conf/optimizer/sgd.yaml";

const scenarios = [
  {
    name: "Hydra: the Run lens of the entry point, defaults navigation and completion, a group file checked against the composed config, override completion in .vscode/tuneconf.json",
    async run(t) {
      const { vscode } = t;
      await vscode.commands.executeCommand("workbench.action.closeAllEditors");
      await vscode.commands.executeCommand("workbench.action.closePanel");
      const editor = await t.open(PRIMARY);
      const document = editor.document;
      const lenses = await lensesWhen(t, document.uri, "tuneconf.runRecipe", "the Run lens on the Hydra primary config");
      const titles = lenses.filter((lens) => lens.command).map((lens) => lens.command.title);
      t.note("lenses", titles);
      t.check("the Run lens names the entry point", titles.includes("Run train.py"), titles);
      const clean = await diagnosticsWhen(t, document.uri, (found) => found.every((d) => d.severity > 1), "no errors on the primary config", 30000);
      t.check("the primary config has no errors", clean.every((d) => d.severity > 1), clean.map((d) => d.message));
      const option = rangeOf(vscode, document, "small").start.translate(0, 2);
      const targets = await vscode.commands.executeCommand("vscode.executeDefinitionProvider", document.uri, option);
      const target = (targets || [])[0];
      const where = target ? (target.uri || target.targetUri).fsPath : "";
      t.note("definition of `model: small`", where);
      t.check("the defaults entry goes to model/small.yaml", where.endsWith("model/small.yaml"), where);
      const after = rangeOf(vscode, document, "optimizer: adamw").start.translate(0, "optimizer: ".length);
      const items = labels(await vscode.commands.executeCommand("vscode.executeCompletionItemProvider", document.uri, after));
      t.note("options of optimizer", items);
      t.check("the options of the group complete", ["adamw", "sgd"].every((name) => items.includes(name)), items);
      await placeCursor(t, editor, option);
      const shot = await t.screenshot("hydra-primary-config", [
        { selector: ".monaco-editor .view-line", text: "model: small" },
        { selector: ".codelens-decoration", text: "Run train.py" },
      ]);
      t.check("the browser shows the primary config", shot.ok, shot.waits);

      const group = await t.open(GROUP);
      const edit = new vscode.WorkspaceEdit();
      edit.replace(group.document.uri, rangeOf(vscode, group.document, "momentum"), "momentun");
      t.ensure("typo typed", await vscode.workspace.applyEdit(edit));
      const found = await diagnosticsWhen(
        t,
        group.document.uri,
        (diagnostics) => hasCode(diagnostics, "unexpected-argument", group.document, "momentun"),
        "the typo in the group file",
      );
      const typo = found.find((d) => d.message.includes("momentun"));
      t.note("group file diagnostic", typo.message);
      t.check("the fix suggests the parameter", typo.message.includes("momentum"), typo.message);
      await vscode.commands.executeCommand("workbench.action.files.revert");

      // Override sets in .vscode/tuneconf.json: a group's options complete inside the string.
      const settings = path.join(t.folder.fsPath, ".vscode", "tuneconf.json");
      fs.mkdirSync(path.dirname(settings), { recursive: true });
      fs.writeFileSync(settings, JSON.stringify({ overrideSets: { [PRIMARY]: { quick: ["optimizer=s"] } } }, null, 2));
      const sets = await t.open(".vscode/tuneconf.json");
      const typed = rangeOf(vscode, sets.document, "optimizer=s").end;
      const offered = await t.waitFor(
        async () => {
          const found = labels(await vscode.commands.executeCommand("vscode.executeCompletionItemProvider", sets.document.uri, typed));
          return found.some((label) => label.includes("sgd")) ? found : undefined;
        },
        30000,
        "the optimizer's options in the override set",
      );
      t.note("override completion", offered);
      t.check("an override set completes a group's options", offered.some((label) => label.includes("sgd")), offered);
      fs.rmSync(settings);
      await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    },
  },
];

module.exports = { scenarios };
