"""Document links: every path value that exists on this machine (a `file://` link that opens the file or
reveals the folder), and Hugging Face repo ids where a value or comment names one for certain.

Which values are paths, and what each resolves to (interpolations first, `~`, the base folder), is
diagnostics/pathvalues.py, as for the path checks. A path that does not exist gets no link (its check
says so); one the file system did not answer in time gets its link anyway. Outputs are linked like inputs
once they exist (a finished run's `output_dir`). Repo ids are linked only after `tune download` in a
comment line (not with `--source kaggle`) and in a torchtune dataset's `source` that is neither a
packaged builder (json, csv, ...) nor a folder here: never any `a/b` string (`configs/x` is a path).
"""

from __future__ import annotations

import dataclasses
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

from lsprotocol import types

from tuneconf.context import AnalysisContext
from tuneconf.diagnostics.download import REPO_ID
from tuneconf.diagnostics.edits import text_span
from tuneconf.diagnostics.pathvalues import LOCAL_SOURCES, CheckpointFiles, collect, text_of
from tuneconf.diagnostics.stats import STATS, StatCache
from tuneconf.document.components import iter_components
from tuneconf.document.parse import ParsedConfig
from tuneconf.document.positions import Converter
from tuneconf.document.tree import Node, Scalar, Span

HUB = "https://huggingface.co/"
BUDGET_S = 0.2
"""How long one request waits for the file system in all (then links are given without knowing)."""
# Linear: literal words, `[ \t]+` runs that end at a fixed word, one id with a single `/` (no nesting).
_DOWNLOAD = re.compile(r"\btune[ \t]+download[ \t]+([A-Za-z0-9][\w.-]{0,95}/[\w.-]{1,96})(?=[ \t]|$)")
_KAGGLE = re.compile(r"--source[ \t]*=?[ \t]*kaggle\b")


def document_links(
    doc: ParsedConfig, ctx: AnalysisContext, conv: Converter, stats: StatCache = STATS
) -> list[types.DocumentLink]:
    deadline = time.monotonic() + BUDGET_S
    found: dict[Span, types.DocumentLink] = {}
    for span, target, tooltip in _all(doc, ctx, stats, deadline):
        if span not in found:
            found[span] = types.DocumentLink(range=conv.range(span), target=target, tooltip=tooltip)
    if ctx.hydra is not None:
        from tuneconf.features import hydra_nav

        return [*found.values(), *hydra_nav.links(doc, ctx, conv)]
    return list(found.values())


def _all(doc: ParsedConfig, ctx: AnalysisContext, stats: StatCache, deadline: float) -> Iterator[tuple[Span, str, str]]:
    yield from _download_comments(doc)
    # A request may wait a moment for the index (checks never do: they would find no component yet).
    values, checkpoints = collect(doc, dataclasses.replace(ctx, resolver=ctx.waiting_resolver))
    for value in values:
        yield from _path_link(value.node, value.path, stats, deadline)
    for files in checkpoints:
        yield from _checkpoint_links(files, stats, deadline)
    yield from _sources(doc, ctx, stats, deadline)


def _download_comments(doc: ParsedConfig) -> Iterator[tuple[Span, str, str]]:
    """`# ... tune download REPO ...` on a comment line: the repo's page on the hub."""
    for line, text in enumerate(doc.lines):
        if "download" not in text or not text.lstrip().startswith("#") or _KAGGLE.search(text):
            continue
        match = _DOWNLOAD.search(text)
        if match is not None and ".." not in match.group(1):
            span = Span(line, match.start(1), line, match.end(1))
            yield span, HUB + match.group(1), f"Open {match.group(1)} on Hugging Face"


def _path_link(node: Node, path: str, stats: StatCache, deadline: float) -> Iterator[tuple[Span, str, str]]:
    span = _span(node)
    if span is None:
        return
    entry = stats.entry(path, deadline)
    if entry is not None and not entry.exists:
        return
    what = "Reveal the folder" if entry is not None and entry.kind == "dir" else "Open"
    yield span, Path(path).as_uri(), f"{what} {path}"


def _checkpoint_links(files: CheckpointFiles, stats: StatCache, deadline: float) -> Iterator[tuple[Span, str, str]]:
    """Each file of a `checkpoint_files` list, in the checkpoint folder (not the files a filename_format
    names: they have no text of their own)."""
    for name, node in files.names:
        if isinstance(node, Scalar) and node.value == name:
            yield from _path_link(node, os.path.normpath(os.path.join(files.folder, name)), stats, deadline)


def _sources(
    doc: ParsedConfig, ctx: AnalysisContext, stats: StatCache, deadline: float
) -> Iterator[tuple[Span, str, str]]:
    """A torchtune dataset's `source` naming a hub dataset (`datasets.load_dataset` takes a folder of that
    name here first: then the link reveals the folder)."""
    for component in iter_components(doc.root, ctx.settings.component_keys):
        pair = component.mapping.get("source")
        if pair is None:
            continue
        text = text_of(doc, (*component.path, "source"), pair.value)
        if text is None or text in LOCAL_SOURCES or not REPO_ID.match(text) or ".." in text:
            continue
        resolution = ctx.resolve_or_wait(str(component.dotpath.value))
        symbol = resolution.symbol if resolution is not None else None
        if symbol is None or not symbol.target.startswith("torchtune.datasets.") or symbol.parameter("source") is None:
            continue
        span = _span(pair.value)
        local = os.path.join(str(ctx.run_folder), text) if ctx.run_folder is not None else None
        entry = stats.entry(local, deadline) if local is not None else None
        if span is None or (local is not None and entry is None):
            continue  # no answer from the file system: a folder here or the hub cannot be told
        if local is not None and entry is not None and entry.exists:
            yield span, Path(local).as_uri(), f"Reveal the folder {local}"
        else:
            yield span, f"{HUB}datasets/{text}", f"Open the dataset {text} on Hugging Face"


def _span(node: Node) -> Span | None:
    """The text of a one-line scalar written in the document (not an override's, not a block scalar)."""
    if not isinstance(node, Scalar) or node.span.start_line < 0 or node.style in ("|", ">"):
        return None
    span = text_span(node)
    return span if span.start_line == span.end_line and span.end_col > span.start_col else None
