"""What every check returns: a Finding with a stable code, a severity, a span and a message."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from tuneconf.document.tree import Span

SOURCE = "tuneconf"


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
