"""Paths: the files and folders a run reads must exist on this machine; what it writes must be writable.

Codes: path-missing (warning: the config may run on another machine; with the `tune download` the config
names for a checkpoint folder or tokenizer: diagnostics/download.py), path-typo (an error for torchtune's
own inputs when the nearest existing folder holds a close name, with a did-you-mean fix; a warning for
other components), path-kind (a folder where a file is read, or the reverse), checkpoint-files-missing
(an existing checkpoint folder lacks files the checkpointer loads: error, listing what it holds),
path-read-only (an output under a folder this machine cannot write: warning).

Which values are paths: diagnostics/pathvalues.py. The file system is asked through diagnostics/stats.py
(cached; a question not answered within the context's budget is skipped). Off with the `pathChecks`
setting (`tuneconf check --no-path-checks`).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator

from tuneconf.context import AnalysisContext
from tuneconf.diagnostics.download import download_for
from tuneconf.diagnostics.edits import fix, text_span
from tuneconf.diagnostics.pathvalues import CheckpointFiles, PathValue, collect
from tuneconf.diagnostics.stats import STAT_REQUEST, STATS, Entry, StatCache
from tuneconf.document.parse import ParsedConfig
from tuneconf.document.tree import Scalar, Span
from tuneconf.findings import Finding, Severity
from tuneconf.suggest import closest

SHOWN = 8
"""Names listed at most in a message (what a folder holds, the files it lacks)."""
MAX_ANCESTORS = 64
_DIGITS = re.compile(r"\d+")


def check(doc: ParsedConfig, ctx: AnalysisContext, stats: StatCache = STATS) -> Iterator[Finding]:
    if not ctx.settings.path_checks:
        return
    # Not memoised per section: the answer changes with the disk, not the text (the stat cache is the memo).
    deadline = time.monotonic() + ctx.stat_budget_s
    values, checkpoints = collect(doc, ctx)
    misses = stats.misses
    for value in values:
        if value.output:
            yield from _output(value, stats, deadline)
        else:
            yield from _input(doc, value, stats, deadline, ctx)
    for files in checkpoints:
        yield from _checkpoint(files, stats, deadline)
    if stats.misses != misses:
        ctx.wait_for(STAT_REQUEST)  # the server checks again once the answers are in


def _input(
    doc: ParsedConfig, value: PathValue, stats: StatCache, deadline: float, ctx: AnalysisContext
) -> Iterator[Finding]:
    entry = stats.entry(value.path, deadline)
    if entry is None:
        return  # the file system did not answer in time: say nothing
    described = _described(value)
    if entry.exists:
        wrong = {"file": "dir", "dir": "file"}.get(value.expect)
        if value.certain and entry.kind == wrong:
            is_what = "a folder" if wrong == "dir" else "a file"
            reads = "a file" if wrong == "dir" else "a folder"
            message = f"{described} is {is_what}; {value.owner} reads {reads} there."
            yield Finding("path-kind", Severity.ERROR, message, value.node.span)
        return
    typo = _typo(value.path, stats, deadline)
    if typo is None:
        yield _missing(doc, value, described, ctx)
        return
    folder, wrong, guess = typo
    severity = Severity.ERROR if value.certain else Severity.WARNING
    message = f"{described} does not exist: {folder} has no '{wrong}'. Did you mean '{guess}'?"
    edit = _segment_edit(doc, value, wrong, guess)
    data = {"fixes": [fix(f"Change to '{guess}'", edit, preferred=True)]} if edit is not None else {}
    yield Finding("path-typo", severity, message, value.node.span, data=data)


def _missing(doc: ParsedConfig, value: PathValue, described: str, ctx: AnalysisContext) -> Finding:
    """path-missing; for a checkpoint folder or tokenizer the config says how to download
    (diagnostics/download.py), the command in the message and the download in `data` (a quick fix and a
    lens run it)."""
    source = download_for(doc, value, ctx)
    message = f"{described} does not exist on this machine."
    if source is None:
        return Finding("path-missing", Severity.WARNING, message, value.node.span)
    message = f"{message[:-1]}; download it with: {source.shown()}"
    return Finding("path-missing", Severity.WARNING, message, value.node.span, data={"download": source.data()})


def _described(value: PathValue) -> str:
    if value.base:
        shown = f"{value.text}, relative to {value.base}"
    else:
        shown = f"{value.text} = {value.path}" if value.text.startswith("~") else value.text
    return f"'{value.name}' of {value.owner} ({shown})"


def _typo(path: str, stats: StatCache, deadline: float) -> tuple[str, str, str] | None:
    """(nearest existing folder, the missing name below it, the close entry it holds), for a misspelt
    name; None when no entry is close, the nearest folder is the file system's root, or no answer came."""
    missing = os.path.basename(path)
    folder = os.path.dirname(path)
    for _ in range(MAX_ANCESTORS):
        entry = stats.entry(folder, deadline)
        if entry is None:
            return None
        if entry.exists:
            break
        missing, folder = os.path.basename(folder), os.path.dirname(folder)
    else:
        return None
    if entry.kind != "dir" or os.path.dirname(folder) == folder or not missing:
        return None  # the root holds too little of the user's own to call a near name a typo
    names = stats.listing(folder, deadline)
    guess = _near(missing, names or ())
    return (folder, missing, guess) if guess is not None else None


