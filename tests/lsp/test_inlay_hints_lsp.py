"""Inlay hints through the real server under VS Code's, Neovim's and Emacs's capabilities: on a real config,
the resolved log folder, the recipe's own arguments and `required`; tooltips on resolve; the editor's
active overrides (tuneconf.server.activeOverrides) change the value; the setting turns them off."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp_session import open_doc, request
from tuneconf.command_ids import ACTIVE_OVERRIDES

ROOT = Path(__file__).resolve().parents[2]
REAL = (ROOT / "configs" / "llama3_2_1b_lora.yaml").read_text().replace("/tmp/tuneconf/", "/tmp/tc/")
TEXT = REAL + "needed: ???\n"
LINES = TEXT.splitlines()
LOG_LINE = next(n for n, line in enumerate(LINES) if "log_dir: ${output_dir}/logs" in line)


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


async def test_hints_on_a_real_config(client: LanguageClient, tmp_path: Path) -> None:
    uri = (tmp_path / "llama3_2_1b_lora.yaml").as_uri()
    open_doc(client, uri, TEXT)
    found = await hints_of(client, uri)
    assert labels(found, LOG_LINE) == ["→ /tmp/tc/llama3_2_1b_lora/logs"]
    assert labels(found, len(LINES) - 1) == ["required"]
    dataset = next(n for n, line in enumerate(LINES) if "_component_: torchtune.datasets" in line)
    assert labels(found, dataset) == ["tokenizer ← recipe"]
    assert labels(found, next(n for n, line in enumerate(LINES) if "lora_rank: 32" in line)) == []  # literal
    resolved = await request(client.inlay_hint_resolve_async(found[LOG_LINE][0]))
    assert isinstance(resolved.tooltip, types.MarkupContent)
    assert "`metric_logger.log_dir` resolves to `/tmp/tc/llama3_2_1b_lora/logs`" in resolved.tooltip.value


async def test_active_overrides_and_the_setting(vscode: LanguageClient, tmp_path: Path) -> None:
    uri = (tmp_path / "llama3_2_1b_lora.yaml").as_uri()
    open_doc(vscode, uri, TEXT)
    params = types.ExecuteCommandParams(command=ACTIVE_OVERRIDES, arguments=[uri, ["output_dir=/data/run2"]])
    await request(vscode.workspace_execute_command_async(params))
    assert labels(await hints_of(vscode, uri), LOG_LINE) == ["→ /data/run2/logs"]
    params = types.ExecuteCommandParams(command=ACTIVE_OVERRIDES, arguments=[uri, []])
    await request(vscode.workspace_execute_command_async(params))
    assert labels(await hints_of(vscode, uri), LOG_LINE) == ["→ /tmp/tc/llama3_2_1b_lora/logs"]
    vscode.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"tuneconf": {"inlayHints": False}})
    )
    assert await hints_of(vscode, uri) == {}
