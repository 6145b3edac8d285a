"""pytest-lsp against the real `tuneconf serve` process, with recorded client capabilities."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import default_feature

from lsp_session import VSCODE_OPTIONS, answer_lens_refreshes, start_in, until_ready

ROOT = Path(__file__).resolve().parents[2]
SERVER = [sys.executable, "-m", "tuneconf", "serve"]
CLIENTS = ["visual-studio-code", "neovim", "emacs"]


@default_feature(types.WORKSPACE_SEMANTIC_TOKENS_REFRESH)
def semantic_tokens_refresh(client: LanguageClient, params: None) -> None:
    """As the editors do: the server asks again for tokens after a setting or the index changed them."""


@default_feature(types.WORKSPACE_INLAY_HINT_REFRESH)
def inlay_hint_refresh(client: LanguageClient, params: None) -> None:
    """As the editors do: the server asks again for inlay hints after a setting or the index changed them."""


@default_feature(types.CLIENT_REGISTER_CAPABILITY)
def accept_registration(client: LanguageClient, params: types.RegistrationParams) -> None:
    """As VS Code and Emacs do: the server registers its file watch (lsp/watching.py) where the client's
    capabilities say it can; the test clients accept it like the editors whose capabilities they carry."""


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER), params=CLIENTS)
async def client(request, lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    answer_lens_refreshes(lsp_client)
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(request.param),
            initialization_options=VSCODE_OPTIONS if request.param == "visual-studio-code" else None,
            root_uri=ROOT.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=ROOT.as_uri(), name="tuneconf")],
        )
    )
    await until_ready(lsp_client)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def vscode(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    answer_lens_refreshes(lsp_client)
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            initialization_options=VSCODE_OPTIONS,
            root_uri=ROOT.as_uri(),
        )
    )
    await until_ready(lsp_client)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def vscode_in_workspace(lsp_client: LanguageClient, workspace: Path):  # type: ignore[no-untyped-def]
    """VS Code's capabilities with the test module's own `workspace` fixture as the one workspace folder."""
    await start_in(lsp_client, workspace, options=VSCODE_OPTIONS)
    yield
    await lsp_client.shutdown_session()
