"""Download the model through the real server: the warning names the command, the quick fix and the lens
carry it (to a client that implements it), and a recheck after the download clears the warning."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any, Union

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from lsp_session import LENS_COMMANDS, answer_lens_refreshes, codes, diagnostics_until, open_doc, request, until_ready
from tuneconf.command_ids import DOWNLOAD_MODEL, RECHECK

SERVER = [sys.executable, "-m", "tuneconf", "serve"]
REPO = "acme/Tiny-Model"
CONFIG = """\
# tune download acme/Tiny-Model --output-dir models/Tiny-Model --ignore-patterns "*.pth" --hf-token <HF_TOKEN>
tokenizer:
  _component_: torchtune.models.llama3.llama3_tokenizer
  path: models/Tiny-Model/original/tokenizer.model
checkpointer:
  _component_: torchtune.training.FullModelHFCheckpointer
  checkpoint_dir: models/Tiny-Model
  checkpoint_files: [model.safetensors]
  output_dir: out
  model_type: LLAMA3
"""


def read_code_actions_as_the_spec_says(client: LanguageClient) -> None:
    """lsprotocol reads any `Command | CodeAction` that has a `command` key as a Command (a CodeAction that
    carries a command included); the specification tells them apart by `typeof command === "string"`, as
    VS Code, Neovim and Emacs do. The test client reads them that way too."""
    converter = client.protocol._converter

    def hook(value: Any, _type: type) -> types.Command | types.CodeAction:
        kind = types.Command if isinstance(value.get("command"), str) else types.CodeAction
        return converter.structure(value, kind)

    converter.register_structure_hook(Union[types.Command, types.CodeAction], hook)  # noqa: UP007


async def session(client: LanguageClient, folder: Path, commands: list[str]) -> None:
    read_code_actions_as_the_spec_says(client)
    answer_lens_refreshes(client)
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            initialization_options={"clientCommands": commands},
            root_uri=folder.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=folder.as_uri(), name="ws")],
        )
    )
    await until_ready(client)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def trusted(lsp_client: LanguageClient, tmp_path: Path):  # type: ignore[no-untyped-def]
    """VS Code in a trusted workspace: it names the Download command."""
    refreshed = asyncio.Event()

    @lsp_client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def code_lens_refresh(_params: None) -> None:
        refreshed.set()

    lsp_client.refreshed = refreshed  # type: ignore[attr-defined]
    await session(lsp_client, tmp_path, [*LENS_COMMANDS, DOWNLOAD_MODEL])
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def restricted(lsp_client: LanguageClient, tmp_path: Path):  # type: ignore[no-untyped-def]
    """VS Code in Restricted Mode: no command that runs anything."""
    await session(lsp_client, tmp_path, [])
    yield
    await lsp_client.shutdown_session()


def missing(diagnostics: list[types.Diagnostic]) -> list[types.Diagnostic]:
    return [d for d in diagnostics if d.code == "path-missing"]


async def opened(client: LanguageClient, folder: Path) -> tuple[str, list[types.Diagnostic]]:
    config = folder / "cfg.yaml"
    config.write_text(CONFIG)
    uri = config.as_uri()
    open_doc(client, uri, CONFIG)
    found = await diagnostics_until(client, uri, lambda d: len(missing(d)) == 2)
    return uri, missing(found)


def plan_of(command: types.Command | None, uri: str, folder: Path) -> dict[str, object]:
    assert command is not None and command.command == DOWNLOAD_MODEL
    assert command.title == f"Download {REPO} (tune download)"
    assert command.arguments is not None and command.arguments[0] == uri
    plan = command.arguments[1]
    output = str(folder / "models" / "Tiny-Model")
    assert plan["repo"] == REPO and plan["cwd"] == str(folder) and plan["outputDir"] == output
    argv = plan["argv"]
    tune = argv[: argv.index("download")]
    assert tune == [str(Path(sys.executable).parent / "tune")] or tune[1:] == ["-m", "torchtune._cli.tune"]
    assert argv[len(tune) :] == ["download", REPO, "--output-dir", output, "--ignore-patterns", "*.pth"]
    return dict(plan)


async def test_the_quick_fix_and_the_lens_carry_the_download(trusted: LanguageClient, tmp_path: Path) -> None:
    uri, found = await opened(trusted, tmp_path)
    output = tmp_path / "models" / "Tiny-Model"
    checkpoint = next(d for d in found if d.range.start.line == 6)
    assert checkpoint.severity == types.DiagnosticSeverity.Warning
    assert checkpoint.message.endswith(
        f"download it with: tune download {REPO} --output-dir {output} --ignore-patterns '*.pth'"
    )
    context = types.CodeActionContext(diagnostics=[checkpoint])
    params = types.CodeActionParams(types.TextDocumentIdentifier(uri=uri), checkpoint.range, context)
    actions = await request(trusted.text_document_code_action_async(params))
    action = next(a for a in actions or [] if isinstance(a, types.CodeAction) and a.command is not None)
    assert action.kind == types.CodeActionKind.QuickFix and action.edit is None
    assert action.title == f"Download {REPO} (tune download)"
    plan = plan_of(action.command, uri, tmp_path)

    document = types.TextDocumentIdentifier(uri=uri)
    lenses = await request(trusted.text_document_code_lens_async(types.CodeLensParams(text_document=document)))
    downloads = [lens for lens in lenses or [] if lens.command is not None and lens.command.command == DOWNLOAD_MODEL]
    assert [lens.range.start.line for lens in downloads] == [3, 6]  # the tokenizer's and the folder's lines
    assert all(plan_of(lens.command, uri, tmp_path) == plan for lens in downloads)


async def test_a_recheck_after_the_download_clears_the_warning_and_the_lens(
    trusted: LanguageClient, tmp_path: Path
) -> None:
    uri, _found = await opened(trusted, tmp_path)
    output = tmp_path / "models" / "Tiny-Model"
    (output / "original").mkdir(parents=True)  # what `tune download` leaves
    for name in ("original/tokenizer.model", "config.json", "model.safetensors"):
        (output / name).write_text("x")
    refreshed: asyncio.Event = trusted.refreshed  # type: ignore[attr-defined]
    refreshed.clear()  # the start-up asked for lenses too (once warm): this one is the recheck's
    await request(trusted.workspace_execute_command_async(types.ExecuteCommandParams(RECHECK, [uri])))
    after = await diagnostics_until(trusted, uri, lambda d: not missing(d))
    assert not [c for c in codes(after) if c.startswith(("path", "checkpoint"))]
    await asyncio.wait_for(refreshed.wait(), timeout=10)  # the client is asked for new lenses
    document = types.TextDocumentIdentifier(uri=uri)
    lenses = await request(trusted.text_document_code_lens_async(types.CodeLensParams(text_document=document)))
    assert not [lens for lens in lenses or [] if lens.command is not None and lens.command.command == DOWNLOAD_MODEL]


async def test_restricted_mode_gets_the_message_but_no_action(restricted: LanguageClient, tmp_path: Path) -> None:
    uri, found = await opened(restricted, tmp_path)
    assert all("download it with: tune download" in d.message for d in found)  # the command, to run by hand
    context = types.CodeActionContext(diagnostics=found)
    params = types.CodeActionParams(types.TextDocumentIdentifier(uri=uri), found[0].range, context)
    actions = await request(restricted.text_document_code_action_async(params))
    assert not [a for a in actions or [] if isinstance(a, types.CodeAction) and a.command is not None]
    document = types.TextDocumentIdentifier(uri=uri)
    lenses = await request(restricted.text_document_code_lens_async(types.CodeLensParams(text_document=document)))
    assert not lenses