_NEAR: dict[tuple[str, int], str | None] = {}


def _near(name: str, names: tuple[str, ...]) -> str | None:
    """The entry `name` misspells; not one that differs only in its numbers (another size or version
    of a model is not a typo: the warning says the path is missing)."""
    key = (name, id(names))
    if key not in _NEAR:
        if len(_NEAR) > 512:
            _NEAR.clear()
        guess = closest(name, names)
        if guess is not None and _DIGITS.sub("#", guess) == _DIGITS.sub("#", name):
            guess = None
        _NEAR[key] = guess
    return _NEAR[key]


def _segment_edit(doc: ParsedConfig, value: PathValue, wrong: str, guess: str) -> tuple[Span, str] | None:
    """The edit replacing the misspelt segment where the value writes it literally (once), else None."""
    node = value.node
    if not isinstance(node, Scalar) or not isinstance(node.value, str) or node.span.start_line < 0:
        return None
    span = text_span(node)
    if span.start_line != span.end_line or doc.lines[span.start_line][span.start_col : span.end_col] != node.value:
        return None  # quoted with escapes, or over several lines: no exact columns
    parts = node.value.split("/")
    if parts.count(wrong) != 1:
        return None
    at = span.start_col + sum(len(p) + 1 for p in parts[: parts.index(wrong)])
    return Span(span.start_line, at, span.start_line, at + len(wrong)), guess


def _checkpoint(files: CheckpointFiles, stats: StatCache, deadline: float) -> Iterator[Finding]:
    folder = stats.entry(files.folder, deadline)
    if folder is None or folder.kind != "dir":
        return  # a missing folder is the checkpoint_dir's own finding
    missing: list[str] = []
    for name, _node in files.names:
        entry = stats.entry(os.path.join(files.folder, name), deadline)
        if entry is None:
            return
        if not entry.exists:
            missing.append(name)
    if not missing:
        return
    held = stats.listing(files.folder, deadline)
    if held is None:
        return
    lacks = _listed(missing)
    holds = f"it holds {_listed(list(held))}" if held else "it is empty"
    guess = _near(missing[0], held) if len(missing) == 1 else None
    hint = f" Did you mean '{guess}'?" if guess else ""
    them = "it" if len(missing) == 1 else "them"
    message = f"{files.owner} loads {lacks} from {files.folder}, which lacks {them}; {holds}.{hint}"
    yield Finding("checkpoint-files-missing", Severity.ERROR, message, files.node.span)


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:SHOWN])
    return shown + (f" and {len(names) - SHOWN} more" if len(names) > SHOWN else "")


def _output(value: PathValue, stats: StatCache, deadline: float) -> Iterator[Finding]:
    """An output never needs to exist; its nearest existing folder must be writable (not the root's:
    a missing top folder is another machine's layout, not a read-only place)."""
    folder = value.path
    entry: Entry | None = None
    for _ in range(MAX_ANCESTORS):
        entry = stats.entry(folder, deadline)
        if entry is None:
            return
        if entry.exists:
            break
        folder = os.path.dirname(folder)
    if entry is None or entry.kind != "dir" or entry.writable or os.path.dirname(folder) == folder:
        return
    message = f"{_described(value)} is under {folder}, which is read-only here: the run cannot write it."
    yield Finding("path-read-only", Severity.WARNING, message, value.node.span)
