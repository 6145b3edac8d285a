"""The tree as the Python values OmegaConf holds after loading (OmegaConf.to_container)."""

from __future__ import annotations

import pathlib
from typing import Any

from tuneconf.document.tags import MERGE, OMAP, PAIRS, PREFIX, STR
from tuneconf.document.tree import Alias, Mapping, Node, Pair, Scalar, Sequence, children, deref, walk

PATH_TAGS = {
    f"{PREFIX}python/object/apply:pathlib.{module}{name}": getattr(pathlib, name)
    for module in ("", "_local.")
    for name in ("Path", "PosixPath", "WindowsPath")
}
LIST_TAGS = {OMAP, PAIRS}


def to_python(node: Node | None) -> Any:
    """Plain Python values for `node`, merge keys applied, as OmegaConf.to_container gives them."""
    node = deref(node)
    if node is None:
        return None
    if isinstance(node, Scalar):
        return node.value
    if isinstance(node, Sequence):
        items = [to_python(item) for item in node.items]
        factory = PATH_TAGS.get(node.tag)
        if node.tag in LIST_TAGS:
            return [pair for item in items if isinstance(item, dict) for pair in item.items()]
        return factory(*items) if factory else items
    assert isinstance(node, Mapping)
    return {to_python(pair.key): to_python(pair.value) for pair in effective_pairs(node)}


def effective_pairs(mapping: Mapping, depth: int = 0) -> list[Pair]:
    """The mapping's pairs after YAML merge keys (`<<: *base`), in PyYAML's order and precedence."""
    if not any(_is_merge(p) for p in mapping.pairs) or depth > 32:
        return mapping.pairs
    explicit = [p for p in mapping.pairs if not _is_merge(p)]
    names = {p.name for p in explicit if isinstance(p.key, Scalar) and p.key.tag == STR}
    merged: list[Pair] = []
    for pair in mapping.pairs:
        if not _is_merge(pair):
            continue
        target = deref(pair.value)
        sources = [target] if isinstance(target, Mapping) else []
        if isinstance(target, Sequence):
            sources = [m for m in (deref(i) for i in target.items) if isinstance(m, Mapping)]
            sources.reverse()
        for source in sources:
            merged.extend(effective_pairs(source, depth + 1))
    merged = [p for p in merged if not (isinstance(p.key, Scalar) and p.key.tag == STR and p.name in names)]
    return merged + explicit


def _is_merge(pair: Pair) -> bool:
    return isinstance(pair.key, Scalar) and pair.key.tag == MERGE


def expanded_count(root: Node, limit: int) -> int:
    """How many nodes the document has once aliases are expanded, counted as OmegaConf counts them
    (stopping once past `limit`)."""
    memo: dict[int, int] = {}

    def count(node: Node) -> int:
        if isinstance(node, Alias):
            target = deref(node)
            return count(target) if target is not None else 1
        hit = memo.get(id(node))
        if hit is not None:
            return hit
        total = 1
        for child in children(node):
            total += count(child)
            if total > limit:
                break
        memo[id(node)] = total
        return total

    try:
        return count(root)
    except RecursionError:
        return limit + 1


def unique_count(root: Node) -> int:
    return sum(1 for node in walk(root) if not isinstance(node, Alias))
