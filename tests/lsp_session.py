"""Helpers for end-to-end tests: open and change documents, wait for diagnostics (never sleep)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types
from pytest_lsp import LanguageClient
from pytest_lsp.client import default_feature

from tuneconf.command_ids import CHECK_CONFIG, COMPARE_WITH_BUILTIN, DEBUG_RECIPE, RUN_RECIPE, SHOW_EFFECTIVE_CONFIG

T = TypeVar("T")
LENS_COMMANDS = [RUN_RECIPE, DEBUG_RECIPE, CHECK_CONFIG, SHOW_EFFECTIVE_CONFIG]
"""What the VS Code extension names in initializationOptions.clientCommands (the server then offers lenses)."""
VSCODE_OPTIONS = {"clientCommands": [*LENS_COMMANDS, COMPARE_WITH_BUILTIN]}


def open_doc(client: LanguageClient, uri: str, text: str, version: int = 1) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=version, text=text)
        )
    )


def change(
    client: LanguageClient, uri: str, version: int, start: tuple[int, int], end: tuple[int, int], text: str
) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(*start), types.Position(*end)), text=text
                )
            ],
        )
    )


@default_feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
def record_publish(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
    """pytest-lsp's own handler (the last diagnostics per document), and every publish in order: two
    publishes read in one chunk resolve a waiter once, so a test waiting for the second must find it here."""
    client.diagnostics[params.uri] = params.diagnostics
    publishes(client).append(params)


def publishes(client: LanguageClient) -> list[types.PublishDiagnosticsParams]:
    found: list[types.PublishDiagnosticsParams] = client.__dict__.setdefault("tuneconf_publishes", [])
    return found


async def diagnostics_for(client: LanguageClient, uri: str, version: int | None = None) -> list[types.Diagnostic]:
    """Wait for the server's next diagnostics of `uri` (at `version`, when given); never sleep."""
    seen = len(publishes(client))

    async def wait() -> list[types.Diagnostic]:
        while True:
            for params in publishes(client)[seen:]:
                if params.uri == uri and (version is None or params.version == version):
                    return list(params.diagnostics)
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    return await asyncio.wait_for(wait(), timeout=20)


READY = "ready:"
"""What tuneconf logs once it has read the environment and the recipes (lsp/session.py: after_warm_up)."""


async def start_in(
    client: LanguageClient, folder: Path, editor: str = "visual-studio-code", options: Any = None
) -> None:
    """initialize with `editor`'s recorded capabilities and `folder` as the one workspace folder, then
    wait for `ready:` (lens refreshes answered as the editors do)."""
    from pytest_lsp import client_capabilities

    answer_lens_refreshes(client)
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(editor),
            initialization_options=options,
            root_uri=folder.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=folder.as_uri(), name="ws")],
        )
    )
    await until_ready(client)


def answer_lens_refreshes(client: LanguageClient) -> None:
    """As the editors do: answer workspace/codeLens/refresh (the server asks once warm and after indexing),
    unless the test registered its own handler. Call before initialize."""
    if types.WORKSPACE_CODE_LENS_REFRESH not in client.protocol.fm.features:
        client.feature(types.WORKSPACE_CODE_LENS_REFRESH)(lambda _params: None)


async def until_logged(client: LanguageClient, part: str) -> None:
    """Until the server has logged a message containing `part` (window/logMessage; never sleep)."""

    async def wait() -> None:
        while not any(part in m.message for m in client.log_messages):
            await client.wait_for_notification(types.WINDOW_LOG_MESSAGE)

    await asyncio.wait_for(wait(), timeout=60)


async def until_ready(client: LanguageClient) -> None:
    """Until the server is warm: before, a document gets only its syntax and structure findings (start-up).
    The fixtures wait for it, so that a test's first diagnostics are the full ones."""
    await until_logged(client, READY)


async def until_indexed(client: LanguageClient) -> None:
    """Until the server has read the workspace's configs (lsp/handlers/workspace_symbols.py logs it)."""
    await until_logged(client, "workspace configs indexed")


async def diagnostics_until(
    client: LanguageClient, uri: str, done: Callable[[list[types.Diagnostic]], bool]
) -> list[types.Diagnostic]:
    """Diagnostics of `uri` once they satisfy `done` (the server re-publishes when indexing finishes)."""

    async def wait() -> list[types.Diagnostic]:
        while True:
            current = client.diagnostics.get(uri)
            if current is not None and done(list(current)):
                return list(current)
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    return await asyncio.wait_for(wait(), timeout=30)


def codes(diagnostics: list[types.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in diagnostics)


async def request(coro: Awaitable[T]) -> T:
    """A request answered within 30 s (a hang fails the test instead of stalling the suite)."""
    return await asyncio.wait_for(coro, timeout=30)


async def completion_items(client: LanguageClient, uri: str, line: int, col: int) -> list[types.CompletionItem]:
    """The items of a completion list at (line, col); fails on a bare list or no answer."""
    params = types.CompletionParams(types.TextDocumentIdentifier(uri=uri), types.Position(line, col))
    result = await request(client.text_document_completion_async(params))
    assert isinstance(result, types.CompletionList)
    return result.items


async def hover_markdown(client: LanguageClient, uri: str, line: int, col: int) -> str:
    """The markdown of the hover at (line, col); fails when there is none."""
    params = types.HoverParams(types.TextDocumentIdentifier(uri=uri), types.Position(line, col))
    hover = await request(client.text_document_hover_async(params))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.kind == types.MarkupKind.Markdown
    return hover.contents.value
