"""A key passed on through **kwargs, followed over LSP: the error arrives once the background index
has read every hop (chat_dataset → SFTDataset → load_dataset → JsonConfig)."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp_session import diagnostics_until, open_doc

URI = "file:///tmp/tuneconf-e2e/kwargs_forwarding.yaml"
CONFIG = """\
dataset:
  _component_: torchtune.datasets.chat_dataset
  source: json
  data_files: data.jsonl
  conversation_column: conversations
  conversation_style: sharegpt
  max_seq_len: 512
"""


async def test_a_key_the_json_builder_lacks_becomes_an_error_once_indexed(vscode: LanguageClient) -> None:
    open_doc(vscode, URI, CONFIG)
    diagnostics = await diagnostics_until(
        vscode, URI, lambda found: any(d.code == "unexpected-argument" for d in found)
    )
    (error,) = [d for d in diagnostics if d.code == "unexpected-argument"]
    assert error.severity == types.DiagnosticSeverity.Error
    assert error.range == types.Range(types.Position(6, 2), types.Position(6, 13))
    assert "JsonConfig" in error.message
    landed = [d for d in diagnostics if d.code == "kwargs-argument"]
    assert [d.range.start.line for d in landed] == [3]  # data_files lands on load_dataset's parameter
    assert all(d.severity == types.DiagnosticSeverity.Information for d in landed)
