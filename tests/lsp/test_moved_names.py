"""A moved name over LSP: the first diagnostics do not wait for the package's names; once they are
read (in the background), the document is checked again and says where the name lives now."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp_session import diagnostics_until, open_doc, request

URI = "file:///tmp/tuneconf-e2e/moved.yaml"
CONFIG = """\
checkpointer:
  _component_: torchtune.utils.FullModelHFCheckpointer
metric_logger:
  _component_: torchtune.utils.metric_logging.DiskLogger
"""


async def test_moved_names_are_published_once_read_and_fixed_together(vscode: LanguageClient) -> None:
    open_doc(vscode, URI, CONFIG)
    diagnostics = await diagnostics_until(vscode, URI, lambda d: sum(" now." in x.message for x in d) == 2)
    first = diagnostics[0]
    assert first.message.endswith("it is torchtune.training.FullModelHFCheckpointer now.")
    actions = await request(
        vscode.text_document_code_action_async(
            types.CodeActionParams(
                types.TextDocumentIdentifier(uri=URI), first.range, types.CodeActionContext(diagnostics=[first])
            )
        )
    )
    titles = [a.title for a in actions or [] if isinstance(a, types.CodeAction) and a.is_preferred]
    assert titles == ["Change to torchtune.training.FullModelHFCheckpointer"]
    assert any(a.title == "Fix every moved name in this file (2)" for a in actions or [])
