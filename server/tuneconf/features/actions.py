"""Code actions: the quick fixes our findings carry, and adding a component's required arguments.

Every action passes one gate, `_Gate.checked`, before it is offered, so a new kind of fix is covered
without knowing about it. Applied to the text, the result must (1) load: no syntax or load error that
the text did not have already, as our checks see it (they name every problem, so this works on a config
that is broken elsewhere), and, where the text loaded, a load by OmegaConf's own loader (our verdict
misses a few refusals: fuzzing found a tag on a key); (2) change no value outside the edit's range,
aliases and merge keys expanded (removing a key of an anchored mapping changes every alias of it);
(3) end inserted lines as the file ends its lines. What is not certainly safe is not offered: it could
lose the user's work. One parse of the edited text by us, one by OmegaConf's loader (~1 ms on a real
config); tests/edit_oracle.py judges every action the safety tests apply, with OmegaConf alone.
"""

from __future__ import annotations

import functools
import io
import os
import re
from collections import Counter
from typing import Any

import yaml
from lsprotocol import types

from tuneconf.context import AnalysisContext
from tuneconf.diagnostics import structure
from tuneconf.diagnostics.edits import (
    Leaves,
    applied,
    confined,
    insert_pairs,
    leaves,
    line_bounds,
    newline_of,
    touched_paths,
)
from tuneconf.document.components import component_of
from tuneconf.document.cursor import enclosing_mapping
from tuneconf.document.parse import ParsedConfig, parse
from tuneconf.document.positions import Converter
from tuneconf.document.tree import Span
from tuneconf.findings import Finding, Severity

Edit = tuple[Span, str]
_LINE_NUMBER = re.compile(r"\bline \d+")


def code_actions(
    uri: str,
    doc: ParsedConfig,
    findings: list[Finding],
    requested: types.Range,
    conv: Converter,
    ctx: AnalysisContext,
) -> list[types.CodeAction]:
    gate = _Gate(doc)
    actions = []
    for finding in findings:
        if finding.file is not None or not _overlaps(conv.range(finding.span), requested):
            continue
        diagnostic = types.Diagnostic(
            range=conv.range(finding.span), message=finding.message, code=finding.code, source="tuneconf"
        )
        for fix in finding.data.get("fixes", []):
            action = _quick_fix(uri, fix, conv, diagnostic, gate)
            if action is not None:
                actions.append(action)
    every = _every_moved_name(uri, findings, requested, conv, gate)
    if every is not None:
        actions.append(every)
    added = _add_required(uri, doc, requested, conv, ctx, gate)
    if added is not None:
        actions.append(added)
    return actions


def _quick_fix(
    uri: str, fix: dict[str, Any], conv: Converter, diagnostic: types.Diagnostic, gate: _Gate
) -> types.CodeAction | None:
    edits = gate.checked([(Span(*edit[:4]), edit[4]) for edit in fix["edits"]])
    if edits is None:
        return None
    return types.CodeAction(
        title=fix["title"],
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        is_preferred=bool(fix.get("preferred")) or None,
        edit=_workspace_edit(uri, edits, conv),
    )


def _every_moved_name(
    uri: str, findings: list[Finding], requested: types.Range, conv: Converter, gate: _Gate
) -> types.CodeAction | None:
    """One action applying every moved name's sole replacement (components.py puts it in `moved`),
    offered beside one of them when the file has several. Its edits pass the gate together."""
    moved = [f for f in findings if f.file is None and "moved" in f.data]
    if len(moved) < 2 or not any(_overlaps(conv.range(f.span), requested) for f in moved):
        return None
    first_fixes = [f.data["fixes"][0] for f in moved]
    edits = gate.checked([(Span(*edit[:4]), edit[4]) for fix in first_fixes for edit in fix["edits"]])
    if edits is None:
        return None
    return types.CodeAction(
        title=f"Fix every moved name in this file ({len(moved)})",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[
            types.Diagnostic(range=conv.range(f.span), message=f.message, code=f.code, source="tuneconf") for f in moved
        ],
        edit=_workspace_edit(uri, edits, conv),
    )


