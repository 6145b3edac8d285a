"""Marked text for tests: «…» marks an expected span, ‸ a cursor position. Both are removed."""

from __future__ import annotations

from tuneconf.document.tree import Span


def unmark(marked: str) -> tuple[str, list[Span], list[tuple[int, int]]]:
    """(text, spans in order of their «, cursor positions) for a marked text."""
    text: list[str] = []
    spans: list[Span] = []
    cursors: list[tuple[int, int]] = []
    opened: list[tuple[int, int]] = []
    line = col = 0
    for ch in marked:
        if ch == "«":
            opened.append((line, col))
        elif ch == "»":
            start = opened.pop()
            spans.append(Span(*start, line, col))
        elif ch == "‸":
            cursors.append((line, col))
        else:
            text.append(ch)
            if ch == "\n":
                line, col = line + 1, 0
            else:
                col += 1
    spans.sort(key=lambda s: (s.start, s.end))
    return "".join(text), spans, cursors
