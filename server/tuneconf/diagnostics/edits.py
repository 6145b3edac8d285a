"""Quick fixes as data: minimal text edits (code point positions) that keep comments and layout.

A fix travels in a finding's `data` as {"title", "edits": [[sl, sc, el, ec, text], ...]}; the
code-action feature turns it into an LSP WorkspaceEdit at the one place positions are converted.
"""

from __future__ import annotations

from typing import Any

from tuneconf.document.parse import ParsedConfig
from tuneconf.document.tree import Mapping, Pair, Scalar, Span

Fix = dict[str, Any]


def fix(title: str, *edits: tuple[Span, str], preferred: bool = False) -> Fix:
    return {"title": title, "edits": [[*span, text] for span, text in edits], "preferred": preferred}


def segment_span(scalar: Scalar, index: int) -> Span:
    """The span of the index-th dotted segment of a one-line scalar (the whole scalar otherwise)."""
    span = scalar.span
    if span.start_line != span.end_line or scalar.style not in (None, "'", '"'):
        return span
    start = span.start_col + (1 if scalar.style else 0)
    parts = scalar.text.split(".")
    if index >= len(parts):
        return span
    start += sum(len(p) + 1 for p in parts[:index])
    if not parts[index]:  # an empty segment: show the dots around it
        return Span(span.start_line, max(start - 1, span.start_col), span.start_line, start + 1)
    return Span(span.start_line, start, span.start_line, start + len(parts[index]))


def text_span(scalar: Scalar) -> Span:
    """The span of a one-line scalar's text, without its quotes."""
    span = scalar.span
    if scalar.style in ("'", '"') and span.start_line == span.end_line:
        return Span(span.start_line, span.start_col + 1, span.end_line, span.end_col - 1)
    return span


def remove_pair(doc: ParsedConfig, mapping: Mapping, pair: Pair) -> tuple[Span, str]:
    """The edit that deletes `pair` from `mapping`: its whole lines in block style, `k: v, ` in flow."""
    key, value = pair.key.span, pair.value.span
    if not mapping.flow and _alone_on_lines(doc, pair):
        end_line = value.end_line if value.end_col > 0 or value.end_line == key.start_line else value.end_line - 1
        return Span(key.start_line, 0, end_line + 1, 0), ""
    index = mapping.pairs.index(pair)
    if index + 1 < len(mapping.pairs):
        nxt = mapping.pairs[index + 1].key.span
        return Span(key.start_line, key.start_col, nxt.start_line, nxt.start_col), ""
    if index > 0:
        prev = mapping.pairs[index - 1].value.span
        return Span(prev.end_line, prev.end_col, value.end_line, value.end_col), ""
    return Span(*key.start, *value.end), ""


def _alone_on_lines(doc: ParsedConfig, pair: Pair) -> bool:
    key = pair.key.span
    before = doc.lines[key.start_line][: key.start_col]
    if before.strip() not in ("", "-"):
        return False
    value = pair.value.span
    if value.end_col == 0:
        return True
    after = doc.lines[value.end_line][value.end_col :] if value.end_line < len(doc.lines) else ""
    return after.strip() == "" or after.lstrip().startswith("#")


def insert_pairs(doc: ParsedConfig, mapping: Mapping, entries: list[tuple[str, str]]) -> tuple[Span, str] | None:
    """The edit that adds `key: value` lines after the mapping's last pair, at its indentation."""
    if mapping.flow or not mapping.pairs or not entries:
        return None
    first = mapping.pairs[0].key.span
    indent = " " * first.start_col
    last = mapping.pairs[-1].value.span
    line = last.end_line if last.end_col == 0 else last.end_line + 1
    text = "".join(f"{indent}{name}: {value}\n" for name, value in entries)
    if line >= len(doc.lines):
        return Span(last.end_line, last.end_col, last.end_line, last.end_col), "\n" + text.rstrip("\n")
    return Span(line, 0, line, 0), text