def _add_required(
    uri: str, doc: ParsedConfig, requested: types.Range, conv: Converter, ctx: AnalysisContext, gate: _Gate
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
    edits = gate.checked([edit]) if edit is not None else None
    if edits is None:
        return None
    names = ", ".join(p.name for p in missing)
    return types.CodeAction(
        title=f"Add required arguments of {symbol.short_name}: {names}",
        kind=types.CodeActionKind.RefactorRewrite,
        edit=_workspace_edit(uri, edits, conv),
    )


def _workspace_edit(uri: str, edits: list[Edit], conv: Converter) -> types.WorkspaceEdit:
    return types.WorkspaceEdit(
        changes={uri: [types.TextEdit(range=conv.range(span), new_text=text) for span, text in edits]}
    )


class _Gate:
    """Decides, action by action, whether its edits are safe to offer on `doc` (see the module's doc).
    What the original text holds and whether it loads is computed once, for the first action."""

    def __init__(self, doc: ParsedConfig) -> None:
        self.doc = doc
        self.newline = newline_of(doc.text)
        self.bounds = line_bounds(doc.text)

    def checked(self, edits: list[Edit]) -> list[Edit] | None:
        """The edits as they are to be sent (new lines as the file ends its lines), or None when unsafe."""
        if self.doc.too_large or self.leaves is None:
            return None  # not parsed, or aliases expand beyond what we compare: nothing to judge by
        edits = [(span, _with_newline(text, self.newline)) for span, text in edits]
        result = applied(self.doc.text, self.bounds, edits)
        if result is None:
            return None  # a range outside the text, or ranges that overlap
        text, old_ranges, new_ranges = result
        after = parse(text)
        if after.too_large or _load_problems(after) - self.problems:
            return None  # a load problem the text did not have
        after_leaves = leaves(after.root)
        if after_leaves is None:
            return None
        near = touched_paths(self.doc.root, self.bounds, old_ranges)
        near |= touched_paths(after.root, line_bounds(text), new_ranges)
        if not confined(self.leaves, after_leaves, near):
            return None
        if self.loads and not _omegaconf_loads(text):
            return None  # OmegaConf has the last word where our verdict might miss a refusal
        return edits

    @functools.cached_property
    def problems(self) -> Counter[tuple[str, str]]:
        return _load_problems(self.doc)

    @functools.cached_property
    def leaves(self) -> Leaves | None:
        return leaves(self.doc.root)

    @functools.cached_property
    def loads(self) -> bool:
        return _omegaconf_loads(self.doc.text)


def _load_problems(doc: ParsedConfig) -> Counter[tuple[str, str]]:
    """What stops OmegaConf loading `doc` as our checks see it, by code and message (line numbers aside:
    lines move)."""
    found = [("yaml-syntax", p.message) for p in doc.syntax]
    found += [(f.code, f.message) for f in structure.check(doc, AnalysisContext()) if f.severity is Severity.ERROR]
    return Counter((code, _LINE_NUMBER.sub("line", message)) for code, message in found)


def _omegaconf_loads(text: str) -> bool:
    """Whether OmegaConf loads `text` (remembered for the last few texts: a request asks again for the
    same version, and the variable OmegaConf reads its node limit from is part of the question)."""
    return _loads(text, os.environ.get("OMEGACONF_MAX_YAML_EXPANDED_NODES"))


@functools.lru_cache(maxsize=4)
def _loads(text: str, _limit: str | None) -> bool:
    from omegaconf import OmegaConf  # on demand: ~0.13 s once, and only code actions need it

    loader = _omegaconf_loader()
    try:
        if loader is not None:
            data = yaml.load(text, Loader=loader)
            if isinstance(data, (dict, list, type(None))) and _plain(data):
                return True  # OmegaConf.create holds such values as they are (it costs 10x the loader)
        OmegaConf.load(io.StringIO(text))
    except Exception:  # whatever OmegaConf raises (or RecursionError on deep data), it does not load it
        return False
    return True


def _omegaconf_loader() -> Any:
    """OmegaConf's own YAML loader (its limits and duplicate-key check), where this OmegaConf has one
    where we know to find it; None otherwise (then OmegaConf.load does all the work)."""
    try:
        from omegaconf._yaml import get_yaml_loader  # 2.4
    except ImportError:
        try:
            from omegaconf._utils import get_yaml_loader  # 2.1 to 2.3
        except ImportError:
            return None
    return get_yaml_loader()


def _plain(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (str, int, float, bool))


def _with_newline(text: str, newline: str) -> str:
    if newline == "\n" or ("\n" not in text and "\r" not in text):
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", newline)


def _overlaps(a: types.Range, b: types.Range) -> bool:
    def key(p: types.Position) -> tuple[int, int]:
        return (p.line, p.character)

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)
