"""References and rename of a config key: the key itself and every `${...}` segment that names it."""

from __future__ import annotations

import re

from lsprotocol import types

from tuneconf.document.cursor import node_at
from tuneconf.document.parse import ParsedConfig
from tuneconf.document.positions import Converter
from tuneconf.document.tree import KeyPath, Span
from tuneconf.features.interpolations import Hit, reference_at
from tuneconf.interpolation.grammar import Reference
from tuneconf.interpolation.resolve import node_at_path, occurrences, offset_span, target

_KEY = re.compile(r"^[\w$][\w$-]*$")
"""A key name a `${...}` reference can spell (what a rename may produce)."""


def key_path_at(doc: ParsedConfig, line: int, col: int) -> KeyPath | None:
    """The key path a rename or references request is about: a key, or the key a reference names."""
    hit = reference_at(doc, line, col)
    if hit is not None:
        found = target(doc.root, hit.at.path, hit.ref)
        if found.node is None:
            return None
        if hit.segment is None:
            return found.path
        return _path_after(doc, hit, hit.segment)
    at = node_at(doc, line, col)
    if at is not None and at.is_key and _KEY.match(at.scalar.text):
        return at.path
    return None


def _path_after(doc: ParsedConfig, hit: Hit, segment: int) -> KeyPath | None:
    partial = Reference(hit.ref.start, hit.ref.end, hit.ref.dots, hit.ref.keys[: segment + 1], hit.ref.key_spans)
    found = target(doc.root, hit.at.path, partial)
    return found.path if found.node is not None else None


def reference_spans(doc: ParsedConfig, path: KeyPath) -> list[Span]:
    """The spans, in the config, of every reference segment that names the key at `path`."""
    spans = []
    for occ in occurrences(doc.root):
        for ref in occ.parsed.references:
            for index in range(len(ref.keys)):
                partial = Reference(ref.start, ref.end, ref.dots, ref.keys[: index + 1], ref.key_spans)
                found = target(doc.root, occ.path, partial)
                if found.node is not None and found.path == path:
                    a, b = ref.key_spans[index]
                    span = offset_span(occ.scalar, a, b)
                    if span != occ.scalar.span and span.start_line >= 0:
                        spans.append(span)
    return spans


def key_span(doc: ParsedConfig, path: KeyPath) -> Span | None:
    pair = node_at_path(doc.root, path)[1]
    return pair.key.span if pair is not None else None


def references(
    doc: ParsedConfig, line: int, col: int, uri: str, include_declaration: bool, conv: Converter
) -> list[types.Location] | None:
    path = key_path_at(doc, line, col)
    if path is None:
        return None
    spans = reference_spans(doc, path)
    declaration = key_span(doc, path)
    if include_declaration and declaration is not None and declaration.start_line >= 0:
        spans.insert(0, declaration)
    return [types.Location(uri=uri, range=conv.range(span)) for span in spans]


def prepare_rename(doc: ParsedConfig, line: int, col: int, conv: Converter) -> types.Range | None:
    if key_path_at(doc, line, col) is None:
        return None
    hit = reference_at(doc, line, col)
    if hit is not None and hit.segment is not None:
        a, b = hit.ref.key_spans[hit.segment]
        return conv.range(offset_span(hit.at.scalar, a, b))
    at = node_at(doc, line, col)
    return conv.range(at.scalar.span) if at is not None else None


def rename(
    doc: ParsedConfig, line: int, col: int, new_name: str, uri: str, conv: Converter
) -> types.WorkspaceEdit | None:
    """Rename a key and every interpolation naming it (only to a name OmegaConf can reference)."""
    path = key_path_at(doc, line, col)
    declaration = key_span(doc, path) if path is not None else None
    if path is None or declaration is None or not _KEY.match(new_name):
        return None
    spans = [declaration, *reference_spans(doc, path)]
    edits = [types.TextEdit(range=conv.range(span), new_text=new_name) for span in spans]
    return types.WorkspaceEdit(changes={uri: edits})
