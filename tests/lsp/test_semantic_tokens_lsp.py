"""Semantic tokens through the real server, under VS Code's, Neovim's and Emacs's capabilities: the
legend and full/delta support advertised, what each token covers on a real config, a delta that turns
the last result into a fresh full one after an edit, and nothing while the setting is off."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from lsp_session import (
    VSCODE_OPTIONS,
    answer_lens_refreshes,
    change,
    codes,
    diagnostics_until,
    open_doc,
    request,
    until_ready,
)
from token_samples import EXTRA, Decoded, extra_tokens

ROOT = Path(__file__).resolve().parents[2]
SERVER = [sys.executable, "-m", "tuneconf", "serve"]
REAL = (ROOT / "configs" / "llama3_2_1b_lora.yaml").read_text()
TEXT = REAL + EXTRA
AT = len(REAL.splitlines())
"""The line of the first added key."""
PROVIDERS: dict[int, types.SemanticTokensOptions | types.SemanticTokensRegistrationOptions | None] = {}


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER), params=["visual-studio-code", "neovim", "emacs"])
async def client(request, lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    """As tests/lsp/conftest.py's `client`, keeping what the server says it provides."""
    answer_lens_refreshes(lsp_client)
    result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(request.param),
            initialization_options=VSCODE_OPTIONS if request.param == "visual-studio-code" else None,
            root_uri=ROOT.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=ROOT.as_uri(), name="tuneconf")],
        )
    )
    PROVIDERS[id(lsp_client)] = result.capabilities.semantic_tokens_provider
    await until_ready(lsp_client)
    yield
    await lsp_client.shutdown_session()


def decode(data: Sequence[int], text: str, legend: types.SemanticTokensLegend) -> list[Decoded]:
    """(line, covered text, type, modifiers) per token (ASCII text: units are code points)."""
    lines = text.splitlines()
    found: list[Decoded] = []
    line = start = 0
    for i in range(0, len(data), 5):
        delta, offset, length, kind, mods = data[i : i + 5]
        line, start = line + delta, (start + offset if delta == 0 else offset)
        names = tuple(m for bit, m in enumerate(legend.token_modifiers) if mods >> bit & 1)
        found.append((line, lines[line][start : start + length], legend.token_types[kind], names))
    return found


async def full(client: LanguageClient, uri: str) -> types.SemanticTokens:
    params = types.SemanticTokensParams(types.TextDocumentIdentifier(uri))
    result = await request(client.text_document_semantic_tokens_full_async(params))
    assert isinstance(result, types.SemanticTokens)
    return result


async def test_tokens_full_and_delta(client: LanguageClient, tmp_path: Path) -> None:
    provider = PROVIDERS[id(client)]
    assert provider is not None and provider.full == types.SemanticTokensFullDelta(delta=True)
    legend = provider.legend
    uri = (tmp_path / "cfg.yaml").as_uri()
    open_doc(client, uri, TEXT)
    # the recipe is known (unused-key), and the dotpaths resolved: private-dotpath needs the index's answer,
    # which comes for all of the document's dotpaths in one background batch
    await diagnostics_until(client, uri, lambda d: {"unused-key", "private-dotpath"} <= set(codes(d)))

    first = await full(client, uri)
    tokens = decode(first.data, TEXT, legend)
    assert [t for t in tokens if t[0] >= AT] == extra_tokens(AT)
    model = REAL.splitlines().index("  _component_: torch.optim.AdamW")
    assert [t[1:3] for t in tokens if t[0] == model] == [
        ("torch", "namespace"),
        ("optim", "namespace"),
        ("AdamW", "class"),
    ]

    # an edit: a line above everything, and `???` given a value
    change(client, uri, 2, (AT + 2, 8), (AT + 2, 11), "${home}")
    change(client, uri, 3, (0, 0), (0, 0), "# a new first line\n")
    params = types.SemanticTokensDeltaParams(types.TextDocumentIdentifier(uri), first.result_id or "")
    delta = await request(client.text_document_semantic_tokens_full_delta_async(params))
    assert isinstance(delta, types.SemanticTokensDelta)
    data = list(first.data)
    for edit in sorted(delta.edits, key=lambda e: e.start, reverse=True):
        data[edit.start : edit.start + edit.delete_count] = edit.data or []
    fresh = await full(client, uri)
    assert data == list(fresh.data) and list(fresh.data) != list(first.data)
    edited = "# a new first line\n" + TEXT.replace("needed: ???", "needed: ${home}")
    assert (AT + 3, "home", "property", ()) in decode(fresh.data, edited, legend)


async def test_nothing_while_the_setting_is_off(client: LanguageClient, tmp_path: Path) -> None:
    uri = (tmp_path / "cfg.yaml").as_uri()
    open_doc(client, uri, TEXT)
    await diagnostics_until(client, uri, lambda d: "unused-key" in codes(d))
    on = await full(client, uri)
    assert len(on.data) > 100
    settings = types.DidChangeConfigurationParams(settings={"tuneconf": {"semanticTokens": False}})
    client.workspace_did_change_configuration(settings)
    assert list((await full(client, uri)).data) == []
    params = types.SemanticTokensDeltaParams(types.TextDocumentIdentifier(uri), on.result_id or "")
    delta = await request(client.text_document_semantic_tokens_full_delta_async(params))
    assert isinstance(delta, types.SemanticTokens) and list(delta.data) == []
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"tuneconf": {}}))
    assert list((await full(client, uri)).data) == list(on.data)


async def test_a_yaml_file_that_is_no_config_gets_no_tokens(client: LanguageClient, tmp_path: Path) -> None:
    uri = (tmp_path / "other.yaml").as_uri()
    open_doc(client, uri, "name: ${x}\nvalue: ???\n")
    assert list((await full(client, uri)).data) == []
