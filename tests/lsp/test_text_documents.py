"""The server's copy of a document is the editor's: lines end only where LSP ends them, and a document
the client never opened is read like any file tuneconf reads (regular files only), never blocking."""

from __future__ import annotations

import os
from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp_session import change, diagnostics_for, open_doc, request
from tuneconf.lsp.documents import lsp_lines

HEADER = "# tune run lora_finetune_single_device --config x.yaml\n"
ODD_BREAKS = ["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e"]


def test_lines_end_only_at_lsp_line_breaks() -> None:
    text = "a\r\nb\rc\n" + "".join(f"d{odd}e" for odd in ODD_BREAKS) + "\nlast"
    assert lsp_lines(text) == ("a\r\n", "b\r", "c\n", "".join(f"d{odd}e" for odd in ODD_BREAKS) + "\n", "last")
    assert "".join(lsp_lines(text)) == text and lsp_lines("") == ()


async def test_an_edit_after_an_odd_line_break_lands_where_the_editor_made_it(vscode: LanguageClient) -> None:
    uri = "file:///tmp/tuneconf-e2e/odd-breaks.yaml"
    for version, odd in enumerate(ODD_BREAKS, start=1):
        open_doc(vscode, uri, HEADER + f"# note{odd}more\nc: 3\n", version)
        await diagnostics_for(vscode, uri, version)
        change(vscode, uri, version * 100, (2, 0), (2, 1), "d")  # the editor's line 2 is `c: 3`
        await diagnostics_for(vscode, uri, version * 100)
        doc = types.TextDocumentIdentifier(uri=uri)
        symbols = await request(vscode.text_document_document_symbol_async(types.DocumentSymbolParams(doc)))
        assert [s.name for s in symbols or [] if isinstance(s, types.DocumentSymbol)] == ["recipe", "d"], repr(odd)
        vscode.text_document_did_close(types.DidCloseTextDocumentParams(doc))


async def test_a_document_never_opened_is_never_read_unless_it_is_a_regular_file(
    vscode: LanguageClient, tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)  # pygls used to open it from disk: the server then waited for a writer, for good
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    for path in (fifo, tmp_path / "zero.yaml"):
        doc = types.TextDocumentIdentifier(uri=path.as_uri())
        at = types.Position(0, 0)
        assert await request(vscode.text_document_hover_async(types.HoverParams(doc, at))) is None
        assert await request(vscode.text_document_document_symbol_async(types.DocumentSymbolParams(doc))) is None
    real = tmp_path / "real.yaml"
    real.write_text(HEADER + "epochs: 1\n")
    doc = types.TextDocumentIdentifier(uri=real.as_uri())
    symbols = await request(vscode.text_document_document_symbol_async(types.DocumentSymbolParams(doc)))
    assert [s.name for s in symbols or [] if isinstance(s, types.DocumentSymbol)] == ["recipe", "epochs"]
