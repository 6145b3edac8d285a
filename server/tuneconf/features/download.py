"""Download the model: a quick fix and a lens "Download REPO (tune download)" on each path-missing finding
that carries a download (diagnostics/download.py). Not an edit: each carries the client command
`tuneconf.downloadModel` with the document's uri and the download plan (launch/download.py), offered only
to a client that implements it (the VS Code extension names it in a trusted workspace only)."""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types

from tuneconf.command_ids import DOWNLOAD_MODEL
from tuneconf.context import AnalysisContext
from tuneconf.document.positions import Converter
from tuneconf.findings import Finding
from tuneconf.launch.download import download_plan


def download_command(uri: str, finding: Finding, ctx: AnalysisContext) -> types.Command | None:
    """The command that downloads what `finding` misses; None without a download or a run folder."""
    download = finding.data.get("download") if finding.file is None else None
    if not isinstance(download, dict) or ctx.run_folder is None:
        return None
    plan = download_plan(ctx.interpreter, download, ctx.run_folder)
    title = f"Download {plan['repo']} (tune download)"
    return types.Command(title=title, command=DOWNLOAD_MODEL, arguments=[uri, plan])


def download_actions(
    uri: str,
    findings: Sequence[Finding],
    requested: types.Range,
    conv: Converter,
    ctx: AnalysisContext,
    client_commands: frozenset[str],
) -> list[types.CodeAction]:
    """A quick fix per download finding in the requested range."""
    if DOWNLOAD_MODEL not in client_commands:
        return []
    actions = []
    for finding in findings:
        where = conv.range(finding.span)
        command = download_command(uri, finding, ctx) if _overlaps(where, requested) else None
        if command is not None:
            diagnostic = types.Diagnostic(range=where, message=finding.message, code=finding.code, source="tuneconf")
            kind = types.CodeActionKind.QuickFix
            actions.append(types.CodeAction(title=command.title, kind=kind, diagnostics=[diagnostic], command=command))
    return actions


def download_lenses(
    uri: str, findings: Sequence[Finding], ctx: AnalysisContext, client_commands: frozenset[str]
) -> list[types.CodeLens]:
    """A lens on the line of each download finding (one a line)."""
    if DOWNLOAD_MODEL not in client_commands:
        return []
    lenses: dict[int, types.CodeLens] = {}
    for finding in findings:
        line = finding.span.start_line
        command = download_command(uri, finding, ctx) if line >= 0 and line not in lenses else None
        if command is not None:
            at = types.Position(line=line, character=0)
            lenses[line] = types.CodeLens(range=types.Range(start=at, end=at), command=command)
    return list(lenses.values())


def _overlaps(a: types.Range, b: types.Range) -> bool:
    def key(p: types.Position) -> tuple[int, int]:
        return (p.line, p.character)

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)
