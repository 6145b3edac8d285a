"""Answers fitted to what the client declares it can show."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import client_capabilities

from tuneconf.lsp.capabilities import (
    ClientFeatures,
    fit_completion,
    fit_hover,
    fit_item,
    plain_markdown,
    plain_snippet,
)


@pytest.mark.parametrize(
    ("snippet", "text"),
    [("lr: ${1:3e-4}", "lr: 3e-4"), ("rank: $1", "rank: "), ("x: ${1:a\\}b}$0", "x: a}b"), ("p: ${2}", "p: ")],
)
def test_a_snippet_becomes_the_text_it_inserts(snippet: str, text: str) -> None:
    assert plain_snippet(snippet) == text


def test_markdown_loses_its_fences() -> None:
    assert plain_markdown("```python\ndef f(x: int)\n```\n\n\n\nDoc `x`.") == "def f(x: int)\n\nDoc `x`."


def test_the_recorded_clients() -> None:
    vscode = ClientFeatures.of(client_capabilities("visual-studio-code"), types.ClientInfo("Visual Studio Code"))
    neovim = ClientFeatures.of(client_capabilities("neovim"), types.ClientInfo("Neovim"))
    # recorded before VS Code declared itemDefaults; it registers file watchers on request
    assert vscode == ClientFeatures(edit_range_default=False, watch_files=True)
    assert not neovim.commit_characters and not neovim.vscode_commands and neovim.edit_range_default
    assert not ClientFeatures.of(types.ClientCapabilities(), None).watch_files  # never asked of a client that cannot


def test_an_item_for_a_client_without_snippets_markdown_or_commit_characters() -> None:
    bare = ClientFeatures.of(types.ClientCapabilities(), None)
    edit = types.TextEdit(types.Range(types.Position(0, 0), types.Position(0, 2)), "lr: ${1:3e-4}")
    item = types.CompletionItem(
        label="lr",
        text_edit=edit,
        insert_text_format=types.InsertTextFormat.Snippet,
        commit_characters=["."],
        documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value="```\nlr\n```"),
        command=types.Command("Suggest", "editor.action.triggerSuggest"),
    )
    fitted = fit_item(item, bare)
    assert isinstance(fitted.text_edit, types.TextEdit)
    assert (fitted.insert_text_format, fitted.text_edit.new_text, fitted.documentation) == (
        types.InsertTextFormat.PlainText,
        "lr: 3e-4",
        "lr",
    )
    assert fitted.commit_characters is None and fitted.command is None
    hover = types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="**x**"))
    assert fit_hover(hover, bare).contents.kind == types.MarkupKind.PlainText  # type: ignore[union-attr]


def test_a_shared_edit_range_is_spelled_out_for_a_client_without_item_defaults() -> None:
    span = types.Range(types.Position(1, 34), types.Position(1, 36))
    items = [types.CompletionItem(label="alpaca_dataset"), types.CompletionItem(label="x", text_edit_text="y")]
    listing = types.CompletionList(False, items, item_defaults=types.CompletionItemDefaults(edit_range=span))
    fitted = fit_completion(listing, ClientFeatures.of(types.ClientCapabilities(), None))
    assert fitted is not None and fitted.item_defaults is None
    assert [(i.text_edit.range, i.text_edit.new_text) for i in fitted.items] == [  # type: ignore[union-attr]
        (span, "alpaca_dataset"),
        (span, "y"),
    ]
    assert items[0].text_edit is None  # the cached items themselves are left as they were
