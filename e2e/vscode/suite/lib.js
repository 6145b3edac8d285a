// Helpers shared by the suites; everything goes through the public VS Code API.
"use strict";

/** A diagnostic's code as a string (VS Code gives a string, a number or {value, target}). */
function codeOf(diagnostic) {
  const code = diagnostic.code;
  return code !== null && typeof code === "object" ? String(code.value) : String(code ?? "");
}

function plain(range) {
  return [range.start.line, range.start.character, range.end.line, range.end.character];
}

function describe(document, diagnostic) {
  return {
    code: codeOf(diagnostic),
    severity: ["error", "warning", "information", "hint"][diagnostic.severity],
    source: diagnostic.source,
    range: plain(diagnostic.range),
    text: document.getText(diagnostic.range),
    message: diagnostic.message,
  };
}

/** The range of the `nth` occurrence of `needle` in the document (0-based). */
function rangeOf(vscode, document, needle, nth = 0) {
  const text = document.getText();
  let at = -1;
  for (let i = 0; i <= nth; i += 1) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) {
      throw new Error(`${JSON.stringify(needle)} (occurrence ${nth}) is not in ${document.uri.fsPath}`);
    }
  }
  return new vscode.Range(document.positionAt(at), document.positionAt(at + needle.length));
}

function sameRange(a, b) {
  return a !== undefined && b !== undefined && a.isEqual(b);
}

function labels(list) {
  return (list ? list.items : []).map((item) => (typeof item.label === "string" ? item.label : item.label.label));
}

function hoverText(hovers) {
  return (hovers || [])
    .flatMap((hover) => hover.contents)
    .map((content) => (typeof content === "string" ? content : content.value))
    .join("\n---\n");
}

/** Diagnostics of `uri` once `ready(diagnostics)` holds. */
async function diagnosticsWhen(t, uri, ready, what, ms = 90000) {
  try {
    return await t.waitFor(
      () => {
        const diagnostics = t.vscode.languages.getDiagnostics(uri);
        return ready(diagnostics) ? diagnostics : undefined;
      },
      ms,
      what,
    );
  } catch (error) {
    const seen = t.vscode.languages.getDiagnostics(uri).map((d) => `${codeOf(d)} ${JSON.stringify(plain(d.range))}: ${d.message}`);
    throw new Error(`${error.message}; the diagnostics then: ${JSON.stringify(seen)}`);
  }
}

/** The code lenses of `uri` once one of them runs `command` (the server is up and has analysed the file). */
async function lensesWhen(t, uri, command, what, ms = 60000) {
  return t.waitFor(
    async () => {
      const found = await t.vscode.commands.executeCommand("vscode.executeCodeLensProvider", uri);
      return found && found.some((lens) => lens.command && lens.command.command === command) ? found : undefined;
    },
    ms,
    what,
  );
}

function hasCode(diagnostics, code, document, text) {
  return diagnostics.some((d) => codeOf(d) === code && (text === undefined || document.getText(d.range) === text));
}

/** Inserts `text` at the end of the document (unsaved) and returns the document. */
async function append(t, editor, text) {
  const document = editor.document;
  const end = document.lineAt(document.lineCount - 1).range.end;
  const edit = new t.vscode.WorkspaceEdit();
  edit.insert(document.uri, end, text);
  t.ensure(`appended ${JSON.stringify(text)}`, await t.vscode.workspace.applyEdit(edit));
  return document;
}

/** Puts the cursor at `position` in the (focused) editor and shows it in the middle. */
async function placeCursor(t, editor, position) {
  await t.vscode.window.showTextDocument(editor.document, { preview: false, preserveFocus: false });
  editor.selection = new t.vscode.Selection(position, position);
  editor.revealRange(new t.vscode.Range(position, position), t.vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  await t.vscode.commands.executeCommand("workbench.action.focusActiveEditorGroup");
}

module.exports = {
  codeOf, plain, describe, rangeOf, sameRange, labels, hoverText, diagnosticsWhen, lensesWhen, hasCode, append, placeCursor,
};
