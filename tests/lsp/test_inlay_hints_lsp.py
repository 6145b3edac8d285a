"""Inlay hints through the real server under VS Code's, Neovim's and Emacs's recorded capabilities, on a
real config (configs/llama3_2_1b_lora.yaml): the resolved log folder, the recipe's own arguments and
`required`; tooltips on resolve where the client resolves them, with the hints where it does not; the
editor's active overrides (tuneconf.server.activeOverrides) change the values, with a
workspace/inlayHint/refresh only where the client takes one; the setting turns them off."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp_session import open_doc, request
from tuneconf.command_ids import ACTIVE_OVERRIDES

ROOT = Path(__file__).resolve().parents[2]
REAL = (ROOT / "configs" / "llama3_2_1b_lora.yaml").read_text().replace("/tmp/tuneconf/", "/tmp/tc/")
TEXT = REAL + "needed: ???\n"
LINES = TEXT.splitlines()
LOG_LINE = LINES.index("  log_dir: ${output_dir}/logs")
DATASET = LINES.index("  _component_: torchtune.datasets.alpaca_cleaned_dataset")
NEEDED = len(LINES) - 1


async def hints_of(client: LanguageClient, uri: str) -> dict[int, list[types.InlayHint]]:
    whole = types.Range(types.Position(0, 0), types.Position(len(LINES), 0))
    params = types.InlayHintParams(text_document=types.TextDocumentIdentifier(uri), range=whole)
    found = await request(client.text_document_inlay_hint_async(params)) or []
    by_line: dict[int, list[types.InlayHint]] = {}
    for hint in found:
        by_line.setdefault(hint.position.line, []).append(hint)
    return by_line


def labels(by_line: dict[int, list[types.InlayHint]], line: int) -> list[str]:
    return [str(hint.label) for hint in by_line.get(line, [])]


def resolves_tooltips(client: LanguageClient) -> bool:
    document = client.capabilities.text_document if client.capabilities else None
    inlay = document.inlay_hint if document is not None else None
    return inlay is not None and inlay.resolve_support is not None and "tooltip" in inlay.resolve_support.properties


def takes_refresh(client: LanguageClient) -> bool:
    workspace = client.capabilities.workspace if client.capabilities else None
    return bool(workspace and workspace.inlay_hint and workspace.inlay_hint.refresh_support)


class Refreshes:
    """The server's workspace/inlayHint/refresh requests, counted (the test client answers them as editors do)."""

    def __init__(self, client: LanguageClient) -> None:
        self.count = 0
        self.seen = asyncio.Event()
        features: dict[str, Any] = client.protocol.fm.features
        features[types.WORKSPACE_INLAY_HINT_REFRESH] = self.refresh

    def refresh(self, *_params: Any) -> None:
        self.count += 1
        self.seen.set()

    async def one(self) -> None:
        await asyncio.wait_for(self.seen.wait(), timeout=10)
        self.seen.clear()


async def choose(client: LanguageClient, uri: str, overrides: list[str]) -> None:
    params = types.ExecuteCommandParams(command=ACTIVE_OVERRIDES, arguments=[uri, overrides])
    await request(client.workspace_execute_command_async(params))


async def test_hints_on_a_real_config(client: LanguageClient, tmp_path: Path) -> None:
    uri = (tmp_path / "llama3_2_1b_lora.yaml").as_uri()
    open_doc(client, uri, TEXT)
    found = await hints_of(client, uri)
    assert labels(found, LOG_LINE) == ["→ /tmp/tc/llama3_2_1b_lora/logs"]
    assert labels(found, NEEDED) == ["required"]
    assert labels(found, DATASET) == ["tokenizer ← recipe"]
    assert found[DATASET][0].kind == types.InlayHintKind.Parameter
    assert labels(found, LINES.index("  lora_rank: 32")) == []  # literal
    assert found[LOG_LINE][0].position == types.Position(LOG_LINE, len(LINES[LOG_LINE]))
    hint = found[LOG_LINE][0]
    if resolves_tooltips(client):  # lazily
        assert hint.tooltip is None
        hint = await request(client.inlay_hint_resolve_async(hint))
    assert isinstance(hint.tooltip, types.MarkupContent)
    assert (
        "`metric_logger.log_dir: ${output_dir}/logs` resolves to\n\n`/tmp/tc/llama3_2_1b_lora/logs`"
        in hint.tooltip.value
    )


async def test_the_active_overrides_change_the_values(client: LanguageClient, tmp_path: Path) -> None:
    uri = (tmp_path / "llama3_2_1b_lora.yaml").as_uri()
    open_doc(client, uri, TEXT)
    refreshes = Refreshes(client)
    await choose(client, uri, ["output_dir=/data/run2", "needed=/data/x"])
    if takes_refresh(client):
        await refreshes.one()
    found = await hints_of(client, uri)
    assert labels(found, LOG_LINE) == ["→ /data/run2/logs"]
    assert labels(found, NEEDED) == ["→ /data/x"]  # set by the overrides: no longer `required`
    await choose(client, uri, [])
    if takes_refresh(client):
        await refreshes.one()
    found = await hints_of(client, uri)
    assert labels(found, LOG_LINE) == ["→ /tmp/tc/llama3_2_1b_lora/logs"]
    assert labels(found, NEEDED) == ["required"]
    if not takes_refresh(client):
        assert refreshes.count == 0  # never asked of a client that does not say it takes it


async def test_the_setting_turns_them_off(client: LanguageClient, tmp_path: Path) -> None:
    uri = (tmp_path / "llama3_2_1b_lora.yaml").as_uri()
    open_doc(client, uri, TEXT)
    assert labels(await hints_of(client, uri), NEEDED) == ["required"]
    off = types.DidChangeConfigurationParams(settings={"tuneconf": {"inlayHints": False}})
    client.workspace_did_change_configuration(off)
    assert await hints_of(client, uri) == {}
    on = types.DidChangeConfigurationParams(settings={"tuneconf": {"inlayHints": True}})
    client.workspace_did_change_configuration(on)
    assert labels(await hints_of(client, uri), NEEDED) == ["required"]


async def test_odd_command_arguments_change_nothing(vscode: LanguageClient, tmp_path: Path) -> None:
    uri = (tmp_path / "llama3_2_1b_lora.yaml").as_uri()
    open_doc(vscode, uri, TEXT)
    for arguments in ([], [42], [uri, "output_dir=/x"], [uri, [7, "output_dir=/y"]], [uri, None, "extra"]):
        params = types.ExecuteCommandParams(command=ACTIVE_OVERRIDES, arguments=arguments)
        assert await request(vscode.workspace_execute_command_async(params)) is None
    assert labels(await hints_of(vscode, uri), LOG_LINE) == ["→ /y/logs"]  # the one string of the list
