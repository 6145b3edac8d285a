"""Code actions: the quick fixes our findings carry, and adding a component's required arguments."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from tuneconf.context import AnalysisContext
from tuneconf.diagnostics.edits import insert_pairs
from tuneconf.document.components import component_of
from tuneconf.document.cursor import enclosing_mapping
from tuneconf.document.parse import ParsedConfig
from tuneconf.document.positions import Converter
from tuneconf.document.tree import Span
from tuneconf.findings import Finding


def code_actions(
    uri: str,
    doc: ParsedConfig,
    findings: list[Finding],
    requested: types.Range,
    conv: Converter,
    ctx: AnalysisContext,
) -> list[types.CodeAction]:
    actions = []
    for finding in findings:
        if finding.file is not None or not _overlaps(conv.range(finding.span), requested):
            continue
        diagnostic = types.Diagnostic(
            range=conv.range(finding.span), message=finding.message, code=finding.code, source="tuneconf"
        )
        for fix in finding.data.get("fixes", []):
            actions.append(_quick_fix(uri, fix, conv, diagnostic))
    added = _add_required(uri, doc, requested, conv, ctx)
    if added is not None:
        actions.append(added)
    return actions


def _quick_fix(uri: str, fix: dict[str, Any], conv: Converter, diagnostic: types.Diagnostic) -> types.CodeAction:
    edits = [types.TextEdit(range=conv.range(Span(*edit[:4])), new_text=edit[4]) for edit in fix["edits"]]
    return types.CodeAction(
        title=fix["title"],
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        is_preferred=bool(fix.get("preferred")) or None,
        edit=types.WorkspaceEdit(changes={uri: edits}),
    )


def _add_required(
    uri: str, doc: ParsedConfig, requested: types.Range, conv: Converter, ctx: AnalysisContext
) -> types.CodeAction | None:
    mapping = enclosing_mapping(doc, *conv.from_position(requested.start))
    component = component_of(mapping, ctx.settings.component_keys)
    if component is None:
        return None
    resolution = ctx.resolve_or_wait(str(component.dotpath.value))
    symbol = resolution.symbol if resolution is not None else None
    if symbol is None or symbol.parameters is None:
        return None
    present = set(component.mapping.names())
    missing = [p for p in symbol.parameters if p.required and p.by_keyword and p.name not in present]
    edit = insert_pairs(doc, component.mapping, [(p.name, "???") for p in missing])
    if edit is None:
        return None
    span, text = edit
    names = ", ".join(p.name for p in missing)
    return types.CodeAction(
        title=f"Add required arguments of {symbol.short_name}: {names}",
        kind=types.CodeActionKind.RefactorRewrite,
        edit=types.WorkspaceEdit(changes={uri: [types.TextEdit(range=conv.range(span), new_text=text)]}),
    )


def _overlaps(a: types.Range, b: types.Range) -> bool:
    def key(p: types.Position) -> tuple[int, int]:
        return (p.line, p.character)

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)
