"""Outputs a run would overwrite: every output folder the config names (`output_dir` and `log_dir`, at
the top level or one level down, as in `checkpointer.output_dir` and `metric_logger.log_dir`), with
`${...}` resolved by OmegaConf itself, within a budget.

The budget: before OmegaConf resolves a value, we add up what its resolution would build by
following its references through our tree (each reached value counted as often as it is reached,
remembered per key). A value that goes past the budget, loops, names a computed key or calls a
resolver other than `oc.env` is left unresolved (no warning), so an interpolation that doubles at
each step cannot make printing a plan hang.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from tuneconf.document.tree import KeyPath, Mapping, Node, Scalar, deref
from tuneconf.interpolation.grammar import Reference, parse_value
from tuneconf.interpolation.resolve import dotted, node_at_path, target

OUTPUT_KEYS = ("output_dir", "log_dir")
MAX_KEYS = 16
MAX_RESOLVED_CHARS = 8192
"""What resolving one value may build (a path is at most 4096 bytes on Linux)."""
MAX_DEPTH = 32  # OmegaConf's own stack ends near 60 interpolations inside one another
_RESOLVERS = {"oc.env"}
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def overwrite_warnings(root: Node | None, values: Any, cwd: Path) -> list[str]:
    """One warning per output folder of the config that already holds files."""
    resolver = _Resolver(root, values)
    warnings: list[str] = []
    seen: set[Path] = set()
    for path in output_keys(root):
        value = resolver.value(path)
        if not isinstance(value, str) or not value or "\x00" in value:
            continue
        folder = Path(value) if os.path.isabs(value) else cwd / value
        if folder in seen:
            continue
        seen.add(folder)
        try:
            if folder.is_dir() and any(folder.iterdir()):
                warnings.append(f"{dotted(path)} {value} already has files: this run may overwrite them.")
        except OSError:
            continue
    return warnings


def output_keys(root: Node | None) -> list[KeyPath]:
    """The keys naming output folders: `output_dir` / `log_dir` at the top level, then one level down."""
    mapping = deref(root)
    if not isinstance(mapping, Mapping):
        return []
    found: list[KeyPath] = [(p.name,) for p in mapping.pairs if p.name in OUTPUT_KEYS]
    for pair in mapping.pairs:
        inner = deref(pair.value)
        if pair.name is None or not isinstance(inner, Mapping) or not _PLAIN_KEY.fullmatch(pair.name):
            continue
        found.extend((pair.name, p.name) for p in inner.pairs if p.name in OUTPUT_KEYS)
    return list(dict.fromkeys(found))[:MAX_KEYS]


class _Resolver:
    """Values of the merged config, resolved by OmegaConf once their cost is known to be small."""

    def __init__(self, root: Node | None, values: Any) -> None:
        self.root = root
        self.values = values
        self.config: Any = None
        self.costs: dict[KeyPath, int] = {}
        self.env_allowance = max((len(v) for v in os.environ.values()), default=0)

    def value(self, path: KeyPath) -> object:
        node = deref(node_at_path(self.root, path)[0])
        if not isinstance(node, Scalar) or not isinstance(node.value, str):
            return None
        if "${" not in node.value:
            return node.value
        if self.cost(path, node.value, set(), 0) > MAX_RESOLVED_CHARS:
            return None
        try:
            from omegaconf import OmegaConf  # imported on demand, as in effective.py

            if self.config is None:
                self.config = OmegaConf.create(self.values)
            return OmegaConf.select(self.config, dotted(path), throw_on_resolution_failure=True)
        except Exception:  # whatever OmegaConf raises (a missing key, an unset variable): not known
            return None

    def cost(self, path: KeyPath, text: str, active: set[KeyPath], depth: int) -> int:
        """An upper bound of the characters resolving `text` (the value at `path`) builds."""
        over = MAX_RESOLVED_CHARS + 1
        if path in self.costs:
            return self.costs[path]
        if path in active or depth > MAX_DEPTH:
            return over  # a loop, or a chain longer than any real config's
        parsed = parse_value(text)
        if parsed.error or not (parsed.references or parsed.resolvers):
            return over  # what we cannot read (an escaped or oversized value)
        if any(r.name not in _RESOLVERS for r in parsed.resolvers):
            return over  # another resolver may read keys by name (oc.select) or run the user's code
        active.add(path)
        total = len(text) + self.env_allowance * len(parsed.resolvers)
        for ref in parsed.references:
            if total > MAX_RESOLVED_CHARS:
                break
            total += self._reference_cost(path, ref, active, depth)
        active.discard(path)
        self.costs[path] = min(total, over)
        return self.costs[path]

    def _reference_cost(self, path: KeyPath, ref: Reference, active: set[KeyPath], depth: int) -> int:
        found = target(self.root, path, ref)
        node = deref(found.node)
        if not isinstance(node, Scalar):  # a container, a computed or missing key: not judged
            return MAX_RESOLVED_CHARS + 1
        if isinstance(node.value, str) and "${" in node.value:
            return self.cost(found.path, node.value, active, depth + 1)
        return len(str(node.value))
