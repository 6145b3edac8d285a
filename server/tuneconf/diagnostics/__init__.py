"""All checks of a config. Each family is one module with `check(doc, ctx) -> Iterable[Finding]`."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from tuneconf.context import AnalysisContext
from tuneconf.diagnostics import components, interpolations, paths, recipe, structure, syntax
from tuneconf.document.parse import ParsedConfig
from tuneconf.findings import Finding, placed

log = logging.getLogger(__name__)

Check = Callable[[ParsedConfig, AnalysisContext], Iterable[Finding]]
FAMILIES: list[tuple[str, Check]] = [
    ("syntax", syntax.check),
    ("structure", structure.check),
    ("components", components.check),
    ("interpolations", interpolations.check),
    ("recipe", recipe.check),
    ("paths", paths.check),
]


def run_checks(doc: ParsedConfig, ctx: AnalysisContext) -> list[Finding]:
    """Every finding for `doc`, sorted by position. A family that fails is logged and skipped."""
    findings: list[Finding] = []
    families = FAMILIES
    if structure.too_many_nodes(doc, ctx):  # OmegaConf refuses it for its size: the rest is not reached
        families = [family for family in FAMILIES if family[0] in ("syntax", "structure")]
    for name, check in families:
        try:
            findings.extend(check(doc, ctx))
        except Exception:
            log.exception("check %s failed; its findings are skipped", name)
    findings = [placed(f) for f in findings]
    findings.sort(key=lambda f: (f.file or "", f.span.start, f.code))
    return findings


__all__ = ["run_checks"]
