"""`tuneconf check`'s output: findings of files as text (like a compiler), one JSON array, or GitHub
workflow annotations."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from tuneconf.findings import Finding, Severity, finding_line, one_line

FORMATS = ("text", "json", "github")
_GITHUB = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFORMATION: "notice",
    Severity.HINT: "notice",
}


@dataclass
class FileReport:
    path: str
    findings: list[Finding]
    unreadable: str = ""
    lines: list[str] = field(default_factory=list, repr=False)

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)


def render(reports: list[FileReport], fmt: str) -> str:
    if fmt == "text":
        return "".join(finding_line(f, r.path) + "\n" for r in reports for f in r.findings)
    rows = [_row(r.path, f) for r in reports for f in r.findings]
    if fmt == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    return "".join(_github(row) + "\n" for row in rows)


def _row(path: str, finding: Finding) -> dict[str, object]:
    span = finding.span
    return {
        "file": finding.file or path,
        "line": span.start_line + 1,
        "column": span.start_col + 1,
        "end_line": span.end_line + 1,
        "end_column": span.end_col + 1,
        "severity": finding.severity.label,
        "code": finding.code,
        "message": finding.message,
    }


def _github(row: dict[str, object]) -> str:
    level = _GITHUB[Severity[str(row["severity"]).upper()]]
    props = ",".join(
        f"{name}={_escape_property(str(row[key]))}"
        for name, key in (
            ("file", "file"),
            ("line", "line"),
            ("col", "column"),
            ("endLine", "end_line"),
            ("endColumn", "end_column"),
            ("title", "code"),
        )
    )
    return f"::{level} {props}::{_escape_data(str(row['message']))}"


def _escape_data(text: str) -> str:
    # GitHub decodes %0A into a line of the annotation; what else breaks a line is escaped as in text.
    return one_line(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
