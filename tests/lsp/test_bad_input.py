"""Bad input over LSP: each document gets diagnostics (or silence) inside the document, every request on it is
answered, and the server stays up. bench/malformed.py times the same corpus."""

from __future__ import annotations

import time

import pytest
from lsprotocol import types
from malformed import corpus
from pytest_lsp import LanguageClient

from lsp_session import diagnostics_for, open_doc, request

CASES = corpus()


def spots(text: str) -> list[types.Position]:
    """The start, the middle and the end of the document, in LSP positions (UTF-16)."""
    lines = text.splitlines() or [""]
    middle = len(lines) // 2
    last = lines[-1].encode("utf-16-le")
    return [types.Position(0, 0), types.Position(middle, 1), types.Position(len(lines) - 1, len(last) // 2)]


async def ask_everything(client: LanguageClient, uri: str, at: types.Position) -> None:
    doc = types.TextDocumentIdentifier(uri=uri)
    await request(client.text_document_hover_async(types.HoverParams(doc, at)))
    await request(client.text_document_completion_async(types.CompletionParams(doc, at)))
    await request(client.text_document_definition_async(types.DefinitionParams(doc, at)))
    context = types.CodeActionContext(diagnostics=list(client.diagnostics.get(uri, [])))
    await request(client.text_document_code_action_async(types.CodeActionParams(doc, types.Range(at, at), context)))


@pytest.mark.parametrize("name", list(CASES))
async def test_bad_input_is_answered_and_the_server_survives(vscode: LanguageClient, name: str) -> None:
    uri = f"file:///tmp/tuneconf-e2e/{name}.yaml"
    text = CASES[name]
    started = time.monotonic()
    open_doc(vscode, uri, text)
    diagnostics = await diagnostics_for(vscode, uri)
    elapsed = time.monotonic() - started
    assert all(d.source == "tuneconf" and d.range.start.line <= max(len(text.splitlines()), 1) for d in diagnostics)
    symbols = await request(
        vscode.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
    )
    last_line = max(len(text.splitlines()), 1)
    assert all(isinstance(s, types.DocumentSymbol) and s.range.end.line <= last_line for s in symbols or [])
    for at in spots(text):
        await ask_everything(vscode, uri, at)
    assert not [m for m in vscode.log_messages if m.type == types.MessageType.Error]
    print(f"{name}: diagnostics after {elapsed * 1000:.0f} ms")  # seen with -s; not a timed assertion


def test_the_corpus_says_what_it_should() -> None:
    """Spot checks that the corpus is what its names say (and stays so)."""
    assert len(CASES["5mb"].encode()) > 5_000_000 and "\ufffd" in CASES["invalid-utf8"]
    assert CASES["interpolation-nested-1000"].count("${") == 1000 and "\t" in CASES["tabs"]
