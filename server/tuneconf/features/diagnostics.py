"""Findings as LSP diagnostics."""

from __future__ import annotations

from lsprotocol import types

from tuneconf.document.positions import Converter
from tuneconf.findings import SOURCE, Finding


def to_diagnostics(findings: list[Finding], conv: Converter, uri: str) -> list[types.Diagnostic]:
    """The findings that belong to the document itself (not to overrides) as LSP diagnostics."""
    return [_diagnostic(f, conv, uri) for f in findings if f.file is None]


def _diagnostic(finding: Finding, conv: Converter, uri: str) -> types.Diagnostic:
    related = [
        types.DiagnosticRelatedInformation(
            location=types.Location(uri=uri, range=conv.range(r.span)), message=r.message
        )
        for r in finding.related
    ]
    return types.Diagnostic(
        range=conv.range(finding.span),
        message=finding.message,
        severity=types.DiagnosticSeverity(int(finding.severity)),
        code=finding.code,
        source=SOURCE,
        related_information=related or None,
        data=finding.data or None,
    )
