"""Folding ranges: multi-line collections under a key, and runs of comment lines."""

from __future__ import annotations

from lsprotocol import types

from tuneconf.document.parse import ParsedConfig
from tuneconf.document.tree import Mapping, Sequence, walk


def folding_ranges(doc: ParsedConfig) -> list[types.FoldingRange]:
    ranges: list[types.FoldingRange] = []
    if doc.root is not None:
        for node in walk(doc.root):
            if not isinstance(node, Mapping):
                continue
            for pair in node.pairs:
                value = pair.value
                if isinstance(value, (Mapping, Sequence)):
                    end = _last_content_line(doc, value.span.end_line, value.span.end_col)
                    if end > pair.key.span.start_line:
                        ranges.append(types.FoldingRange(start_line=pair.key.span.start_line, end_line=end))
    ranges.extend(_comment_runs(doc.lines))
    return ranges


def _last_content_line(doc: ParsedConfig, line: int, col: int) -> int:
    # A block collection's span may end at column 0 of the next line.
    return line - 1 if col == 0 and line > 0 else line


def _comment_runs(lines: list[str]) -> list[types.FoldingRange]:
    runs: list[types.FoldingRange] = []
    start = None
    for index, line in enumerate([*lines, ""]):
        if line.lstrip().startswith("#"):
            start = index if start is None else start
            continue
        if start is not None and index - 1 > start:
            runs.append(types.FoldingRange(start_line=start, end_line=index - 1, kind=types.FoldingRangeKind.Comment))
        start = None
    return runs
