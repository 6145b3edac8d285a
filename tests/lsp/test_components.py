"""Component intelligence over LSP: completion, hover, definition, diagnostics and quick fixes."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp_session import codes, completion_items, diagnostics_until, hover_markdown, open_doc, request

URI = "file:///tmp/tuneconf-e2e/components.yaml"
CONFIG = """\
model:
  _component_: torchtune.models.llama3_2.lora_llama3_2_1b
  lora_attn_modules: ['q_proj', 'v_proj']
  lora_rnak: 8
  apply_lora_to_mlp: True
dataset:
  _component_: torchtune.datasets.alpaca_datset
optimizer:
  _component_: torch.optim.AdamW
  lr: 3e-4

loss:
  _component_: torchtune.models.mistral._component_builders.mistral_classifier
"""


def doc_id() -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=URI)


async def opened(client: LanguageClient) -> list[types.Diagnostic]:
    open_doc(client, URI, CONFIG)
    # both need the index: they arrive once the dotpaths are resolved in the background
    return await diagnostics_until(client, URI, lambda d: {"unknown-member", "missing-argument"} <= set(codes(d)))


async def test_diagnostics_point_at_the_segment_and_the_key(vscode: LanguageClient) -> None:
    diagnostics = await opened(vscode)
    by_code = {d.code: d for d in diagnostics}
    # with no recipe, what no recipe passes is still required (mistral_classifier's sizes as a loss)
    assert set(by_code) == {"unknown-member", "unexpected-argument", "private-dotpath", "missing-argument"}
    assert by_code["missing-argument"].message.startswith("mistral_classifier needs num_classes")
    member = by_code["unknown-member"]
    assert member.range == types.Range(types.Position(6, 34), types.Position(6, 47))
    assert "did you mean 'alpaca_dataset'" in member.message
    assert by_code["unexpected-argument"].range == types.Range(types.Position(3, 2), types.Position(3, 11))
    assert "torchtune.models.mistral.mistral_classifier" in by_code["private-dotpath"].message


async def test_quick_fixes_rename_the_argument_and_fix_the_dotpath(vscode: LanguageClient) -> None:
    diagnostics = await opened(vscode)
    for code, expected in (("unexpected-argument", "lora_rank"), ("unknown-member", "alpaca_dataset")):
        diagnostic = next(d for d in diagnostics if d.code == code)
        actions = await request(
            vscode.text_document_code_action_async(
                types.CodeActionParams(doc_id(), diagnostic.range, types.CodeActionContext(diagnostics=[diagnostic]))
            )
        )
        preferred = next(a for a in actions or [] if isinstance(a, types.CodeAction) and a.is_preferred)
        assert preferred.edit is not None and preferred.edit.changes is not None
        (edit,) = preferred.edit.changes[URI]
        assert edit.new_text == expected and edit.range == diagnostic.range


async def test_dotpath_completion_lists_module_members(vscode: LanguageClient) -> None:
    text = "dataset:\n  _component_: torchtune.datasets.al\n"
    open_doc(vscode, URI, text)
    items = await completion_items(vscode, URI, 1, 36)
    labels = [i.label for i in items]
    assert "alpaca_dataset" in labels and "alpaca_cleaned_dataset" in labels
    item = next(i for i in items if i.label == "alpaca_dataset")
    # The recorded VS Code capabilities predate completionList.itemDefaults: the range is on each item.
    assert item.text_edit is not None and item.text_edit.range.start == types.Position(1, 34)
    resolved = await request(vscode.completion_item_resolve_async(item))
    assert resolved.detail is not None and resolved.detail.startswith("alpaca_dataset(tokenizer")


async def test_argument_completion_skips_present_keys_and_inserts_defaults(vscode: LanguageClient) -> None:
    text = "dataset:\n  _component_: torchtune.datasets.alpaca_dataset\n  packed: False\n  \n"
    open_doc(vscode, URI, text)
    by_label = {i.label: i for i in await completion_items(vscode, URI, 3, 2)}
    assert "packed" not in by_label and "train_on_input" in by_label and "source" in by_label
    assert by_label["train_on_input"].text_edit.new_text == "train_on_input: ${1:True}"  # type: ignore[union-attr]


async def test_value_completion_offers_what_the_annotation_allows(vscode: LanguageClient) -> None:
    open_doc(vscode, URI, CONFIG)
    assert [i.label for i in await completion_items(vscode, URI, 4, 21)] == ["True", "False"]
    literals = await completion_items(vscode, URI, 2, 33)
    assert [i.label for i in literals] == ["q_proj", "k_proj", "v_proj", "output_proj"]


async def test_hover_on_a_dotpath_and_on_an_argument(vscode: LanguageClient) -> None:
    open_doc(vscode, URI, CONFIG)
    assert "AdamW(params" in await hover_markdown(vscode, URI, 8, 30)
    assert "(module) torch.optim" in await hover_markdown(vscode, URI, 8, 22)
    assert "apply_lora_to_mlp: bool = False" in await hover_markdown(vscode, URI, 4, 4)


async def test_definition_opens_the_library_source(vscode: LanguageClient) -> None:
    open_doc(vscode, URI, CONFIG)
    locations = await request(
        vscode.text_document_definition_async(types.DefinitionParams(doc_id(), types.Position(1, 50)))
    )
    assert isinstance(locations, list) and len(locations) == 1
    target = Path(locations[0].uri.removeprefix("file://"))
    assert target.name == "_model_builders.py" and target.parent.name == "llama3_2"
    line = target.read_text().splitlines()[locations[0].range.start.line]
    assert line.startswith("def lora_llama3_2_1b(")
