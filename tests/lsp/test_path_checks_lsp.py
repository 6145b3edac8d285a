"""Path checks through the real server: the findings, the did-you-mean fix, and the setting."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp_session import codes, diagnostics_until, open_doc, request

CONFIG = """\
tokenizer:
  _component_: torchtune.models.llama3.llama3_tokenizer
  path: {model}/original/tokenizer.modle
checkpointer:
  _component_: torchtune.training.FullModelHFCheckpointer
  checkpoint_dir: {model}
  checkpoint_files: [model.safetensors, model-2.safetensors]
  output_dir: {out}
  model_type: LLAMA3
"""
PATH_CODES = {"path-typo", "checkpoint-files-missing"}


def workspace(tmp_path: Path) -> tuple[str, str]:
    model = tmp_path / "model"
    (model / "original").mkdir(parents=True)
    for name in ("original/tokenizer.model", "config.json", "model.safetensors"):
        (model / name).write_text("x")
    config = tmp_path / "cfg.yaml"
    text = CONFIG.format(model=model, out=tmp_path / "out" / "never" / "made")
    config.write_text(text)
    return config.as_uri(), text


async def test_inputs_are_checked_and_the_typo_has_a_fix(vscode: LanguageClient, tmp_path: Path) -> None:
    uri, text = workspace(tmp_path)
    open_doc(vscode, uri, text)
    found = await diagnostics_until(vscode, uri, lambda d: set(codes(d)) >= PATH_CODES)
    assert {c for c in codes(found) if c.startswith(("path", "checkpoint"))} == PATH_CODES  # the output is silent
    typo = next(d for d in found if d.code == "path-typo")
    assert typo.severity == types.DiagnosticSeverity.Error and "Did you mean 'tokenizer.model'?" in typo.message
    assert typo.range.start == types.Position(2, 8)
    files = next(d for d in found if d.code == "checkpoint-files-missing")
    assert "loads model-2.safetensors" in files.message and "it holds config.json, model.safetensors" in files.message
    actions = await request(
        vscode.text_document_code_action_async(
            types.CodeActionParams(
                types.TextDocumentIdentifier(uri=uri), typo.range, types.CodeActionContext(diagnostics=[typo])
            )
        )
    )
    fix = next(a for a in actions or [] if isinstance(a, types.CodeAction) and a.title == "Change to 'tokenizer.model'")
    assert fix.edit is not None and fix.edit.changes is not None
    (edit,) = fix.edit.changes[uri]
    line = text.splitlines()[2]
    assert line[edit.range.start.character : edit.range.end.character] == "tokenizer.modle"
    assert edit.new_text == "tokenizer.model"


async def test_the_setting_turns_them_off(vscode: LanguageClient, tmp_path: Path) -> None:
    uri, text = workspace(tmp_path)
    open_doc(vscode, uri, text)
    await diagnostics_until(vscode, uri, lambda d: set(codes(d)) >= PATH_CODES)
    vscode.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"tuneconf": {"pathChecks": False}})
    )
    found = await diagnostics_until(vscode, uri, lambda d: not PATH_CODES & set(codes(d)))
    assert not [c for c in codes(found) if c.startswith(("path", "checkpoint"))]


async def test_a_file_event_checks_again_at_once(vscode: LanguageClient, tmp_path: Path) -> None:
    """The client reports the new file (workspace/didChangeWatchedFiles): the finding goes without an edit
    and without waiting for the stat cache to expire."""
    uri, text = workspace(tmp_path)
    open_doc(vscode, uri, text)
    await diagnostics_until(vscode, uri, lambda d: "checkpoint-files-missing" in codes(d))
    created = tmp_path / "model" / "model-2.safetensors"
    created.write_text("x")
    event = types.FileEvent(created.as_uri(), types.FileChangeType.Created)
    vscode.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[event]))
    found = await diagnostics_until(vscode, uri, lambda d: "checkpoint-files-missing" not in codes(d))
    assert "path-typo" in codes(found)  # the rest is checked as before
