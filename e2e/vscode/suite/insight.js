// Scenarios of issue 17 in the trusted workspace: the Compare with built-in lens opening VS Code's diff
// editor, inlay hints (a resolved interpolation, `required`) and semantic colouring of a dotpath.
"use strict";
const fs = require("fs");
const path = require("path");
const { rangeOf, lensesWhen, placeCursor } = require("./lib");

const CLEAN = "configs/llama3_2_1b_lora.yaml";
const HINTS = "configs/hints.yaml";
const HINTS_TEXT = `output_dir: /tmp/tuneconf-e2e/out
model:
  _component_: torchtune.models.llama3_2.lora_llama3_2_1b
  lora_attn_modules: ['q_proj', 'v_proj']
  lora_rank: 8
  lora_alpha: 16
tokenizer:
  _component_: torchtune.models.llama3.llama3_tokenizer
  path: ???
optimizer:
  _component_: torch.optim.AdamW
  lr: 3e-4
metric_logger:
  _component_: torchtune.training.metric_logging.DiskLogger
  log_dir: \${output_dir}/logs
`;

/** The semantic tokens of `uri` decoded to {text, type, modifiers}, with the legend's names. */
async function semanticTokens(t, document) {
  const { vscode } = t;
  const legend = await vscode.commands.executeCommand("vscode.provideDocumentSemanticTokensLegend", document.uri);
  const tokens = await vscode.commands.executeCommand("vscode.provideDocumentSemanticTokens", document.uri);
  if (!legend || !tokens) {
    return [];
  }
  const data = tokens.data;
  const found = [];
  let line = 0;
  let character = 0;
  for (let i = 0; i + 4 < data.length + 1 && i < data.length; i += 5) {
    line += data[i];
    character = data[i] === 0 ? character + data[i + 1] : data[i + 1];
    const start = new vscode.Position(line, character);
    const text = document.getText(new vscode.Range(start, start.translate(0, data[i + 2])));
    const modifiers = legend.tokenModifiers.filter((_, bit) => data[i + 4] & (1 << bit));
    found.push({ text, type: legend.tokenTypes[data[i + 3]], modifiers });
  }
  return found;
}

function hintLabel(hint) {
  return typeof hint.label === "string" ? hint.label : hint.label.map((part) => part.value).join("");
}

const scenarios = [
  {
    name: "Compare with built-in: the lens on a copied config opens the diff editor against the installed built-in",
    async run(t) {
      const { vscode } = t;
      const editor = await t.open(CLEAN);
      const lenses = await lensesWhen(t, editor.document.uri, "tuneconf.compareWithBuiltin", "the Compare with built-in lens");
      const lens = lenses.find((found) => found.command && found.command.command === "tuneconf.compareWithBuiltin");
      t.note("lens", lens.command.title);
      t.check("the lens names the built-in the config is closest to", lens.command.title.includes("llama3_2/1B_lora"), lens.command.title);
      await vscode.commands.executeCommand(lens.command.command, ...lens.command.arguments);
      const diff = await t.waitFor(
        () => vscode.window.tabGroups.activeTabGroup.activeTab && vscode.window.tabGroups.activeTabGroup.activeTab.input instanceof vscode.TabInputTextDiff
          ? vscode.window.tabGroups.activeTabGroup.activeTab
          : undefined,
        30000,
        "a diff editor tab",
      );
      t.note("diff tab", diff.label);
      t.check("the diff's left side is the installed built-in", /llama3_2[\\/]1B_lora[_a-z]*\.yaml$/.test(diff.input.original.fsPath), diff.input.original.fsPath);
      t.check("the diff's right side is the config", diff.input.modified.fsPath.endsWith("llama3_2_1b_lora.yaml"), diff.input.modified.fsPath);
      const shot = await t.screenshot("compare-with-builtin", [{ selector: ".monaco-diff-editor", text: "lora_rank" }]);
      t.check("the browser shows the diff editor", shot.ok, shot.waits);
      await vscode.commands.executeCommand("workbench.action.closeActiveEditor");
    },
  },
  {
    name: "inlay hints (a resolved interpolation, required) and semantic colouring of dotpaths",
    async run(t) {
      const { vscode } = t;
      fs.writeFileSync(path.join(t.folder.fsPath, ...HINTS.split("/")), HINTS_TEXT);
      const editor = await t.open(HINTS);
      const document = editor.document;
      const whole = new vscode.Range(0, 0, document.lineCount, 0);
      const hints = await t.waitFor(
        async () => {
          const found = (await vscode.commands.executeCommand("vscode.executeInlayHintProvider", document.uri, whole)) || [];
          return found.some((hint) => hintLabel(hint).includes("/tmp/tuneconf-e2e/out/logs")) ? found : undefined;
        },
        60000,
        "an inlay hint with the resolved log_dir",
      );
      const labels = hints.map((hint) => `${hint.position.line}:${hintLabel(hint)}`);
      t.note("inlay hints", labels);
      const logLine = rangeOf(vscode, document, "${output_dir}/logs").start.line;
      t.check("the resolved value is hinted on the log_dir line", hints.some((h) => h.position.line === logLine && hintLabel(h).includes("/tmp/tuneconf-e2e/out/logs")), labels);
      const pathLine = rangeOf(vscode, document, "???").start.line;
      t.check("`required` is hinted after ???", hints.some((h) => h.position.line === pathLine && hintLabel(h).includes("required")), labels);
      const literal = rangeOf(vscode, document, "lora_rank: 8").start.line;
      t.check("no hint on a line whose value is literal", !hints.some((h) => h.position.line === literal), labels);
      const tokens = await t.waitFor(
        async () => {
          const found = await semanticTokens(t, document);
          return found.some((token) => token.text === "AdamW" && token.type === "class") ? found : undefined;
        },
        60000,
        "a class token on AdamW",
      );
      t.note("semantic tokens", tokens.slice(0, 40).map((token) => `${token.text}:${token.type}${token.modifiers.length ? "." + token.modifiers.join(".") : ""}`));
      t.check("`torch` and `optim` are namespaces", ["torch", "optim"].every((name) => tokens.some((token) => token.text === name && token.type === "namespace")));
      t.check("the builder is a function", tokens.some((token) => token.text === "lora_llama3_2_1b" && token.type === "function"));
      t.check("??? is a keyword", tokens.some((token) => token.text === "???" && token.type === "keyword"));
      await placeCursor(t, editor, rangeOf(vscode, document, "log_dir").start);
      const shot = await t.screenshot("inlay-hints-and-semantic-colours", [{ selector: ".monaco-editor .view-line", text: "/tmp/tuneconf-e2e/out/logs" }]);
      t.check("the browser shows the inlay hint in the editor", shot.ok, shot.waits);
    },
  },
];

module.exports = { scenarios };
