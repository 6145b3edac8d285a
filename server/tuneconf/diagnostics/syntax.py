"""yaml-syntax: what the YAML parser rejects, one finding per broken section."""

from __future__ import annotations

from collections.abc import Iterator

from tuneconf.context import AnalysisContext
from tuneconf.document.parse import ParsedConfig
from tuneconf.findings import Finding, Severity


def check(doc: ParsedConfig, ctx: AnalysisContext) -> Iterator[Finding]:
    for problem in doc.syntax:
        yield Finding("yaml-syntax", Severity.ERROR, problem.message, problem.span)
