"""Document-level problems that stop OmegaConf (and so torchtune) from loading a config.

Codes: duplicate-key, top-level-not-mapping, not-loadable, odd-line-break, too-large.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from tuneconf.context import AnalysisContext
from tuneconf.document.parse import MAX_CHARS, ParsedConfig
from tuneconf.document.tags import BOOL, FLOAT, INT, MAP, MERGE, NULL, PREFIX, SEQ, STR, VALUE
from tuneconf.document.tree import Mapping, Node, Scalar, Sequence, Span, walk
from tuneconf.document.values import (
    DEFAULT_NODE_LIMIT,
    LIST_TAGS,
    PATH_TAGS,
    ExpansionLimitError,
    expanded_count,
    node_limit,
    unique_count,
)
from tuneconf.findings import Finding, Related, Severity

# OmegaConf fails with a RecursionError a little beyond 70 levels of nesting.
DEEPEST_LOADABLE = 70
ALIAS_RATIO = 100
ALIAS_RATIO_MIN_NODES = 1_000
_KEY_TAGS = {STR, MERGE, VALUE, INT, FLOAT, BOOL}
_COLLECTION_TAGS = {MAP, SEQ, *LIST_TAGS, *PATH_TAGS}


def check(doc: ParsedConfig, ctx: AnalysisContext) -> Iterator[Finding]:
    yield from _document_shape(doc, ctx)
    root, top = doc.root, doc.mapping
    if root is None:
        return
    size = list(_size(doc, ctx))
    yield from size
    if size:
        return  # OmegaConf stops at the count: what else is wrong is not reached (and 100,000 keys take seconds)
    if top is None:
        yield from _nodes(root)
        return
    yield from _duplicates(top)
    yield from _keys(top)
    yield from ctx.per_section("structure", doc, lambda pair: _nodes(pair.value), local=True)


def too_many_nodes(doc: ParsedConfig, ctx: AnalysisContext) -> bool:
    """Whether OmegaConf refuses `doc` for its size (its node limit, or aliases expanding too far):
    then no other check runs (diagnostics.run_checks), as OmegaConf reaches nothing else."""
    return doc.root is not None and any(True for _ in _size(doc, ctx))


def _count(doc: ParsedConfig, ctx: AnalysisContext, family: str, count: Callable[[Node], int]) -> int:
    """`count` over the document, section by section (an unchanged section's count is remembered)."""
    if doc.mapping is None:
        return count(doc.root) if doc.root is not None else 0
    counts = ctx.per_section(family, doc, lambda pair: [count(pair.value)], local=True)
    return 1 + sum(1 + c for c in counts)


def _nodes(root: Node) -> Iterator[Finding]:
    """Problems inside one value: duplicate keys, keys OmegaConf refuses, values and tags it cannot load."""
    keys: set[int] = set()
    for node in walk(root):
        if isinstance(node, Mapping):
            yield from _duplicates(node)
            yield from _keys(node)
            keys.update(id(p.key) for p in node.pairs)
        if isinstance(node, Scalar) and node.problem and id(node) not in keys:
            yield _not_loadable(node.span, f"{node.problem}.")
        elif isinstance(node, (Mapping, Sequence)) and node.tag not in _COLLECTION_TAGS:
            short = node.tag.replace(PREFIX, "!!")
            yield _not_loadable(_head(node.span), f"OmegaConf cannot load the tag {short}. Remove the tag.")


def _document_shape(doc: ParsedConfig, ctx: AnalysisContext) -> Iterator[Finding]:
    if doc.too_large:
        size = len(doc.text.encode("utf-8", "surrogatepass"))
        message = (
            f"Not analysed: {size / 1e6:.1f} MB is beyond the {MAX_CHARS / 1e6:.0f} MB tuneconf reads "
            f"(OmegaConf itself refuses configs of more than {DEFAULT_NODE_LIMIT:,} nodes)."
        )
        yield Finding("too-large", Severity.WARNING, message, Span(0, 0, 0, len(doc.lines[0]) if doc.lines else 0))
    root = doc.root
    group_option = ctx.hydra is not None and (ctx.hydra.place is None or bool(ctx.hydra.place.group))
    if not group_option and (
        isinstance(root, Sequence) or (isinstance(root, Scalar) and root.value is not None and root.text != "")
    ):
        kind = "a list" if isinstance(root, Sequence) else "a single value"
        message = f"The top level is {kind}; a torchtune config must be a mapping of keys (`key: value` lines)."
        yield Finding("top-level-not-mapping", Severity.ERROR, message, _head(root.span))
    if doc.second_document is not None:
        line, col = doc.second_document
        message = "A second YAML document starts here; OmegaConf loads exactly one. Remove the '---' and what follows."
        yield _not_loadable(Span(line, col, line, col + 3), message)
    for alias in doc.undefined_aliases:
        yield _not_loadable(alias.span, f"Alias *{alias.name} names no anchor above it. Define &{alias.name} first.")
    for alias in doc.recursive_aliases:
        yield _not_loadable(alias.span, f"Alias *{alias.name} refers to its own parent; OmegaConf rejects it.")
    if doc.max_depth > DEEPEST_LOADABLE:
        message = (
            f"Nested {doc.max_depth} levels deep; OmegaConf fails (RecursionError) beyond about "
            f"{DEEPEST_LOADABLE} levels. Flatten the structure."
        )
        yield _not_loadable(_head(doc.root.span) if doc.root else Span(0, 0, 0, 0), message)
    for line, col in doc.odd_breaks:
        message = "YAML reads this character (NEL, LS or PS) as a line break, editors do not. Replace it with a space."
        yield Finding("odd-line-break", Severity.WARNING, message, Span(line, col, line, col + 1))


def _duplicates(mapping: Mapping) -> Iterator[Finding]:
    # OmegaConf's loader compares only keys that are strings (plain or quoted), as we do.
    seen: dict[str, Node] = {}
    for pair in mapping.pairs:
        key = pair.key
        if not isinstance(key, Scalar) or key.tag != STR:
            continue
        first = seen.get(key.text)
        if first is None:
            seen[key.text] = key
            continue
        message = (
            f"Duplicate key '{key.text}' (first on line {first.span.start_line + 1}); "
            "OmegaConf refuses to load the config. Remove one of them."
        )
        related = (Related(f"first '{key.text}'", first.span),)
        yield Finding("duplicate-key", Severity.ERROR, message, key.span, related, {"first": list(first.span)})


def _keys(mapping: Mapping) -> Iterator[Finding]:
    for pair in mapping.pairs:
        key = pair.key
        if isinstance(key, Scalar) and key.tag in _KEY_TAGS:
            continue
        if isinstance(key, Scalar) and key.tag == NULL:
            yield _not_loadable(key.span, "A null key (`~:` or `null:`) cannot be a config key. Name the key.")
        elif not isinstance(key, Scalar):
            yield _not_loadable(_head(key.span), "A list or mapping cannot be a key. Use a plain name.")


def _size(doc: ParsedConfig, ctx: AnalysisContext) -> Iterator[Finding]:
    limit, root = _node_limit(), doc.root
    if limit is None or root is None:
        return
    # Counted as OmegaConf counts, each section's count stopping a little past the limit.
    expanded = _count(doc, ctx, f"size:{limit}", lambda node: expanded_count(node, limit))
    if expanded > limit:
        message = (
            f"More than {limit:,} YAML nodes: OmegaConf refuses to load it, so nothing else is checked (set "
            "OMEGACONF_MAX_YAML_EXPANDED_NODES to a larger number where the run starts, and where tuneconf runs)."
        )
        yield _not_loadable(_head(root.span), message)
        return
    if expanded > ALIAS_RATIO_MIN_NODES:
        unique = _count(doc, ctx, "unique", unique_count)
        if expanded > unique * ALIAS_RATIO:
            message = (
                f"Aliases expand {unique:,} nodes to {expanded:,}, beyond the {ALIAS_RATIO}x OmegaConf allows. "
                "Use fewer nested aliases."
            )
            yield _not_loadable(_head(root.span), message)


def _node_limit() -> int | None:
    try:
        return node_limit()
    except ExpansionLimitError:  # an invalid value is said where values are expanded (show, run, the view)
        return DEFAULT_NODE_LIMIT


def _head(span: Span) -> Span:
    """The first line of a span: where a whole-node problem is shown."""
    if span.end_line == span.start_line:
        return span
    return Span(span.start_line, span.start_col, span.start_line, span.start_col + 1)


def _not_loadable(span: Span, message: str) -> Finding:
    return Finding("not-loadable", Severity.ERROR, message, span)
