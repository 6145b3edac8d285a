"""Document links and path completion through the real server, under VS Code's, Neovim's and Emacs's
capabilities; a folder item asks VS Code (a client that says it is) to suggest again, other clients get
no VS Code command."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from lsp_session import VSCODE_OPTIONS, answer_lens_refreshes, codes, diagnostics_until, open_doc, request, until_ready

CONFIG = """\
# Before running:
#   tune download meta-llama/Llama-3.2-1B-Instruct --output-dir model
tokenizer:
  _component_: torchtune.models.llama3.llama3_tokenizer
  path: model/original/tokenizer.modle
checkpointer:
  _component_: torchtune.training.FullModelHFCheckpointer
  checkpoint_dir: model
  checkpoint_files: [model.safetensors, mo]
  output_dir: out
  model_type: LLAMA3
"""
FILES_LINE = 8
SERVER = [sys.executable, "-m", "tuneconf", "serve"]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def code(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    """VS Code as it introduces itself (the `vscode` fixture does not say its name)."""
    answer_lens_refreshes(lsp_client)
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            client_info=types.ClientInfo(name="Visual Studio Code", version="1.95.0"),
            initialization_options=VSCODE_OPTIONS,
        )
    )
    await until_ready(lsp_client)
    yield
    await lsp_client.shutdown_session()


def workspace(tmp_path: Path) -> tuple[str, Path]:
    model = tmp_path / "model"
    (model / "original").mkdir(parents=True)
    for name in ("original/tokenizer.model", "config.json", "model.safetensors", "model-2.safetensors", "notes.md"):
        (model / name).write_text("x")
    config = tmp_path / "cfg.yaml"
    config.write_text(CONFIG)
    return config.as_uri(), model


async def test_links_and_path_completion(client: LanguageClient, tmp_path: Path) -> None:
    uri, model = workspace(tmp_path)
    open_doc(client, uri, CONFIG)
    # Both components are known once their path findings show (the typo, the missing "mo").
    await diagnostics_until(client, uri, lambda d: {"path-typo", "checkpoint-files-missing"} <= set(codes(d)))
    links = await request(
        client.text_document_document_link_async(types.DocumentLinkParams(types.TextDocumentIdentifier(uri)))
    )
    lines = CONFIG.splitlines()
    found = {lines[k.range.start.line][k.range.start.character : k.range.end.character]: k.target for k in links or []}
    assert found == {
        "meta-llama/Llama-3.2-1B-Instruct": "https://huggingface.co/meta-llama/Llama-3.2-1B-Instruct",
        "model": model.as_uri(),  # relative to the folder the run starts in
        "model.safetensors": (model / "model.safetensors").as_uri(),
    }  # not the misspelt tokenizer, not "mo", not the output folder that does not exist yet

    col = lines[FILES_LINE].index("mo]") + 2
    params = types.CompletionParams(types.TextDocumentIdentifier(uri), types.Position(FILES_LINE, col))
    result = await request(client.text_document_completion_async(params))
    assert isinstance(result, types.CompletionList)
    assert sorted(i.label for i in result.items) == ["model-2.safetensors", "model.safetensors", "original/"]
    folder = next(i for i in result.items if i.label == "original/")
    assert folder.command is None  # these sessions do not say they are VS Code
    edit = result.item_defaults.edit_range if result.item_defaults is not None else folder.text_edit
    assert edit is not None
    edit_range = edit if isinstance(edit, types.Range) else edit.range  # type: ignore[union-attr]
    assert (edit_range.start.character, edit_range.end.character) == (col - 2, col)


async def test_a_folder_asks_vs_code_to_suggest_again(code: LanguageClient, tmp_path: Path) -> None:
    uri, _ = workspace(tmp_path)
    text = CONFIG.replace("checkpoint_dir: model", "checkpoint_dir: ")
    open_doc(code, uri, text)
    await diagnostics_until(code, uri, lambda d: "path-typo" in codes(d))
    line = text.splitlines().index("  checkpoint_dir: ")
    params = types.CompletionParams(types.TextDocumentIdentifier(uri), types.Position(line, 18))
    result = await request(code.text_document_completion_async(params))
    assert isinstance(result, types.CompletionList)
    (folder,) = result.items  # a *_dir: folders only (cfg.yaml is left out)
    assert folder.label == "model/" and folder.kind == types.CompletionItemKind.Folder
    assert folder.command is not None and folder.command.command == "editor.action.triggerSuggest"
