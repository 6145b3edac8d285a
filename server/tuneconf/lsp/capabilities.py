"""What the client can show: the features build their richest answer (markdown, snippets, commit
characters, VS Code commands) and this module fits it to the client's declared capabilities."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import attrs
from lsprotocol import types

_PLACEHOLDER = re.compile(r"\$\{\d+:((?:[^}\\]|\\.)*)\}|\$\{\d+\}|\$\d+")
_FENCE = re.compile(r"^```\w*[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class ClientFeatures:
    snippets: bool = True
    commit_characters: bool = True
    completion_markdown: bool = True
    hover_markdown: bool = True
    vscode_commands: bool = True
    """Whether the client runs VS Code's own commands (editor.action.triggerSuggest)."""
    edit_range_default: bool = True
    """Whether the client reads a completion list's itemDefaults.editRange (LSP 3.17)."""
    client_commands: frozenset[str] = frozenset()
    """The tuneconf commands the client implements (`initializationOptions.clientCommands`)."""
    link_tooltips: bool = True
    """Whether the client shows a document link's tooltip."""
    watch_files: bool = False
    """Whether the client registers file watchers on request (workspace/didChangeWatchedFiles)."""

    @classmethod
    def of(cls, caps: types.ClientCapabilities, info: types.ClientInfo | None, options: Any = None) -> ClientFeatures:
        document = caps.text_document
        completion = document.completion if document is not None else None
        item = completion.completion_item if completion is not None else None
        hover = document.hover if document is not None else None
        listing = completion.completion_list if completion is not None else None
        return cls(
            snippets=bool(item and item.snippet_support),
            commit_characters=bool(item and item.commit_characters_support),
            completion_markdown=types.MarkupKind.Markdown in ((item and item.documentation_format) or []),
            hover_markdown=types.MarkupKind.Markdown in ((hover and hover.content_format) or []),
            vscode_commands=info is not None and "code" in info.name.lower(),
            edit_range_default="editRange" in ((listing and listing.item_defaults) or []),
            client_commands=_commands(options),
            link_tooltips=bool(document and document.document_link and document.document_link.tooltip_support),
            watch_files=_watches(caps),
        )


def _watches(caps: types.ClientCapabilities) -> bool:
    watched = caps.workspace.did_change_watched_files if caps.workspace is not None else None
    return bool(watched and watched.dynamic_registration)


def _commands(options: Any) -> frozenset[str]:
    named = options.get("clientCommands") if isinstance(options, dict) else None
    return frozenset(c for c in named if isinstance(c, str)) if isinstance(named, list) else frozenset()


def fit_completion(result: types.CompletionList | None, features: ClientFeatures) -> types.CompletionList | None:
    if result is None:
        return None
    defaults = result.item_defaults
    items = result.items
    if defaults is not None and isinstance(defaults.edit_range, types.Range) and not features.edit_range_default:
        edit = defaults.edit_range  # our lists carry no other default: spell the range out on each item
        items = [attrs.evolve(i, text_edit=types.TextEdit(edit, i.text_edit_text or i.label)) for i in items]
        result.item_defaults = None
    result.items = [fit_item(item, features) for item in items]
    return result


def fit_item(item: types.CompletionItem, features: ClientFeatures) -> types.CompletionItem:
    if not features.commit_characters:
        item.commit_characters = None
    if not features.completion_markdown and isinstance(item.documentation, types.MarkupContent):
        item.documentation = plain_markdown(item.documentation.value)
    if not features.snippets and item.insert_text_format == types.InsertTextFormat.Snippet:
        item.insert_text_format = types.InsertTextFormat.PlainText
        if isinstance(item.text_edit, types.TextEdit):
            item.text_edit.new_text = plain_snippet(item.text_edit.new_text)
        if item.insert_text is not None:
            item.insert_text = plain_snippet(item.insert_text)
    if not features.vscode_commands and item.command is not None and item.command.command.startswith("editor."):
        item.command = None
    return item


def fit_links(links: list[types.DocumentLink], features: ClientFeatures) -> list[types.DocumentLink]:
    if not features.link_tooltips:
        for link in links:
            link.tooltip = None
    return links


def fit_hover(hover: types.Hover | None, features: ClientFeatures) -> types.Hover | None:
    if hover is not None and not features.hover_markdown and isinstance(hover.contents, types.MarkupContent):
        text = plain_markdown(hover.contents.value)
        hover.contents = types.MarkupContent(kind=types.MarkupKind.PlainText, value=text)
    return hover


def plain_snippet(snippet: str) -> str:
    """A snippet as the text it inserts when no placeholder is edited: `lr: ${1:3e-4}` → `lr: 3e-4`."""
    text = _PLACEHOLDER.sub(lambda m: m.group(1) or "", snippet)
    return re.sub(r"\\([$}\\])", r"\1", text)


def plain_markdown(markdown: str) -> str:
    """Markdown as plain text: code fences go, the rest reads as it is."""
    return re.sub(r"\n{3,}", "\n\n", _FENCE.sub("", markdown)).strip()
