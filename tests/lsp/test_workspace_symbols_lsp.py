"""workspace/symbol through the real server, under VS Code's, Neovim's and Emacs's capabilities: the
workspace's configs are read in the background (with progress), each component and top-level key is a
symbol with its config and line, a file event and an open document's text keep them fresh, and the setting
turns them off."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from lsp_session import open_doc, request, start_in, until_indexed
from workspace_files import write

SERVER = [sys.executable, "-m", "tuneconf", "serve"]
CLIENTS = ["visual-studio-code", "neovim", "emacs"]
A = """\
model:
  _component_: mypkg.models.build_model
  rank: 8
optimizer:
  _component_: torch.optim.AdamW
  lr: 3e-4
"""
B = """\
# a copy, one line lower
batch_size: 2
model:
  _component_: mypkg.build_model
"""


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return write(tmp_path, {"configs/a.yaml": A, "configs/b.yaml": B, "notes.yaml": "title: not a config\n"})


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER), params=CLIENTS)
async def editor(request, lsp_client: LanguageClient, workspace: Path):  # type: ignore[no-untyped-def]
    await start_in(lsp_client, workspace, request.param)
    await until_indexed(lsp_client)
    yield
    await lsp_client.shutdown_session()


async def symbols(client: LanguageClient, query: str) -> list[tuple[str, str, int, str | None]]:
    """(name, file name, line, container) of each symbol the query answers, sorted."""
    found = await request(client.workspace_symbol_async(types.WorkspaceSymbolParams(query=query)))
    rows = []
    for symbol in found or []:
        assert isinstance(symbol.location, types.Location)  # with its range (as SymbolInformation on the wire)
        rows.append(
            (
                symbol.name,
                symbol.location.uri.rsplit("/", 1)[-1],
                symbol.location.range.start.line,
                symbol.container_name,
            )
        )
    return sorted(rows)


async def test_components_and_keys_across_the_workspace(editor: LanguageClient) -> None:
    assert await symbols(editor, "build") == [
        ("build_model", "a.yaml", 1, "configs/a.yaml · model (mypkg.models.build_model)"),
        ("build_model", "b.yaml", 3, "configs/b.yaml · model (mypkg.build_model)"),
    ]
    assert await symbols(editor, "adamw") == [("AdamW", "a.yaml", 4, "configs/a.yaml · optimizer (torch.optim.AdamW)")]
    assert [row[:3] for row in await symbols(editor, "bsize")] == [("batch_size", "b.yaml", 1)]
    assert await symbols(editor, "title") == []  # notes.yaml is not a config


async def test_progress_is_reported_where_the_client_shows_it(editor: LanguageClient) -> None:
    reports = [r for values in editor.progress_reports.values() for r in values]
    titles = [r.title for r in reports if isinstance(r, types.WorkDoneProgressBegin)]
    assert "Indexing workspace configs" in titles  # all three capability sets say they show progress
    assert any(isinstance(r, types.WorkDoneProgressEnd) and r.message == "2 configs" for r in reports)


async def test_a_file_event_updates_the_symbols(editor: LanguageClient, workspace: Path) -> None:
    config = workspace / "configs" / "b.yaml"
    config.write_text(B.replace("mypkg.build_model", "mypkg.Head"))
    event = types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Changed)
    editor.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[event]))
    assert [row[1] for row in await symbols(editor, "build_model")] == ["a.yaml"]
    assert [row[:3] for row in await symbols(editor, "Head")] == [("Head", "b.yaml", 3)]

    config.unlink()
    gone = types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Deleted)
    editor.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[gone]))
    assert await symbols(editor, "Head") == []


async def test_an_open_document_is_read_as_the_editor_holds_it(editor: LanguageClient, workspace: Path) -> None:
    uri = (workspace / "configs" / "a.yaml").as_uri()
    open_doc(editor, uri, "\n\n" + A.replace("torch.optim.AdamW", "torch.optim.SGD"))
    assert [row[:3] for row in await symbols(editor, "SGD")] == [("SGD", "a.yaml", 6)]
    assert await symbols(editor, "AdamW") == []
    editor.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))
    assert [row[:3] for row in await symbols(editor, "AdamW")] == [("AdamW", "a.yaml", 4)]  # the file again


async def test_the_setting_turns_them_off(editor: LanguageClient) -> None:
    settings = {"tuneconf": {"workspaceSymbols": False}}
    editor.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=settings))
    found = await request(editor.workspace_symbol_async(types.WorkspaceSymbolParams(query="build")))
    assert found is not None and len(found) == 0
