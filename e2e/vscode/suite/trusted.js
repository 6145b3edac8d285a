// Scenarios 1-7 (then insight.js's), in a trusted workspace holding a copy of the repository's configs/.
// Each asserts through the VS Code API in the extension host and asks the browser for screenshots.
"use strict";
const fs = require("fs");
const path = require("path");
const {
  codeOf, describe, rangeOf, sameRange, labels, hoverText, diagnosticsWhen, lensesWhen, hasCode, append, placeCursor,
} = require("./lib");

const DEMO = "configs/demo_mistakes.yaml";
const CLEAN = "configs/llama3_2_1b_lora.yaml";
const TINY = "configs/tiny/lora_cpu.yaml";
const DOWNLOAD = "configs/download_model.yaml";
const REPO = "acme/Tiny-Model";
// Written by scenario 7: a config whose checkpoint folder was never downloaded, and whose header says how.
const DOWNLOAD_TEXT = `# Get the model first:
#   tune download ${REPO} --output-dir models/Tiny-Model --hf-token <HF_TOKEN>
tokenizer:
  _component_: torchtune.models.llama3.llama3_tokenizer
  path: models/Tiny-Model/original/tokenizer.model
checkpointer:
  _component_: torchtune.training.FullModelHFCheckpointer
  checkpoint_dir: models/Tiny-Model
  checkpoint_files: [model.safetensors]
  output_dir: out
  model_type: LLAMA3
`;

/** Normalises what executeDefinitionProvider returns (Location or LocationLink). */
function target(found) {
  return { uri: found.targetUri || found.uri, range: found.targetSelectionRange || found.targetRange || found.range };
}

async function definitionLine(t, uri, position) {
  const found = (await t.vscode.commands.executeCommand("vscode.executeDefinitionProvider", uri, position)) || [];
  t.ensure("a definition is found", found.length > 0, found.length);
  const { uri: file, range } = target(found[0]);
  const document = await t.vscode.workspace.openTextDocument(file);
  return { file, range, line: document.lineAt(range.start.line).text };
}

