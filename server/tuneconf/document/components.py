"""Which nodes are components, and whether a YAML file is a torchtune-style config at all."""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from tuneconf.document.tree import KeyPath, Mapping, Node, Scalar, deref
from tuneconf.document.tree import Sequence as SeqNode

# [ \t], never \s, in a re.M pattern: `^\s*` runs from every line start across all the blank lines below.
_TUNE_RUN = re.compile(r"^[ \t]*#.*?\btune[ \t]+run\b", re.M)
RECIPE_COMMENT = re.compile(r"^[ \t]*#[ \t]*tuneconf:[ \t]*recipe[ \t]*=[ \t]*(\S+)", re.M)
"""A `# tuneconf: recipe=NAME_OR_PATH` comment line (group 1: the recipe); recipes/registry.py reads it too."""


@dataclass(frozen=True)
class Component:
    """A mapping with a component key: `path` is where it sits, `dotpath` the scalar naming it."""

    path: KeyPath
    mapping: Mapping
    dotpath: Scalar


def component_of(node: Node | None, keys: Sequence[str]) -> Component | None:
    """The component `node` is, if it is a mapping with a scalar component key."""
    node = deref(node)
    if not isinstance(node, Mapping):
        return None
    for key in keys:
        value = deref(node.value_of(key))
        if isinstance(value, Scalar):
            return Component((), node, value)
    return None


def iter_components(root: Node | None, keys: Sequence[str]) -> Iterator[Component]:
    """Every component in the tree, nested ones and those in lists included, in document order.
    Aliases are not followed: what they name is visited where it is defined."""
    stack: list[tuple[KeyPath, Node | None]] = [((), root)]
    while stack:
        path, node = stack.pop()
        found = component_of(node, keys)
        if found is not None:
            yield Component(path, found.mapping, found.dotpath)
        if isinstance(node, Mapping):
            stack.extend((path + (p.name,), p.value) for p in reversed(node.pairs) if p.name is not None)
        elif isinstance(node, SeqNode):
            stack.extend((path + (i,), item) for i, item in reversed(list(enumerate(node.items))))


def looks_like_config(text: str, keys: Sequence[str]) -> bool:
    """A component key used as a mapping key, a `tune run` line in a comment, or a `# tuneconf: recipe=`
    comment (the user says which recipe runs it)."""
    if any(key_pattern(key).search(text) for key in keys):
        return True
    return bool(_TUNE_RUN.search(text) or RECIPE_COMMENT.search(text))


@functools.lru_cache(maxsize=64)
def key_pattern(key: str) -> re.Pattern[str]:
    """`key` used as a mapping key, block or flow, quoted or not."""
    return re.compile(rf"(?:^|[\s{{,])['\"]?{re.escape(key)}['\"]?[ \t]*:", re.M)


def matches_globs(path: str, relative: Sequence[str], globs: Sequence[str]) -> bool:
    """True when the file's absolute path or a workspace-relative form matches one of the globs."""
    candidates = [path, *relative]
    return any(fnmatch.fnmatch(c, g) or fnmatch.fnmatch(c, g.removeprefix("**/")) for g in globs for c in candidates)
