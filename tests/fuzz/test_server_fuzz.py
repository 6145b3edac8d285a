"""Fuzzing the live server over stdio: random incremental edits (UTF-16 ranges), random requests between
them, then the editor's undo (the inverse edits, last first). The server never logs an error or fails a
request, and after the undo it publishes exactly the diagnostics of the original text."""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from edits import apply, base_texts, edits, utf16_position
from hypothesis import given, settings
from hypothesis import strategies as st
from lsp_client import Client

TEXTS = base_texts()
COUNTER = itertools.count()
REQUESTS = [
    "textDocument/completion",
    "textDocument/hover",
    "textDocument/definition",
    "textDocument/references",
    "textDocument/documentSymbol",
    "textDocument/foldingRange",
    "textDocument/codeLens",
    "textDocument/codeAction",
    "textDocument/prepareRename",
]
request = st.tuples(st.sampled_from(REQUESTS), st.floats(0, 1), st.integers(0, 3))


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    root = tmp_path_factory.mktemp("workspace")
    env = dict(os.environ, TUNECONF_CACHE_DIR=str(root / ".cache"))
    client = Client([sys.executable, "-m", "tuneconf", "serve"], cwd=str(root), env=env)
    client.initialize(root, {"clientCommands": ["tuneconf.runRecipe", "tuneconf.checkConfig"]})
    client.wait_message("ready:")  # then every publish has all the findings (the start-up publishes fewer)
    client.root = root  # type: ignore[attr-defined]
    yield client
    client.close()


def settle(client: Client, uri: str, version: int) -> list[Any]:
    """The diagnostics published for `version` of `uri` (the server always publishes the last version)."""
    client.wait_diagnostics(uri, version, after=0, timeout=60)
    return sorted(client.published[uri], key=repr)


def ask(client: Client, uri: str, text: str, method: str, where: float, beyond: int) -> None:
    """One request at a position in the text, or past its end (clients with stale positions do that)."""
    line, character = utf16_position(text, int(where * len(text)))
    position = {"line": line + (beyond if beyond == 3 else 0), "character": character}
    params: dict[str, Any] = {"textDocument": {"uri": uri}, "position": position}
    if method == "textDocument/references":
        params["context"] = {"includeDeclaration": True}
    if method == "textDocument/codeAction":
        params = {"textDocument": {"uri": uri}, "range": {"start": position, "end": position}}
        params["context"] = {"diagnostics": []}
    if method in ("textDocument/documentSymbol", "textDocument/foldingRange", "textDocument/codeLens"):
        params = {"textDocument": {"uri": uri}}
    client.request(method, params, timeout=60)


@settings(max_examples=min(settings().max_examples, int(os.environ.get("TUNECONF_SERVER_FUZZ", "300"))))
@given(st.sampled_from(range(len(TEXTS))), edits, st.lists(request, max_size=6))
def test_edits_requests_undo(client: Client, which: int, changes: list, asks: list) -> None:  # type: ignore[type-arg]
    original = TEXTS[which]
    uri = (client.root / f"fuzz_{next(COUNTER)}.yaml").as_uri()  # type: ignore[attr-defined]
    client.open(uri, original)
    expected = settle(client, uri, 1)
    text, version, undo = original, 1, []
    for change, question in itertools.zip_longest(changes, asks):
        if change is not None:
            start, end, new = apply(text, change)
            version += 1
            client.replace(uri, version, utf16_position(text, start), utf16_position(text, end), new)
            undo.append((start, start + len(new), text[start:end]))
            text = text[:start] + new + text[end:]
        if question is not None:
            ask(client, uri, text, *question)
    for start, end, old in reversed(undo):
        version += 1
        client.replace(uri, version, utf16_position(text, start), utf16_position(text, end), old)
        text = text[:start] + old + text[end:]
    assert text == original
    assert settle(client, uri, version) == expected
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert client.errors == []
