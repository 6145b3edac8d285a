"""The editor's text documents as the server keeps them (pygls' workspace, two rules changed):

- Lines end only where LSP says they do (\\r\\n, \\r, \\n). pygls splits with `str.splitlines`, which
  also breaks at U+2028, U+0085, \\x0b, \\x0c...: an incremental edit after such a character landed
  on the wrong line and the server's copy of the text silently differed from the editor's.
- A document the client never opened is read like every file tuneconf reads (`files.read_text`:
  regular files only, capped), never by pygls from disk, where a FIFO blocked the server for good.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from pygls.workspace import TextDocument, Workspace

from tuneconf.files import read_text
from tuneconf.project import path_of

log = logging.getLogger(__name__)
_BREAK = re.compile(r"\r\n|\r|\n")


def lsp_lines(text: str) -> tuple[str, ...]:
    """The lines of `text` with their endings, split only at LSP's line breaks."""
    lines: list[str] = []
    start = 0
    for found in _BREAK.finditer(text):
        lines.append(text[start : found.end()])
        start = found.end()
    if start < len(text):
        lines.append(text[start:])
    return tuple(lines)


class LspTextDocument(TextDocument):
    @property
    def lines(self) -> tuple[str, ...]:
        return lsp_lines(self.source)


class TextWorkspace(Workspace):
    """pygls' Workspace, with LspTextDocument and safe reads of documents that are not open."""

    @classmethod
    def replacing(cls, workspace: Workspace) -> TextWorkspace:
        """The same workspace (root, folders, sync kind, position encoding), before any document is open."""
        folders = list(workspace.folders.values())
        return cls(workspace.root_uri, workspace._sync_kind, folders, workspace.position_encoding)

    def _create_text_document(
        self,
        doc_uri: str,
        source: str | None = None,
        version: int | None = None,
        language_id: str | None = None,
    ) -> TextDocument:
        if source is None:  # not opened by the client: pygls would read it from disk, whatever it is
            source = _unopened_text(doc_uri)
        return LspTextDocument(
            doc_uri,
            source=source,
            version=version,
            language_id=language_id,
            sync_kind=self._sync_kind,
            position_codec=self.position_codec,
        )


def _unopened_text(uri: str) -> str:
    if not uri.startswith("file:"):
        return ""
    text, problem = read_text(Path(path_of(uri)))
    if text is None:
        log.warning("%s is not open and cannot be read: %s", uri, problem)
        return ""
    return text
