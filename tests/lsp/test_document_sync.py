"""The real server over stdio: diagnostics with versions, incremental sync, outline, folding."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp_session import change, diagnostics_for, diagnostics_until, open_doc, request

URI = "file:///tmp/tuneconf-e2e/config.yaml"
CONFIG = """\
# tune run my_recipe.py --config this.yaml
output_dir: /tmp/out
model:
  _component_: torchtune.models.llama3_2.lora_llama3_2_1b
  lora_rank: 8
dataset:
  - _component_: torchtune.datasets.alpaca_dataset
  - _component_: torchtune.datasets.slimorca_dataset
optimizer:
  _component_: torch.optim.AdamW
  lr: 3e-4
epochs: 1
"""


async def test_open_publishes_diagnostics_with_code_range_and_version(client: LanguageClient) -> None:
    open_doc(client, URI, CONFIG + "epochs: 2\n", version=3)
    (diag,) = await diagnostics_for(client, URI, version=3)
    assert diag.code == "duplicate-key" and diag.source == "tuneconf"
    assert diag.severity == types.DiagnosticSeverity.Error
    assert diag.range == types.Range(types.Position(12, 0), types.Position(12, 6))


async def test_fast_typing_ends_with_the_last_versions_diagnostics(client: LanguageClient) -> None:
    open_doc(client, URI, CONFIG)
    assert await diagnostics_for(client, URI, version=1) == []
    # Type "lr: [" one character at a time at the end, then close the bracket.
    for version, (col, char) in enumerate(zip(range(5), "lr: ["), start=2):
        change(client, URI, version, (12, col), (12, col), char)
    change(client, URI, 7, (12, 5), (12, 5), "1]")
    assert await diagnostics_for(client, URI, version=7) == []
    change(client, URI, 8, (12, 6), (12, 7), "")
    (diag,) = await diagnostics_for(client, URI, version=8)
    assert diag.code == "yaml-syntax" and diag.range.start == types.Position(12, 4)


async def test_syntax_error_keeps_the_outline_of_the_rest(client: LanguageClient) -> None:
    open_doc(client, URI, CONFIG.replace("  lora_rank: 8", "  lora_rank"))
    (diag,) = await diagnostics_for(client, URI)
    assert diag.code == "yaml-syntax" and diag.range.start == types.Position(4, 2)
    symbols = await request(
        client.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=URI))
        )
    )
    assert symbols is not None
    names = [s.name for s in symbols if isinstance(s, types.DocumentSymbol)]
    assert names == ["recipe", "output_dir", "model", "dataset", "optimizer", "epochs"]
    assert symbols[0].detail == "my_recipe.py (from the header)"  # type: ignore[union-attr]


async def test_outline_shows_components_with_their_short_names(vscode: LanguageClient) -> None:
    open_doc(vscode, URI, CONFIG)
    await diagnostics_for(vscode, URI)
    symbols = await request(
        vscode.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=URI))
        )
    )
    by_name = {s.name: s for s in symbols or [] if isinstance(s, types.DocumentSymbol)}
    assert by_name["model"].detail == "lora_llama3_2_1b"
    assert by_name["optimizer"].detail == "AdamW"
    assert [(c.name, c.detail) for c in by_name["dataset"].children or []] == [
        ("[0]", "alpaca_dataset"),
        ("[1]", "slimorca_dataset"),
    ]
    assert by_name["epochs"].detail == "1"


async def test_folding_covers_each_component(vscode: LanguageClient) -> None:
    open_doc(vscode, URI, CONFIG)
    await diagnostics_for(vscode, URI)
    ranges = await request(
        vscode.text_document_folding_range_async(
            types.FoldingRangeParams(text_document=types.TextDocumentIdentifier(uri=URI))
        )
    )
    assert {(r.start_line, r.end_line) for r in ranges or []} >= {(2, 4), (5, 7), (8, 10)}


async def test_other_yaml_gets_silence_and_no_outline(vscode: LanguageClient) -> None:
    uri = "file:///tmp/tuneconf-e2e/workflow.yaml"
    open_doc(vscode, uri, "on: push\njobs:\n  a: 1\n  a: 2\n")
    assert await diagnostics_for(vscode, uri) == []
    symbols = await request(
        vscode.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
    )
    assert symbols is None


async def test_utf16_ranges_after_an_emoji(vscode: LanguageClient) -> None:
    open_doc(vscode, URI, "# tune run x --config y\n😀: 1\n😀: 2\n")
    (diag,) = await diagnostics_for(vscode, URI)
    assert diag.range == types.Range(types.Position(2, 0), types.Position(2, 2))


async def test_close_clears_diagnostics(vscode: LanguageClient) -> None:
    open_doc(vscode, URI, CONFIG + "epochs: 2\n")
    assert await diagnostics_for(vscode, URI)
    vscode.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri=URI)))
    assert await diagnostics_until(vscode, URI, lambda d: d == []) == []