const scenarios = [
  {
    name: "diagnostics with exact ranges, in the Problems panel (demo_mistakes.yaml)",
    async run(t) {
      const { vscode } = t;
      const extension = vscode.extensions.getExtension("tuneconf.tuneconf");
      t.ensure("the tuneconf extension is installed from the .vsix", extension !== undefined);
      t.note("extension", `${extension.id} ${extension.packageJSON.version} at ${extension.extensionPath}`);
      const editor = await t.open(DEMO);
      const document = editor.document;
      t.check("the config opens as YAML", document.languageId === "yaml", document.languageId);
      const diagnostics = await diagnosticsWhen(
        t,
        document.uri,
        (found) => hasCode(found, "unknown-member") && hasCode(found, "unexpected-argument"),
        "unknown-member and unexpected-argument diagnostics",
      );
      t.check("the extension is active", extension.isActive);
      t.note("diagnostics", diagnostics.map((d) => describe(document, d)));
      t.check("every diagnostic comes from tuneconf", diagnostics.every((d) => d.source === "tuneconf"));
      // [code, the text the range covers, severity]; `lr: 1e-4` is the second `lr` key: the range is its `lr`.
      const expected = [
        ["unknown-member", "alpaca_datset", vscode.DiagnosticSeverity.Error],
        ["unexpected-argument", "lora_rnak", vscode.DiagnosticSeverity.Error],
        ["unexpected-argument", "num_output_chunk", vscode.DiagnosticSeverity.Error],
        ["duplicate-key", "lr: 1e-4", vscode.DiagnosticSeverity.Error, 2],
        ["wrong-type", "sixteen", vscode.DiagnosticSeverity.Error],
        // A private dotpath is reported on the whole dotpath, which its quick fix replaces.
        ["private-dotpath", "torchtune.models.llama3._model_builders.llama3_tokenizer", vscode.DiagnosticSeverity.Warning],
        ["unknown-interpolation-key", "outptu_dir", vscode.DiagnosticSeverity.Error],
        // Recipe awareness: lora_finetune_single_device (from the `tune run` header) reads `epochs`.
        ["unused-key", "epoch: 1", vscode.DiagnosticSeverity.Warning, 5],
      ];
      for (const [code, needle, severity, length] of expected) {
        const found = rangeOf(vscode, document, needle);
        const want = length === undefined ? found : new vscode.Range(found.start, found.start.translate(0, length));
        const hit = diagnostics.find((d) => codeOf(d) === code && sameRange(d.range, want));
        t.check(
          `${code} exactly on \`${document.getText(want)}\` (line ${want.start.line + 1}, columns ${want.start.character + 1}-${want.end.character})`,
          hit !== undefined && hit.severity === severity,
          hit ? describe(document, hit) : diagnostics.filter((d) => codeOf(d) === code).map((d) => describe(document, d)),
        );
      }
      await vscode.commands.executeCommand("workbench.actions.view.problems");
      const shot = await t.screenshot("problems-panel", [
        { selector: ".monaco-editor .squiggly-error" },
        { selector: ".markers-panel .monaco-list-row", text: "alpaca_datset" },
        { selector: ".markers-panel .monaco-list-row", text: "lora_rnak" },
      ]);
      t.check("the browser shows error squiggles and Problems rows for alpaca_datset and lora_rnak", shot.ok, shot.waits);
    },
  },
  {
    name: "completion of dotpath members and of a component's arguments",
    async run(t) {
      const { vscode } = t;
      const editor = await t.open(CLEAN);
      const document = await append(t, editor, "\nscratch_dataset:\n  _component_: torchtune.datasets.");
      const end = document.lineAt(document.lineCount - 1).range.end;
      const members = labels(await vscode.commands.executeCommand("vscode.executeCompletionItemProvider", document.uri, end));
      t.note("members of torchtune.datasets", members);
      t.check(
        "after `_component_: torchtune.datasets.` the items include alpaca_dataset, chat_dataset, instruct_dataset",
        ["alpaca_dataset", "chat_dataset", "instruct_dataset"].every((name) => members.includes(name)),
        members.slice(0, 20),
      );
      await placeCursor(t, editor, end);
      await vscode.commands.executeCommand("editor.action.triggerSuggest");
      const shot = await t.screenshot("dotpath-completion", [{ selector: ".suggest-widget .monaco-list-row", text: "alpaca_dataset" }]);
      t.check("the browser shows the suggest widget with alpaca_dataset", shot.ok, shot.waits);
      await vscode.commands.executeCommand("hideSuggestWidget");

      await append(t, editor, "alpaca_dataset\n  ");
      const inside = document.lineAt(document.lineCount - 1).range.end;
      const items = (await vscode.commands.executeCommand("vscode.executeCompletionItemProvider", document.uri, inside)).items;
      const names = labels({ items });
      t.note("arguments of alpaca_dataset", names);
      t.check(
        "inside the dataset mapping the items are alpaca_dataset's arguments (packed, train_on_input, source, split, column_map)",
        ["packed", "train_on_input", "source", "split", "column_map"].every((name) => names.includes(name)),
        names,
      );
      t.check("the component key itself is not offered again", !names.includes("_component_"), names);
      const trainOnInput = items.find((item) => (item.label.label || item.label) === "train_on_input");
      t.note("train_on_input item", {
        detail: trainOnInput && trainOnInput.detail,
        insertText: trainOnInput && (trainOnInput.insertText.value || trainOnInput.insertText),
      });
      await placeCursor(t, editor, inside);
      await vscode.commands.executeCommand("editor.action.triggerSuggest");
      const argShot = await t.screenshot("argument-completion", [{ selector: ".suggest-widget .monaco-list-row", text: "train_on_input" }]);
      t.check("the browser shows the suggest widget with train_on_input", argShot.ok, argShot.waits);
      await vscode.commands.executeCommand("hideSuggestWidget");
      await vscode.commands.executeCommand("workbench.action.files.revert");
      t.check("the scratch edits are reverted", !document.isDirty);
    },
  },
  {
    name: "hover on a dotpath shows the signature",
    async run(t) {
      const { vscode } = t;
      const editor = await t.open(DEMO);
      const document = editor.document;
      const member = rangeOf(vscode, document, "lora_llama3_2_1b");
      const text = hoverText(await vscode.commands.executeCommand("vscode.executeHoverProvider", document.uri, member.start.translate(0, 4)));
      t.note("hover on lora_llama3_2_1b", text);
      t.check(
        "the hover shows lora_llama3_2_1b's signature (its parameters lora_attn_modules, lora_rank, lora_alpha)",
        /lora_llama3_2_1b\s*\(/.test(text) && ["lora_attn_modules", "lora_rank", "lora_alpha"].every((p) => text.includes(p)),
        text.slice(0, 400),
      );
      const prefix = rangeOf(vscode, document, "llama3_2.lora");
      const moduleText = hoverText(await vscode.commands.executeCommand("vscode.executeHoverProvider", document.uri, prefix.start.translate(0, 2)));
      t.note("hover on the llama3_2 segment", moduleText);
      t.check("the hover on the `llama3_2` segment names the module torchtune.models.llama3_2", moduleText.includes("torchtune.models.llama3_2"), moduleText.slice(0, 200));
      // The picture for the README: squiggles, the Problems panel and this hover.
      await vscode.commands.executeCommand("workbench.actions.view.problems");
      await placeCursor(t, editor, member.start.translate(0, 4));
      await vscode.commands.executeCommand("editor.action.showHover");
      const shot = await t.screenshot("hover", [
        { selector: ".monaco-hover", text: "lora_attn_modules" },
        { selector: ".markers-panel .monaco-list-row", text: "lora_rnak" },
      ]);
      t.check("the browser shows the hover with the signature", shot.ok, shot.waits);
      // A second picture: the hover on a mistake, with its message and quick fix.
      await placeCursor(t, editor, rangeOf(vscode, document, "alpaca_datset").start.translate(0, 3));
      await vscode.commands.executeCommand("editor.action.showHover");
      const mistake = await t.screenshot("hover-on-mistake", [{ selector: ".monaco-hover", text: "did you mean 'alpaca_dataset'" }]);
      t.check("the browser shows the hover on alpaca_datset with its diagnostic", mistake.ok, mistake.waits);
    },
  },
  {
    name: "go to definition opens the site-packages source at the definition",
    async run(t) {
      const { vscode } = t;
      const editor = await t.open(CLEAN);
      const document = editor.document;
      const at = rangeOf(vscode, document, "lora_llama3_2_1b").start.translate(0, 3);
      const builder = await definitionLine(t, document.uri, at);
      t.note("definition of lora_llama3_2_1b", { file: builder.file.fsPath, line: builder.range.start.line + 1, text: builder.line });
      t.check(
        "the definition is torchtune/models/llama3_2/_model_builders.py in site-packages",
        /site-packages\/torchtune\/models\/llama3_2\/_model_builders\.py$/.test(builder.file.fsPath),
        builder.file.fsPath,
      );
      t.check("the definition's line starts with `def lora_llama3_2_1b(`", builder.line.startsWith("def lora_llama3_2_1b("), builder.line);
      const checkpointer = await definitionLine(t, document.uri, rangeOf(vscode, document, "FullModelHFCheckpointer").start.translate(0, 5));
      t.note("definition of FullModelHFCheckpointer", { file: checkpointer.file.fsPath, line: checkpointer.range.start.line + 1, text: checkpointer.line });
      t.check("a class component goes to its `class FullModelHFCheckpointer` line", /^class FullModelHFCheckpointer\b/.test(checkpointer.line), checkpointer.line);

      // What F12 does in the editor: the site-packages file opens with the cursor on that line.
      await placeCursor(t, editor, at);
      await vscode.commands.executeCommand("editor.action.revealDefinition");
      const opened = await t.waitFor(
        () => {
          const active = vscode.window.activeTextEditor;
          return active && active.document.uri.fsPath === builder.file.fsPath ? active : undefined;
        },
        20000,
        "the definition's file to become the active editor",
      );
      const line = opened.selection.active.line;
      t.check(
        "Go to Definition (F12) opens the file with the cursor on the `def lora_llama3_2_1b(` line",
        line === builder.range.start.line && opened.document.lineAt(line).text.startsWith("def lora_llama3_2_1b("),
        { line: line + 1, text: opened.document.lineAt(line).text },
      );
      const shot = await t.screenshot("definition", [{ selector: ".monaco-editor .view-line", text: "def lora_llama3_2_1b(" }]);
      t.check("the browser shows the source of lora_llama3_2_1b", shot.ok, shot.waits);
    },
  },
  {
    name: "a did-you-mean quick fix, applied with workspace.applyEdit, fixes the file",
    async run(t) {
      const { vscode } = t;
      const editor = await t.open(DEMO);
      const document = editor.document;
      // The line of the unexpected-argument that the first fix removes (the fixes keep the line count).
      const fixedLine = rangeOf(vscode, document, "lora_rnak").start.line;
      const fixes = [
        ["unexpected-argument", "lora_rnak", "Rename to 'lora_rank'", "lora_rank: 8"],
        ["unknown-member", "alpaca_datset", "Change to 'alpaca_dataset'", "_component_: torchtune.datasets.alpaca_dataset   #"],
      ];
      for (const [code, wrong, title, fixed] of fixes) {
        const diagnostic = vscode.languages.getDiagnostics(document.uri).find((d) => codeOf(d) === code && document.getText(d.range) === wrong);
        t.ensure(`the ${code} diagnostic on ${wrong} is there`, diagnostic !== undefined);
        const actions = await vscode.commands.executeCommand(
          "vscode.executeCodeActionProvider",
          document.uri,
          diagnostic.range,
          vscode.CodeActionKind.QuickFix.value,
        );
        const titles = actions.map((a) => a.title);
        t.note(`quick fixes for ${wrong}`, titles);
        const action = actions.find((a) => a.title === title);
        t.ensure(`a quick fix titled "${title}" is offered`, action !== undefined && action.edit !== undefined, titles);
        // (vscode.executeCodeActionProvider drops CodeAction.diagnostics; the kind survives.)
        t.check(`"${title}" is a quickfix`, action.kind !== undefined && vscode.CodeActionKind.QuickFix.contains(action.kind),
          action.kind && action.kind.value);
        t.ensure(`applyEdit("${title}") succeeds`, await vscode.workspace.applyEdit(action.edit));
        if (action.command) {
          await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments || []));
        }
        t.check(`the document now reads \`${fixed}\``, document.getText().includes(fixed) && !document.getText().includes(wrong));
      }
      t.ensure("the document saves", await document.save());
      const onDisk = fs.readFileSync(document.uri.fsPath, "utf8");
      t.check(
        "the file on disk has lora_rank and alpaca_dataset, and no lora_rnak or alpaca_datset",
        /\n {2}lora_rank: 8 {17}# mistake/.test(onDisk) && onDisk.includes("torchtune.datasets.alpaca_dataset   # mistake") &&
          !onDisk.includes("lora_rnak") && !onDisk.includes("alpaca_datset"),
        onDisk.split("\n").filter((l) => /lora_ra|alpaca_/.test(l)),
      );
      const after = await diagnosticsWhen(
        t,
        document.uri,
        (found) => !hasCode(found, "unknown-member") && !found.some((d) => codeOf(d) === "unexpected-argument" && d.range.start.line === fixedLine),
        "the fixed diagnostics to go away",
        30000,
      );
      t.note("diagnostics after the fixes", after.map((d) => describe(document, d)));
      t.check("the other mistakes are still reported", hasCode(after, "duplicate-key") && hasCode(after, "unexpected-argument", document, "num_output_chunk"));
      await vscode.commands.executeCommand("workbench.actions.view.problems");
      await placeCursor(t, editor, rangeOf(vscode, document, "lora_rank: 8").start);
      const shot = await t.screenshot("quick-fix-applied", [{ selector: ".monaco-editor .view-line", text: "lora_rank: 8" }]);
      t.check("the browser shows the fixed line", shot.ok, shot.waits);
    },
  },
  {
    name: "the Run lens on configs/tiny/lora_cpu.yaml runs the recipe in a terminal, to exit code 0 and a checkpoint",
    async run(t) {
      const { vscode } = t;
      const editor = await t.open(TINY);
      const document = editor.document;
      const lenses = await lensesWhen(t, document.uri, "tuneconf.runRecipe", "the Run lens");
      const titles = lenses.map((lens) => lens.command && lens.command.title);
      t.note("lenses", lenses.map((lens) => ({ title: lens.command.title, command: lens.command.command, line: lens.range.start.line + 1 })));
      t.check("the lenses are Run lora_finetune_single_device (from the header), Debug, Check, Effective config",
        JSON.stringify(titles) === JSON.stringify(["Run lora_finetune_single_device (from the header)", "Debug", "Check", "Effective config"]), titles);
      const errors = vscode.languages.getDiagnostics(document.uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
      t.ensure("the config has no errors (a run would ask first)", errors.length === 0, errors.map((d) => describe(document, d)));
      const output = path.join(t.folder.fsPath, "configs", "tiny", ".artifacts", "output");
      t.ensure("output_dir does not exist yet (a run would ask before overwriting)", !fs.existsSync(output));

      const started = [];
      const ended = [];
      const listeners = [
        vscode.tasks.onDidStartTaskProcess((e) => started.push({ task: e.execution.task.name, pid: e.processId })),
        vscode.tasks.onDidEndTaskProcess((e) => ended.push({ task: e.execution.task.name, exitCode: e.exitCode })),
      ];
      const run = lenses.find((lens) => lens.command.command === "tuneconf.runRecipe").command;
      const t0 = Date.now();
      let commandDone = false;
      const command = Promise.resolve(vscode.commands.executeCommand(run.command, ...(run.arguments || []))).then(
        () => { commandDone = true; },
        (error) => { commandDone = true; t.check("the Run command does not fail", false, String(error)); },
      );
      try {
        // The first run of a prepare script in a workspace asks first (a modal): a person reads it and clicks Run.
        const asked = await t.screenshot(
          "prepare-asked",
          [{ selector: ".monaco-dialog-box", text: "make_artifacts.py before the recipe" }],
          { selector: ".monaco-dialog-box .monaco-button", text: "Run" },
        );
        t.check("the first run asks before the prepare step, and Run is clicked", asked.ok, asked);
        const terminal = await t.waitFor(
          () => vscode.window.terminals.find((term) => term.name.includes("tune run lora_finetune_single_device")),
          120000,
          "the run's terminal",
        );
        t.note("the run's terminal", terminal.name);
        const finished = await t.waitFor(
          () => ended.find((e) => e.task.startsWith("tune run")) || ended.find((e) => e.exitCode !== 0),
          300000,
          "the run task to end",
        );
        t.note("run seconds", (Date.now() - t0) / 1000);
        t.note("task processes started", started);
        t.note("task processes ended", ended);
        t.check("the prepare task (make_artifacts.py) ran first and exited 0",
          ended.length === 2 && ended[0].task === "tuneconf: prepare" && ended[0].exitCode === 0, ended);
        t.check("the task `tune run lora_finetune_single_device` ends with exit code 0",
          finished.task === "tune run lora_finetune_single_device" && finished.exitCode === 0, finished);
        await t.waitFor(() => commandDone, 10000, "the Run command to return");
        const adapter = path.join(output, "epoch_0", "adapter_model.pt");
        const size = fs.existsSync(adapter) ? fs.statSync(adapter).size : 0;
        const shards = fs.existsSync(path.join(output, "epoch_0")) ? fs.readdirSync(path.join(output, "epoch_0")) : [];
        t.note("checkpoint files", shards);
        t.check("a checkpoint exists: epoch_0/adapter_model.pt and the merged model-*.bin",
          size > 0 && shards.some((name) => /^model-.*\.bin$/.test(name)), { adapter, size, shards });
        terminal.show(true);
        const shot = await t.screenshot("run-terminal", [{ selector: ".xterm-rows", text: "Terminal will be reused" }]);
        t.check("the browser shows the run's terminal", shot.ok, shot.waits);
      } finally {
        listeners.forEach((listener) => listener.dispose());
        await Promise.race([command, new Promise((resolve) => setTimeout(resolve, 1000))]);
      }
    },
  },
  {
    name: "a missing checkpoint folder with a `tune download` header: the warning, the Download lens and quick fix, a task",
    async run(t) {
      const { vscode } = t;
      fs.writeFileSync(path.join(t.folder.fsPath, ...DOWNLOAD.split("/")), DOWNLOAD_TEXT);
      const editor = await t.open(DOWNLOAD);
      const document = editor.document;
      const missing = (found) => found.filter((d) => codeOf(d) === "path-missing");
      const diagnostics = await diagnosticsWhen(t, document.uri, (found) => missing(found).length === 2, "two path-missing warnings");
      t.note("diagnostics", diagnostics.map((d) => describe(document, d)));
      const output = path.join(t.folder.fsPath, "models", "Tiny-Model");
      const warning = missing(diagnostics).find((d) => document.getText(d.range) === "models/Tiny-Model" && d.range.start.line === 7);
      t.ensure("a path-missing warning on the checkpoint_dir value", warning !== undefined && warning.severity === vscode.DiagnosticSeverity.Warning);
      t.check("its message names the command, without the comment's token",
        warning.message.endsWith(`download it with: tune download ${REPO} --output-dir ${output}`), warning.message);

      const lenses = await lensesWhen(t, document.uri, "tuneconf.downloadModel", "the Download lens");
      const downloads = lenses.filter((lens) => lens.command && lens.command.command === "tuneconf.downloadModel");
      t.note("download lenses", downloads.map((lens) => ({ title: lens.command.title, line: lens.range.start.line + 1, arguments: lens.command.arguments })));
      t.check("a Download lens on the tokenizer's and on the checkpoint folder's line",
        JSON.stringify(downloads.map((lens) => [lens.range.start.line, lens.command.title])) ===
          JSON.stringify([[4, `Download ${REPO} (tune download)`], [7, `Download ${REPO} (tune download)`]]), downloads.length);
      const plan = downloads[0].command.arguments[1];
      const tune = path.join(path.dirname(vscode.workspace.getConfiguration("tuneconf").get("interpreter")), "tune");
      t.check("its argv is the interpreter's `tune download REPO --output-dir DIR`, run in the workspace folder",
        JSON.stringify(plan.argv) === JSON.stringify([tune, "download", REPO, "--output-dir", output]) && plan.cwd === t.folder.fsPath, plan);

      const actions = await vscode.commands.executeCommand("vscode.executeCodeActionProvider", document.uri, warning.range, vscode.CodeActionKind.QuickFix.value);
      const fix = actions.find((a) => a.title === `Download ${REPO} (tune download)`);
      t.note("quick fixes", actions.map((a) => a.title));
      t.check("the quick fix carries the same command (not an edit)",
        fix !== undefined && fix.edit === undefined && fix.command && fix.command.command === "tuneconf.downloadModel", fix && fix.command);

      await placeCursor(t, editor, warning.range.start.translate(0, 3));
      await vscode.commands.executeCommand("editor.action.showHover");
      const shot = await t.screenshot("download-lens", [
        { selector: ".codelens-decoration", text: `Download ${REPO} (tune download)` },
        { selector: ".monaco-hover", text: "download it with: tune download" },
      ]);
      t.check("the browser shows the Download lens and the warning's hover with the command", shot.ok, shot.waits);

      // The lens's command runs `tune download` as a task (offline here: HF_HUB_OFFLINE=1, so it fails fast).
      const started = [];
      const ended = [];
      const listeners = [
        vscode.tasks.onDidStartTaskProcess((e) => started.push({ task: e.execution.task.name, process: e.execution.task.execution.process, args: e.execution.task.execution.args })),
        vscode.tasks.onDidEndTaskProcess((e) => ended.push({ task: e.execution.task.name, exitCode: e.exitCode })),
      ];
      try {
        const command = downloads[1].command;
        await vscode.commands.executeCommand(command.command, ...command.arguments);
        t.note("task processes", { started, ended });
        const task = started.find((s) => s.task === `tune download ${REPO}`);
        t.check("the task `tune download REPO` ran the argv, no shell",
          task !== undefined && JSON.stringify([task.process, ...task.args]) === JSON.stringify(plan.argv), started);
        t.check("the task ended before the command returned (then the server checked again)",
          ended.some((e) => e.task === `tune download ${REPO}`), ended);
      } finally {
        listeners.forEach((listener) => listener.dispose());
      }
    },
  },
];

// The Run view's scenario (run_view.js, issue 15) and issue 17's (insight.js) follow in the same session.
module.exports = { scenarios: [...scenarios, ...require("./run_view").scenarios, ...require("./insight").scenarios, ...require("./hydra").scenarios] };
