"""The LSP base protocol's framing — a header part (`Name: value` lines, then an empty line) and a
content part of exactly `Content-Length` bytes — with recovery from a broken frame.

A wrong `Content-Length` (too small, too large, not a number, missing) must not leave the server deaf
to every later message, nor waiting forever for bytes that never come. The rule that makes recovery
safe: a `Content-Length: <digits>` line cannot occur inside a valid JSON body. JSON forbids raw line
breaks inside strings, and outside strings a bare `Content-Length:` is no JSON token. So wherever that
line shows up, a new message begins there, and:

- a body ends at its declared length or at the next header inside it, whichever comes first (a length
  that is too large loses nothing: the body before the header is read as usual, the next message too);
- a header part that does not parse (garbage, the tail of a body whose length was too small, a
  missing or non-numeric length) is dropped up to the next header, and the frames after it are read.

We resynchronise instead of exiting: the LSP spec defines no recovery, and an exit loses the open
documents' state in every client and makes clients that do not restart servers (Neovim, Emacs) lose
the server for the session. Each frame that is dropped is logged with the reason.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

log = logging.getLogger(__name__)

HEADER = re.compile(rb"Content-Length:[ \t]*\d+[ \t]*\r?\n")
"""Where a message begins (case as every client writes it: a case-blind search is 10x slower)."""
HEADER_END = re.compile(rb"\r?\n\r?\n")
FIELD = re.compile(rb"^([!-9;-~]+):[ \t]*([^\r\n]*?)[ \t]*")
MAX_HEADER = 8192
"""A header part longer than this is garbage (real ones are two short lines)."""
OVERLAP = 64
"""Bytes kept from the end of a scanned region: a header split across two reads is still found."""


class Framer:
    """Bytes in (`feed`), complete message bodies out (`bodies`); never raises on bad input."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.length: int | None = None
        """The declared length of the body being read; None while reading a header part."""
        self.scanned = 0
        """How much of the body being read was searched for a header already."""

    def feed(self, data: bytes) -> None:
        self.buffer += data

    def bodies(self) -> Iterator[bytes]:
        """Every body complete in the buffer, in order, without waiting for more input."""
        while True:
            if self.length is None and not self._read_header():
                return
            body = self._read_body()
            if body is None:
                return
            yield body

    def leftover(self) -> int:
        """Bytes of an incomplete message (at the end of the input)."""
        return len(self.buffer)

    def _read_header(self) -> bool:
        """Read a header part; False while it is incomplete. Garbage before it is dropped."""
        while True:
            end = HEADER_END.search(self.buffer, 0, MAX_HEADER + 4)
            length = _content_length(bytes(self.buffer[: end.start()])) if end is not None else None
            if end is not None and length is not None:
                del self.buffer[: end.end()]
                self.length, self.scanned = length, 0
                return True
            if end is None and len(self.buffer) <= MAX_HEADER:
                return False
            if not self._resync("no valid header part" if end is not None else "a header part without an end"):
                return False

    def _read_body(self) -> bytes | None:
        """The body once complete (None before): its declared length, or up to a header inside it."""
        assert self.length is not None
        limit = min(self.length, len(self.buffer))
        # A header that begins before the limit may end after it: look a little further.
        found = HEADER.search(self.buffer, max(0, self.scanned - OVERLAP), limit + OVERLAP)
        self.scanned = limit
        if found is not None and found.start() < self.length:
            log.warning(
                "A message declared Content-Length %d but the next message began after %d bytes; reading on from there",
                self.length,
                found.start(),
            )
            limit = found.start()
        elif len(self.buffer) < self.length:
            return None
        body = bytes(self.buffer[:limit])
        del self.buffer[:limit]
        self.length = None
        return body

    def _resync(self, why: str) -> bool:
        """Drop input up to the next header (True), else all but a tail that may begin one (False)."""
        found = HEADER.search(self.buffer, 1)
        dropped = found.start() if found is not None else max(0, len(self.buffer) - OVERLAP)
        if dropped:
            log.warning("Dropped %d bytes of input (%s): %r", dropped, why, bytes(self.buffer[: min(dropped, 80)]))
            del self.buffer[:dropped]
        return found is not None


def _content_length(header: bytes) -> int | None:
    """The Content-Length of a header part; None unless every line is a `Name: value` field and the
    length is a decimal number (names are case-insensitive, as in HTTP)."""
    length = None
    for line in header.strip().splitlines():
        field = FIELD.fullmatch(line)
        if field is None:
            return None
        if field[1].lower() == b"content-length":
            if not field[2].isdigit():
                return None
            length = int(field[2])
    return length
