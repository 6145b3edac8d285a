"""Findings as LSP diagnostics, in their JSON form.

A 10,000-line config can carry thousands of findings; building lsprotocol objects and unstructuring
them again on every keystroke cost more than the checks. Findings of unchanged sections are the very
same objects from one version to the next (see AnalysisContext.per_section), so their JSON is kept."""

from __future__ import annotations

import json
from typing import Any

from tuneconf.document.positions import Converter
from tuneconf.document.tree import Span
from tuneconf.findings import SOURCE, Finding

Json = dict[str, Any]


class DiagnosticsJson:
    """The diagnostics of one document, serialized, reusing what the last version already had."""

    def __init__(self) -> None:
        self._last: dict[int, tuple[Finding, tuple[str, ...], str]] = {}

    def params(self, findings: list[Finding], conv: Converter, uri: str, version: int | None) -> str:
        """publishDiagnostics' params as JSON text."""
        head = json.dumps({"uri": uri, "version": version})[:-1]
        return f'{head}, "diagnostics": [{", ".join(self.of(findings, conv, uri))}]}}'

    def of(self, findings: list[Finding], conv: Converter, uri: str) -> list[str]:
        kept: dict[int, tuple[Finding, tuple[str, ...], str]] = {}
        result = []
        for finding in findings:
            if finding.file is not None:
                continue
            lines = _lines_of(finding, conv)
            hit = self._last.get(id(finding))
            if hit is None or hit[0] is not finding or hit[1] != lines:
                hit = (finding, lines, json.dumps(diagnostic_json(finding, conv, uri)))
            kept[id(finding)] = hit
            result.append(hit[2])
        self._last = kept
        return result


UNNECESSARY = frozenset({"unused-key"})
"""Codes whose range editors fade (DiagnosticTag.Unnecessary): a key the recipe never reads."""


def diagnostic_json(finding: Finding, conv: Converter, uri: str) -> Json:
    """An LSP Diagnostic as JSON (what lsprotocol would serialize, None fields left out)."""
    diagnostic: Json = {
        "range": _range(conv, finding.span),
        "message": finding.message,
        "severity": int(finding.severity),
        "code": finding.code,
        "source": SOURCE,
    }
    if finding.related:
        diagnostic["relatedInformation"] = [
            {"location": {"uri": uri, "range": _range(conv, r.span)}, "message": r.message} for r in finding.related
        ]
    if finding.data:
        diagnostic["data"] = finding.data
    if finding.code in UNNECESSARY:
        diagnostic["tags"] = [1]  # DiagnosticTag.Unnecessary
    return diagnostic


def _range(conv: Converter, span: Span) -> Json:
    start, end = conv.position(*span.start), conv.position(*span.end)
    return {
        "start": {"line": start.line, "character": start.character},
        "end": {"line": end.line, "character": end.character},
    }


def _lines_of(finding: Finding, conv: Converter) -> tuple[str, ...]:
    """The text of the lines its positions sit on (their UTF-16 columns depend on nothing else)."""
    spans = [finding.span, *(r.span for r in finding.related)]
    count = len(conv.lines)
    return tuple(conv.lines[line] if 0 <= line < count else "" for s in spans for line in (s[0], s[2]))
