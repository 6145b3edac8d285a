"""Code points inside, the client's units at the boundary: the one place columns are converted.

LSP clients count columns in UTF-16 code units (VS Code), UTF-8 bytes or code
points, as negotiated at initialize. Only characters outside the BMP (emoji)
differ between code points and UTF-16; UTF-8 differs for any non-ASCII.
"""

from __future__ import annotations

from enum import StrEnum

from lsprotocol import types

from tuneconf.document.tree import Span


class Encoding(StrEnum):
    UTF16 = "utf-16"
    UTF8 = "utf-8"
    UTF32 = "utf-32"


def to_client(line_text: str, col: int, encoding: Encoding) -> int:
    """A code point column of `line_text` in the client's units."""
    if encoding is Encoding.UTF32 or line_text.isascii():
        return col
    prefix = line_text[:col]
    if encoding is Encoding.UTF8:
        return len(prefix.encode("utf-8")) + max(0, col - len(line_text))
    return col + sum(1 for ch in prefix if ord(ch) > 0xFFFF)


def from_client(line_text: str, units: int, encoding: Encoding) -> int:
    """A column in the client's units as a code point column of `line_text` (clamped inside a character)."""
    if encoding is Encoding.UTF32 or line_text.isascii():
        return units
    used = 0
    for index, ch in enumerate(line_text):
        width = _width(ch, encoding)
        if used + width > units:
            return index
        used += width
    return len(line_text) + (units - used)


def _width(ch: str, encoding: Encoding) -> int:
    if encoding is Encoding.UTF8:
        return len(ch.encode("utf-8"))
    return 2 if ord(ch) > 0xFFFF else 1


class Converter:
    """Spans of one document version to LSP ranges and back, in the negotiated encoding."""

    def __init__(self, lines: list[str], encoding: Encoding = Encoding.UTF16) -> None:
        self.lines = lines
        self.encoding = encoding

    def position(self, line: int, col: int) -> types.Position:
        text = self.lines[line] if 0 <= line < len(self.lines) else ""
        return types.Position(line=max(line, 0), character=to_client(text, max(col, 0), self.encoding))

    def range(self, span: Span) -> types.Range:
        return types.Range(start=self.position(*span.start), end=self.position(*span.end))

    def from_position(self, position: types.Position) -> tuple[int, int]:
        """(line, code point column) of a client position."""
        text = self.lines[position.line] if 0 <= position.line < len(self.lines) else ""
        return position.line, from_client(text, position.character, self.encoding)


def encoding_of(name: str | None) -> Encoding:
    """Our Encoding for an LSP PositionEncodingKind value (UTF-16 when unknown, as LSP says)."""
    for encoding in Encoding:
        if name == encoding.value:
            return encoding
    return Encoding.UTF16
