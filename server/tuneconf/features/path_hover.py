"""Hover on a path value: what the run will read or write there, the absolute path, the base folder a
relative path was taken from, and whether it exists on this machine (diagnostics/pathvalues.py decides
which values are paths, as for the checks and the links)."""

from __future__ import annotations

import dataclasses
import time

from tuneconf.context import AnalysisContext
from tuneconf.diagnostics.pathvalues import PathValue, collect
from tuneconf.diagnostics.stats import STATS, StatCache
from tuneconf.document.parse import ParsedConfig

BUDGET_S = 0.1
"""How long a hover waits for the file system (then it says nothing about existence)."""


def path_hover(doc: ParsedConfig, line: int, col: int, ctx: AnalysisContext, stats: StatCache = STATS) -> str | None:
    """Markdown for the path value under the cursor; None when the cursor is on no path value."""
    values, _ = collect(doc, dataclasses.replace(ctx, resolver=ctx.waiting_resolver))
    value = next((v for v in values if v.node.span.contains(line, col)), None)
    return markdown(value, stats) if value is not None else None


def markdown(value: PathValue, stats: StatCache = STATS) -> str:
    role = "written by" if value.output else "read by"
    kind = {"file": "a file", "dir": "a folder"}.get(value.expect, "a path")
    parts = [f"**{value.name}**: {kind} {role} `{value.owner}`", f"`{value.path}`"]
    if value.base:
        parts.append(f"Relative to `{value.base}`, the folder `tune run` runs from (the workspace folder).")
    if value.text != value.path and not value.base and value.text.startswith("~"):
        parts.append("`~` expanded to the home folder.")
    entry = stats.entry(value.path, time.monotonic() + BUDGET_S)
    if entry is not None:
        if entry.exists:
            parts.append("Exists on this machine.")
        else:
            parts.append("Does not exist on this machine" + (" (the run creates it)." if value.output else "."))
    return "\n\n".join(parts)
