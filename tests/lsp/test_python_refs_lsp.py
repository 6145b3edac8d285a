"""Python → configs through the real server, under VS Code's, Neovim's and Emacs's capabilities: references
from a definition and from a parameter list the exact config ranges (as written and through a package
re-export), a "used in N configs" lens sits above the definition, and the server says nothing else about
Python files."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from lsp_session import diagnostics_for, open_doc, request, start_in, until_indexed
from tuneconf.command_ids import SHOW_CONFIG_REFERENCES
from workspace_files import write

SERVER = [sys.executable, "-m", "tuneconf", "serve"]
CLIENTS = ["visual-studio-code", "neovim", "emacs"]
MODELS = """\
def build_model(rank: int, dropout: float = 0.0):
    return rank


class Head:
    def __init__(self, dim: int):
        self.dim = dim
"""
A = """\
model:
  _component_: mypkg.models.build_model
  rank: 8
head:
  _component_: mypkg.Head
  dim: 4
"""
B = """\
# a copy
model:
  _component_: mypkg.build_model
  rank: 16
  dropout: 0.1
"""


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return write(
        tmp_path,
        {
            "mypkg/__init__.py": "from mypkg.models import Head, build_model\n",
            "mypkg/models.py": MODELS,
            "configs/a.yaml": A,
            "configs/b.yaml": B,
        },
    )


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER), params=CLIENTS)
async def editor(request, lsp_client: LanguageClient, workspace: Path):  # type: ignore[no-untyped-def]
    """Each editor's capabilities, the test's workspace as the one folder, and the lens's client command."""

    @lsp_client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def lens_refresh(params: None) -> None:
        """As VS Code does: the server asks for lenses again once the workspace's configs are read."""

    await start_in(lsp_client, workspace, request.param, {"clientCommands": [SHOW_CONFIG_REFERENCES]})
    await until_indexed(lsp_client)
    yield
    await lsp_client.shutdown_session()


def spots(locations: list[types.Location] | None) -> list[tuple[str, int, int, int]]:
    """(file name, line, start, end) of each location, sorted."""
    return sorted(
        (loc.uri.rsplit("/", 1)[-1], loc.range.start.line, loc.range.start.character, loc.range.end.character)
        for loc in locations or []
    )


async def references(client: LanguageClient, uri: str, line: int, col: int) -> list[types.Location] | None:
    params = types.ReferenceParams(
        text_document=types.TextDocumentIdentifier(uri),
        position=types.Position(line, col),
        context=types.ReferenceContext(include_declaration=True),
    )
    return await request(client.text_document_references_async(params))


async def test_references_from_a_definition_and_a_parameter(editor: LanguageClient, workspace: Path) -> None:
    uri = (workspace / "mypkg" / "models.py").as_uri()
    from_def = await references(editor, uri, 0, 6)  # on `build_model`
    assert spots(from_def) == [("a.yaml", 1, 15, 39), ("b.yaml", 2, 15, 32)]  # b.yaml names the re-export
    from_rank = await references(editor, uri, 0, 17)  # on `rank`
    assert spots(from_rank) == [("a.yaml", 2, 2, 6), ("b.yaml", 3, 2, 6)]
    from_dim = await references(editor, uri, 5, 24)  # `dim` of Head.__init__: Head's argument key
    assert spots(from_dim) == [("a.yaml", 5, 2, 5)]


async def test_a_lens_above_each_definition_a_config_uses(editor: LanguageClient, workspace: Path) -> None:
    uri = (workspace / "mypkg" / "models.py").as_uri()
    params = types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri))
    lenses = await request(editor.text_document_code_lens_async(params))
    titles = {lens.range.start.line: lens.command.title for lens in lenses or [] if lens.command is not None}
    assert titles == {0: "used in 2 configs", 4: "used in 1 config"}
    first = next(lens for lens in lenses or [] if lens.range.start.line == 0)
    assert first.command is not None and first.command.command == SHOW_CONFIG_REFERENCES
    target, position, locations = first.command.arguments or []
    assert target == uri and position == {"line": 0, "character": 4} and len(locations) == 2


async def test_the_server_says_nothing_else_about_python(editor: LanguageClient, workspace: Path) -> None:
    py_uri = (workspace / "mypkg" / "models.py").as_uri()
    at = types.TextDocumentPositionParams(types.TextDocumentIdentifier(py_uri), types.Position(0, 6))
    completion = await request(
        editor.text_document_completion_async(types.CompletionParams(at.text_document, at.position))
    )
    hover = await request(editor.text_document_hover_async(types.HoverParams(at.text_document, at.position)))
    assert completion is None and hover is None
    config_uri = (workspace / "configs" / "a.yaml").as_uri()
    open_doc(editor, config_uri, A)
    await diagnostics_for(editor, config_uri)  # published in order: a Python file's would have come first
    assert not editor.diagnostics.get(py_uri)


async def test_an_unreadable_or_broken_python_file_answers_empty(editor: LanguageClient, workspace: Path) -> None:
    broken = write(workspace, {"mypkg/broken.py": "def build_model(:\n"}) / "mypkg" / "broken.py"
    found = await references(editor, broken.as_uri(), 0, 6)
    assert found is not None and len(found) == 0  # answered, with nothing
    assert await references(editor, (workspace / "missing.py").as_uri(), 0, 0) is None


async def test_a_python_file_that_looks_like_a_config_gets_no_diagnostics(
    vscode_in_workspace: LanguageClient, workspace: Path
) -> None:
    """As Neovim or Emacs would, when told to attach the server to Python buffers too."""
    py_uri = (
        write(workspace, {"mypkg/cfg.py": 'MODEL = {"_component_": "mypkg.Head", "dim": 4}\n'}) / "mypkg" / "cfg.py"
    )
    item = types.TextDocumentItem(uri=py_uri.as_uri(), language_id="python", version=1, text=py_uri.read_text())
    vscode_in_workspace.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))
    config_uri = (workspace / "configs" / "a.yaml").as_uri()
    open_doc(vscode_in_workspace, config_uri, A)
    await diagnostics_for(vscode_in_workspace, config_uri)  # published in order: the Python file's came first
    assert not vscode_in_workspace.diagnostics.get(py_uri.as_uri())
