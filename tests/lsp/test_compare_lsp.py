"""tuneconf.server.compareBuiltin end to end: the real server compares an open copy of a built-in config
with the built-in its header names, and answers the built-in's file URI (for a diff editor)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from builtin import CONFIG_ROOT, builtin_configs
from lsp_session import open_doc, request
from tuneconf.command_ids import COMPARE_BUILTIN
from tuneconf.command_ids import COMPARE_WITH_BUILTIN as COMPARE_WITH

NAME = "llama3_2/1B_lora_single_device"


async def test_compare_builtin_answers_the_changes_and_the_builtins_uri(vscode: LanguageClient, tmp_path: Path) -> None:
    builtin_configs()
    original = CONFIG_ROOT / f"{NAME}.yaml"
    text = original.read_text().replace("lora_rank: 64", "lora_rank: 8") + "\nextra: 1\n"
    uri = (tmp_path / "mine.yaml").as_uri()
    open_doc(vscode, uri, text)
    params = types.ExecuteCommandParams(command=COMPARE_BUILTIN, arguments=[uri])
    answer = await request(vscode.workspace_execute_command_async(params))
    assert answer == {
        "builtin": NAME,
        "how": "from the header",
        "added": {"extra": 1},
        "removed": {},
        "changed": {"model.lora_rank": [64, 8]},
        "uri": original.resolve().as_uri(),
    }
    broken = (tmp_path / "broken.yaml").as_uri()
    open_doc(vscode, broken, "epochs: 1\n")
    params = types.ExecuteCommandParams(command=COMPARE_BUILTIN, arguments=[broken])
    answer = await request(vscode.workspace_execute_command_async(params))
    assert "model builder" in answer["error"]


async def lenses_of(client: LanguageClient, uri: str) -> list[types.CodeLens]:
    document = types.TextDocumentIdentifier(uri=uri)
    return await request(client.text_document_code_lens_async(types.CodeLensParams(text_document=document)))


async def test_a_copy_gets_a_compare_lens_naming_its_builtin_and_the_builtin_itself_none(
    vscode: LanguageClient, tmp_path: Path
) -> None:
    builtin_configs()
    original = CONFIG_ROOT / f"{NAME}.yaml"
    text = original.read_text().replace("lora_rank: 64", "lora_rank: 8")
    uri = (tmp_path / "mine.yaml").as_uri()
    open_doc(vscode, uri, text)
    lens = [lens for lens in await lenses_of(vscode, uri) if lens.command and lens.command.command == COMPARE_WITH]
    assert len(lens) == 1 and lens[0].command is not None
    assert lens[0].command.title == f"Compare with built-in {NAME} (1 key differs)"
    assert list(lens[0].command.arguments or []) == [uri, NAME]
    # the lens's arguments, as the extension passes them on, name the built-in compared with
    params = types.ExecuteCommandParams(command=COMPARE_BUILTIN, arguments=list(lens[0].command.arguments or []))
    answer = await request(vscode.workspace_execute_command_async(params))
    assert answer["builtin"] == NAME and answer["how"] == "as named" and answer["uri"] == original.resolve().as_uri()
    builtin_uri = original.resolve().as_uri()
    open_doc(vscode, builtin_uri, original.read_text())
    assert [lens for lens in await lenses_of(vscode, builtin_uri) if lens.command.command == COMPARE_WITH] == []


async def test_the_compare_lens_goes_with_its_setting(vscode: LanguageClient, tmp_path: Path) -> None:
    builtin_configs()
    text = (CONFIG_ROOT / f"{NAME}.yaml").read_text()
    uri = (tmp_path / "mine.yaml").as_uri()
    open_doc(vscode, uri, text)
    vscode.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"tuneconf": {"compareLens": False}})
    )
    assert [lens for lens in await lenses_of(vscode, uri) if lens.command.command == COMPARE_WITH] == []


async def test_clients_without_the_command_get_no_compare_lens(
    client: LanguageClient, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Neovim and Emacs (no clientCommands) never see a lens whose command they cannot run."""
    builtin_configs()
    uri = (tmp_path / "mine.yaml").as_uri()
    open_doc(client, uri, (CONFIG_ROOT / f"{NAME}.yaml").read_text())
    lenses = await lenses_of(client, uri)
    offered = [lens for lens in lenses if lens.command and lens.command.command == COMPARE_WITH]
    assert len(offered) == (1 if request.node.callspec.params["client"] == "visual-studio-code" else 0)
