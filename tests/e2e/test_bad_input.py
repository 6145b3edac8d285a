"""Bad input over LSP: each document gets diagnostics (or silence) and the server stays up."""

from __future__ import annotations

import time

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp_session import diagnostics_for, open_doc

HEADER = "# tune run lora_finetune_single_device --config x.yaml\n"
CASES = {
    "empty": "",
    "nul": HEADER + "a: \x00\x01\nb: 1\n",
    "bom": "\ufeff" + HEADER + "a: 1\n",
    "crlf": HEADER.replace("\n", "\r\n") + "a: 1\r\nb:\r\n  c: 2\r\n",
    "deep": HEADER + "a: " + "[" * 10_000 + "]" * 10_000 + "\n",
    "5mb": HEADER + "".join(f"k{i}: {'x' * 60}\n" for i in range(80_000)),
    "alias-bomb": HEADER
    + "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 10)),
    "garbage": HEADER + "]]]: [[[\n{{{: '\n\t\t: :\n" * 200,
}


@pytest.mark.parametrize("name", list(CASES))
async def test_bad_input_is_answered_and_the_server_survives(vscode: LanguageClient, name: str) -> None:
    uri = f"file:///tmp/tuneconf-e2e/{name}.yaml"
    started = time.monotonic()
    open_doc(vscode, uri, CASES[name])
    diagnostics = await diagnostics_for(vscode, uri)
    elapsed = time.monotonic() - started
    assert all(d.source == "tuneconf" for d in diagnostics)
    symbols = await vscode.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert symbols is None or isinstance(symbols, list)
    print(f"{name}: diagnostics after {elapsed * 1000:.0f} ms")  # seen with -s; not a timed assertion
