"""All checks of a config. Each family is one module with `check(doc, ctx) -> Iterable[Finding]`."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from tuneconf.findings import Finding, placed

if TYPE_CHECKING:
    from tuneconf.context import AnalysisContext
    from tuneconf.document.parse import ParsedConfig

log = logging.getLogger(__name__)

Check = Callable[["ParsedConfig", "AnalysisContext"], Iterable[Finding]]
FAMILIES = ("syntax", "structure", "components", "interpolations", "recipe", "paths", "hydra")
"""The check families, in order: tuneconf.diagnostics.<name>.check. Each is imported when first run, so
that a server's first publish (syntax and structure only, project.QUICK_FAMILIES) imports only those two."""


def family(name: str) -> Check:
    check: Check = importlib.import_module(f"tuneconf.diagnostics.{name}").check
    return check


def run_checks(doc: ParsedConfig, ctx: AnalysisContext, only: tuple[str, ...] | None = None) -> list[Finding]:
    """Every finding for `doc` (of the families `only` names, when given), sorted by position. A family
    that fails is logged and skipped."""
    from tuneconf.diagnostics import structure

    findings: list[Finding] = []
    families = [name for name in FAMILIES if only is None or name in only]
    if structure.too_many_nodes(doc, ctx):  # OmegaConf refuses it for its size: the rest is not reached
        families = [name for name in families if name in ("syntax", "structure")]
    for name in families:
        try:
            findings.extend(family(name)(doc, ctx))
        except Exception:
            log.exception("check %s failed; its findings are skipped", name)
    findings = [placed(f) for f in findings]
    findings.sort(key=lambda f: (f.file or "", f.span.start, f.code))
    return findings


__all__ = ["run_checks"]
