"""Interpolations: syntax (OmegaConf's own messages), unknown keys, cycles, unknown resolvers, `???`.

Codes: interpolation-syntax, unknown-interpolation-key, interpolation-cycle, unknown-resolver,
missing-value.
"""

from __future__ import annotations

from collections.abc import Iterator

from tuneconf.context import AnalysisContext
from tuneconf.diagnostics import hydra_interpolations
from tuneconf.diagnostics.edits import fix
from tuneconf.document.parse import ParsedConfig
from tuneconf.document.tree import Node, Scalar, walk
from tuneconf.findings import Finding, Severity
from tuneconf.hydra.workspace import HydraInfo
from tuneconf.interpolation.grammar import BUILTIN_RESOLVERS
from tuneconf.interpolation.resolve import Occurrence, cycles, dotted, occurrences, offset_span, target
from tuneconf.suggest import closest


def document_occurrences(doc: ParsedConfig, ctx: AnalysisContext) -> list[Occurrence]:
    """The document's interpolations, gathered section by section (unchanged sections are reused)."""
    if doc.mapping is None:
        return occurrences(doc.root)
    return list(ctx.per_section("occurrences", doc, lambda p: occurrences(p.value, (p.name or "",)), local=True))


def check(doc: ParsedConfig, ctx: AnalysisContext) -> Iterator[Finding]:
    root = doc.root
    if root is None:
        return
    found = document_occurrences(doc, ctx)
    hydra = ctx.hydra
    if hydra is not None and hydra.place is not None:
        yield from _hydra(doc, found, hydra, ctx)
        return
    resolvers = set(BUILTIN_RESOLVERS) | set(ctx.settings.resolvers)
    for occ in found:
        if occ.parsed.error:
            yield _syntax(occ)
            continue
        yield from _references(doc, occ)
        for call in occ.parsed.resolvers:
            if hydra is not None and call.name in hydra_interpolations.known_resolvers(hydra, ()):
                yield from hydra_interpolations.hydra_key(occ, call)
            elif call.name not in resolvers:
                message = (
                    f"Unknown resolver '{call.name}': OmegaConf knows {', '.join(BUILTIN_RESOLVERS)}. If your "
                    "code registers it, add it to the setting tuneconf.resolvers."
                )
                span = offset_span(occ.scalar, call.name_start, call.name_end)
                yield Finding("unknown-resolver", Severity.WARNING, message, span)
    yield from _cycles(doc, found)
    if doc.mapping is None:
        yield from _missing(root)
    else:
        yield from ctx.per_section("missing", doc, lambda pair: _missing(pair.value), local=True)


def _hydra(doc: ParsedConfig, found: list[Occurrence], hydra: HydraInfo, ctx: AnalysisContext) -> Iterator[Finding]:
    """A config in a Hydra project: keys from the composed config, Hydra's and the workspace's resolvers."""
    known = hydra_interpolations.known_resolvers(hydra, ctx.settings.resolvers)
    for occ in found:
        if occ.parsed.error:
            yield _syntax(occ)
            continue
        yield from _references(doc, occ, hydra)
        for call in occ.parsed.resolvers:
            if call.name in known:
                yield from hydra_interpolations.hydra_key(occ, call)
            else:
                yield hydra_interpolations.unknown_resolver(occ, call, hydra)
    if not hydra.package:
        yield from _cycles(doc, found)
    yield from ctx.per_section("missing", doc, lambda pair: _missing(pair.value), local=True)


def _syntax(occ: Occurrence) -> Finding:
    value = str(occ.scalar.value)
    at = min(occ.parsed.error_at, len(value))
    start = value.rfind("${", 0, at + 1)
    span = offset_span(occ.scalar, max(start, 0), max(min(at + 1, len(value)), start + 2))
    message = f"Interpolation syntax: {occ.parsed.error} (OmegaConf fails with this when the value is read)."
    return Finding("interpolation-syntax", Severity.ERROR, message, span)


def _references(doc: ParsedConfig, occ: Occurrence, hydra: HydraInfo | None = None) -> Iterator[Finding]:
    for ref in occ.parsed.references:
        if hydra is not None:
            found = hydra_interpolations.reference_target(doc.root, occ, ref, hydra)
        else:
            found = target(doc.root, occ.path, ref)
        if found.failed is None:
            continue
        if found.failed >= len(ref.keys) or ref.keys[found.failed] is None:
            continue
        key = str(ref.keys[found.failed])
        start, end = ref.key_spans[found.failed] if found.failed < len(ref.key_spans) else (ref.start, ref.end)
        span = offset_span(occ.scalar, start, end)
        guess = closest(key, found.candidates, 0.7)
        where = dotted(tuple(k for k in ref.keys[: found.failed] if k is not None)) or "the config's top level"
        hint = f" Did you mean '{guess}'?" if guess else ""
        message = f"Interpolation {_text(occ, ref.start, ref.end)} names '{key}', which {where} does not have.{hint}"
        # Where escapes, line breaks or a block scalar part the value from its columns, the span is the
        # whole scalar: replacing it with the key would lose the rest of the value, so no fix.
        exact = span != occ.scalar.span
        fixes = [fix(f"Change to '{guess}'", (span, guess), preferred=True)] if guess and exact else []
        if hydra is not None and hydra.selected:  # keys of other groups depend on their choices
            message += " (In the config composed with this file selected and the other groups' defaults.)"
            yield Finding("unknown-interpolation-key", Severity.WARNING, message, span, data={"fixes": fixes})
            continue
        yield Finding("unknown-interpolation-key", Severity.ERROR, message, span, data={"fixes": fixes})


def _cycles(doc: ParsedConfig, found: list[Occurrence]) -> Iterator[Finding]:
    loops = cycles(doc.root, found)
    for occ in found:
        loop = loops.get(occ.path)
        if loop is None:
            continue
        chain = " → ".join(dotted(p) for p in [*loop, loop[0]])
        for ref in occ.parsed.references:
            message = f"Interpolation cycle: {chain}. OmegaConf cannot resolve it; break the loop."
            yield Finding("interpolation-cycle", Severity.ERROR, message, offset_span(occ.scalar, ref.start, ref.end))


def _missing(root: Node) -> Iterator[Finding]:
    for node in walk(root):
        if isinstance(node, Scalar) and node.value == "???" and node.span.start_line >= 0:
            message = "Mandatory value (???): set it here or with an override on the command line, e.g. key=value."
            yield Finding("missing-value", Severity.INFORMATION, message, node.span)


def _text(occ: Occurrence, start: int, end: int) -> str:
    return str(occ.scalar.value)[start:end]
