"""What every check returns: a Finding with a stable code, a severity, a span and a message."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from tuneconf.document.tree import Span

SOURCE = "tuneconf"
OVERRIDES_FILE = "<overrides>"
"""The "file" of findings about CLI overrides: line = the argument's index, column = its offset."""


class Severity(IntEnum):
    """LSP's DiagnosticSeverity values."""

    ERROR = 1
    WARNING = 2
    INFORMATION = 3
    HINT = 4

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Related:
    message: str
    span: Span


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message: str
    span: Span
    related: tuple[Related, ...] = ()
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    """What a quick fix needs (replacement text, spans); sent as the diagnostic's data."""
    file: str | None = None
    """Set when the finding is about another file than the config (e.g. "<overrides>")."""


def override_span(index: int, start: int, end: int) -> Span:
    """A span inside the index-th override. Override nodes live on negative lines in the merged
    tree, so that any check can report them; `placed` moves them to the `<overrides>` file."""
    return Span(-(index + 1), start, -(index + 1), end)


def placed(finding: Finding) -> Finding:
    """The finding in the file it is about: the config, or `<overrides>` for override spans."""
    span = finding.span
    if span.start_line >= 0:
        return finding
    index = -span.start_line - 1
    return dataclasses.replace(finding, span=Span(index, span.start_col, index, span.end_col), file=OVERRIDES_FILE)


def finding_line(finding: Finding, path: str) -> str:
    """One finding as a compiler prints it: `file:line:column: severity[code] message` (`path` unless
    the finding is in another file, e.g. `<overrides>`)."""
    where = f"{finding.file or path}:{finding.span.start_line + 1}:{finding.span.start_col + 1}"
    return one_line(f"{where}: {finding.severity.label}[{finding.code}] {finding.message}")


# Every character a reader may take for a line break (str.splitlines' set), and the other control
# characters (a terminal's escape sequences), but not the tab and not the backslash (Windows paths).
_ESCAPES = {
    code: {"\n": "\\n", "\r": "\\r"}.get(chr(code), f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    for code in [*range(0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029]
    if code != 0x09
}


def one_line(text: str) -> str:
    """`text` with its line breaks and control characters escaped (`\\n`, `\\x1b`): printed, one line, even
    where it holds what a user wrote (a quoted key "a\\nb" would otherwise forge a finding of its own)."""
    return text.translate(_ESCAPES)
