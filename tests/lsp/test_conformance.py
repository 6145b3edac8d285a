"""LSP conformance: every feature, at every kind of position in a config full of mistakes, under the
VS Code, Neovim and Emacs capability sets (pytest-lsp's specification warnings are errors, see
pyproject.toml); and stale requests: `$/cancelRequest` and a newer edit are honoured."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from lsp_client import Client
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities

from lsp_session import diagnostics_for, open_doc, request

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "configs" / "demo_mistakes.yaml"
TEXT = CONFIG.read_text()


def positions() -> Iterator[types.Position]:
    """On each line: the start, the first non-space, just after the colon, the middle and the end."""
    for number, line in enumerate(TEXT.splitlines()):
        columns = {0, len(line) - len(line.lstrip()), line.find(":") + 1, len(line) // 2, len(line)}
        yield from (types.Position(number, column) for column in sorted(columns))


async def every_feature(client: LanguageClient, uri: str, at: types.Position) -> None:
    doc = types.TextDocumentIdentifier(uri=uri)
    completions = await request(client.text_document_completion_async(types.CompletionParams(doc, at)))
    items = completions.items if isinstance(completions, types.CompletionList) else completions or []
    if items:
        await request(client.completion_item_resolve_async(items[0]))
    await request(client.text_document_hover_async(types.HoverParams(doc, at)))
    await request(client.text_document_definition_async(types.DefinitionParams(doc, at)))
    context = types.ReferenceContext(include_declaration=True)
    await request(client.text_document_references_async(types.ReferenceParams(context, doc, at)))
    await request(client.text_document_prepare_rename_async(types.PrepareRenameParams(doc, at)))


async def test_every_feature_everywhere(client: LanguageClient) -> None:
    uri = CONFIG.as_uri()
    open_doc(client, uri, TEXT)
    diagnostics = await diagnostics_for(client, uri)
    assert diagnostics
    doc = types.TextDocumentIdentifier(uri=uri)
    for at in positions():
        await every_feature(client, uri, at)
    for diagnostic in diagnostics:
        context = types.CodeActionContext(diagnostics=[diagnostic])
        await request(client.text_document_code_action_async(types.CodeActionParams(doc, diagnostic.range, context)))
    await request(client.text_document_document_symbol_async(types.DocumentSymbolParams(doc)))
    await request(client.text_document_folding_range_async(types.FoldingRangeParams(doc)))
    await request(client.text_document_document_link_async(types.DocumentLinkParams(doc)))
    lenses = await request(client.text_document_code_lens_async(types.CodeLensParams(doc)))
    vscode = client.capabilities == client_capabilities("visual-studio-code")
    assert len(lenses or []) == (5 if vscode else 0)  # only the extension implements the lens commands (Run, Debug,
    # Check, Effective config, Compare with built-in)
    assert not [m for m in client.log_messages if m.type == types.MessageType.Error]


@pytest.fixture
def raw(tmp_path: Path) -> Iterator[Client]:
    """A client that can put several messages in one write, as a busy editor's pipe delivers them."""
    client = Client([sys.executable, "-m", "tuneconf", "serve"], cwd=str(tmp_path))
    client.initialize(tmp_path)
    yield client
    client.close()


def test_stale_requests_are_not_computed(raw: Client, tmp_path: Path) -> None:
    uri = (tmp_path / "config.yaml").as_uri()
    raw.open(uri, "model:\n  _component_: torch.nn.Linear\n  in_features: 2\n")
    raw.wait_diagnostics(uri, 1, after=0)
    at = {"textDocument": {"uri": uri}, "position": {"line": 2, "character": 3}}
    cancelled = raw.burst(("?textDocument/completion", at), ("$/cancelRequest", None))
    assert raw.answer(cancelled[0])[1]["code"] == types.LSPErrorCodes.RequestCancelled  # type: ignore[index]
    change = {"range": {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 0}}, "text": "  x: 1\n"}
    edit = {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [change]}
    hover, after = raw.burst(("?textDocument/hover", at), ("textDocument/didChange", edit), ("?textDocument/hover", at))
    assert raw.answer(hover)[1]["code"] == types.LSPErrorCodes.ContentModified  # type: ignore[index]
    assert raw.answer(after)[1] is None
    raw.wait_diagnostics(uri, 2, after=0)
    moved = {"textDocument": {"uri": uri}, "position": {"line": 3, "character": 3}}  # in_features, one line down
    result, error = raw.answer(raw.burst(("?textDocument/hover", moved))[0])
    assert error is None and result is not None and "in_features" in str(result)
    assert raw.errors == [] and raw.proc.poll() is None
