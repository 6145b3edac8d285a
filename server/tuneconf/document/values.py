"""The tree as the Python values OmegaConf holds after loading (OmegaConf.to_container).

Aliases make a small text expand to any number of values (ten lines of `[*a, *a, ...]` are 10^10), so
every expansion goes through `to_python`, which first applies OmegaConf 2.4's own loader limits.
"""

from __future__ import annotations

import os
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
LIMIT_VARIABLE = "OMEGACONF_MAX_YAML_EXPANDED_NODES"
DEFAULT_NODE_LIMIT = 10_000  # OmegaConf 2.4's default
ALIAS_RATIO = 100  # and the expansion it allows through aliases, above ALIAS_RATIO_MIN_NODES nodes
ALIAS_RATIO_MIN_NODES = 1_000
HARD_NODE_LIMIT = 1_000_000
"""What tuneconf expands at most even where the variable lifts OmegaConf's limit ('none', or more):
about a second and 200 MB, so that no config can freeze the server or eat the machine."""


class ExpansionLimitError(ValueError):
    """The config, its aliases expanded, holds more values than OmegaConf loads or tuneconf expands."""


def node_limit() -> int | None:
    """OMEGACONF_MAX_YAML_EXPANDED_NODES read as OmegaConf 2.4 reads it: unset, 10,000; 'none', no limit;
    otherwise a positive integer, and anything else stops OmegaConf loading any config."""
    raw = os.environ.get(LIMIT_VARIABLE)
    if raw is None:
        return DEFAULT_NODE_LIMIT
    value = raw.strip()
    if value.lower() == "none":
        return None
    try:
        limit = int(value)
    except ValueError:
        limit = 0
    if limit <= 0:
        raise ExpansionLimitError(
            f"Invalid value for {LIMIT_VARIABLE}: {value!r}. Set it to a positive integer or 'none'."
        )
    return limit


def check_expansion(root: Node | None) -> None:
    """Raise ExpansionLimitError where OmegaConf's loader refuses `root` for its size, or where it is
    beyond HARD_NODE_LIMIT; costs one pass over the nodes as written (aliases counted, not expanded)."""
    if root is None:
        return
    limit = node_limit()
    ceiling = min(limit, HARD_NODE_LIMIT) if limit is not None else HARD_NODE_LIMIT
    expanded = expanded_count(root, ceiling)
    if expanded > ceiling and ceiling == limit:
        raise ExpansionLimitError(
            f"the config has more than {limit:,} YAML nodes once its aliases are expanded, OmegaConf's limit: "
            f"it refuses to load it. Set {LIMIT_VARIABLE} to a larger number to raise the limit."
        )
    if expanded > ceiling:
        raise ExpansionLimitError(
            f"the config has more than {HARD_NODE_LIMIT:,} YAML nodes once its aliases are expanded, "
            "more than tuneconf expands."
        )
    if limit is not None and expanded > ALIAS_RATIO_MIN_NODES:
        unique = unique_count(root)
        if expanded > unique * ALIAS_RATIO:
            raise ExpansionLimitError(
                f"aliases expand the config from {unique:,} YAML nodes to {expanded:,}, beyond the "
                f"{ALIAS_RATIO}x OmegaConf allows: it refuses to load it."
            )


def to_python(node: Node | None) -> Any:
    """Plain Python values for `node`, merge keys applied, as OmegaConf.to_container gives them.
    Raises ExpansionLimitError where OmegaConf would refuse to load it for its size (check_expansion)."""
    check_expansion(node)
    return _plain(node)


def _plain(node: Node | None) -> Any:
    node = deref(node)
    if node is None:
        return None
    if isinstance(node, Scalar):
        return node.value
    if isinstance(node, Sequence):
        items = [_plain(item) for item in node.items]
        factory = PATH_TAGS.get(node.tag)
        if node.tag in LIST_TAGS:
            return [pair for item in items if isinstance(item, dict) for pair in item.items()]
        return factory(*items) if factory else items
    assert isinstance(node, Mapping)
    return {_plain(pair.key): _plain(pair.value) for pair in effective_pairs(node)}


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
