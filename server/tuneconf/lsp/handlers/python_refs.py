"""Handlers for Python → config references and the "used in N configs" lens (features/python_refs.py).

The server takes Python documents for these two requests only: where the client registers dynamically,
`textDocument/references` and `textDocument/codeLens` are registered for `{language: python}` (VS Code's
client sends the server YAML documents only otherwise); everything else stays Pylance's. Those methods are
lsp/server.py's for YAML: its handlers answer a Python document's request with the functions here. Python
text is read from disk: the server is never sent a Python document, so an unsaved edit is not seen until
it is saved."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from lsprotocol import types

from tuneconf.document.positions import Converter, encoding_of
from tuneconf.document.tolerant import split_lines
from tuneconf.files import read_text
from tuneconf.lsp.handlers.workspace_symbols import INDEX, sync_open_documents
from tuneconf.lsp.session import TuneconfServer
from tuneconf.project import REQUEST_WAIT_S, path_of

REFERENCES_ID = "tuneconf-python-references"
LENS_ID = "tuneconf-python-lens"
PYTHON = [types.TextDocumentFilterLanguage(language="python", scheme="file")]
MAX_PYTHON_BYTES = 4 * 1024 * 1024


def register(server: TuneconfServer) -> None:
    """Nothing of its own: lsp/server.py's references and codeLens handlers call in here for Python files,
    and its `initialized` registers them for Python (`register_for_python`)."""


def is_python(uri: str) -> bool:
    return uri.startswith("file:") and uri.endswith((".py", ".pyi"))


def registrations(caps: types.ClientCapabilities) -> list[types.Registration]:
    """References and code lenses for Python documents, where the client registers them dynamically."""
    document = caps.text_document
    found: list[types.Registration] = []
    if document is not None and document.references is not None and document.references.dynamic_registration:
        options = types.ReferenceRegistrationOptions(document_selector=PYTHON)
        found.append(types.Registration(REFERENCES_ID, types.TEXT_DOCUMENT_REFERENCES, options))
    if document is not None and document.code_lens is not None and document.code_lens.dynamic_registration:
        lens = types.CodeLensRegistrationOptions(document_selector=PYTHON, resolve_provider=False)
        found.append(types.Registration(LENS_ID, types.TEXT_DOCUMENT_CODE_LENS, lens))
    return found


def register_for_python(ls: TuneconfServer) -> None:
    if not ls.project.settings.python_references:
        return
    found = registrations(ls.client_capabilities)
    if found:
        ls.client_register_capability(types.RegistrationParams(registrations=found))


def python_references(ls: TuneconfServer, params: types.ReferenceParams) -> list[types.Location] | None:
    from tuneconf.features import python_refs as refs

    source, path = _python_source(ls, params.text_document.uri)
    if source is None:
        return None
    conv = Converter(split_lines(source), encoding_of(ls.workspace.position_encoding))
    found = refs.definition_at(source, *conv.from_position(params.position))
    if found is None:
        return []
    uses = _uses_in(ls, path)(found.definition)
    return refs.references(found, uses, conv.encoding)


def python_lenses(ls: TuneconfServer, params: types.CodeLensParams) -> list[types.CodeLens] | None:
    from tuneconf.command_ids import SHOW_CONFIG_REFERENCES
    from tuneconf.features.python_refs import lenses

    source, path = _python_source(ls, params.text_document.uri)
    if source is None or SHOW_CONFIG_REFERENCES not in ls.features.client_commands:
        return None
    encoding = encoding_of(ls.workspace.position_encoding)
    return lenses(params.text_document.uri, source, _uses_in(ls, path), encoding)


def _python_source(ls: TuneconfServer, uri: str) -> tuple[str | None, Path]:
    """The Python file's text on disk (None: the feature is off or the file cannot be read)."""
    path = Path(path_of(uri))
    if not ls.project.settings.python_references:
        return None, path
    text, _ = read_text(path, MAX_PYTHON_BYTES)
    return text, path


def _uses_in(ls: TuneconfServer, path: Path) -> Callable[[Any], list[Any]]:
    """Where the configs name a definition of the file at `path` (see features/python_refs.config_uses)."""
    from tuneconf.features.python_refs import budgeted, config_uses, module_names

    sync_open_documents(ls)
    project = ls.project
    roots, editable = list(project.folders), {}
    resolve: Callable[[str, float], Any] = lambda _dotpath, _wait: None  # noqa: E731
    if project.warm:  # the environment is known (else: named as defined, in the workspace folders only)
        index = project.index
        roots += [*index.env.search_path, *index.finder.local_roots]
        editable, resolve = index.env.editable, index.resolve
    modules = module_names(path, roots, editable)
    target = budgeted(resolve, REQUEST_WAIT_S * 2)
    return lambda definition: config_uses(modules, definition.qualname, path, INDEX, target)
