"""The data hydra/callflow.py's walk works on: a config path held by a name (`Node`), a dict literal
holding paths (`Struct`), a call site found (`CallSite`), and what a walk reports to (`Sink`)."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from tuneconf.document.tree import KeyPath
from tuneconf.hydra.pymodules import FunctionNode, PyModule, PyModules

MAX_PATH = 12
"""Longer paths are not followed (a function walking a config recursively)."""


@dataclass(frozen=True)
class Node:
    """A config path held by a name."""

    path: KeyPath
    weak: bool = False
    """Perhaps only a key (a loop over a mapping) or a plain copy (`OmegaConf.to_container`): passing it to
    code that is not followed is no escape."""


@dataclass(frozen=True)
class Struct:
    """A dict literal holding config paths under constant keys (`{"cfg": cfg, "model": model}`)."""

    items: tuple[tuple[str, Node | Struct], ...]

    def get(self, key: str) -> Node | Struct | None:
        return next((value for name, value in self.items if name == key), None)


Held = Node | Struct
Env = tuple[tuple[str, Held], ...]


@dataclass(frozen=True)
class CallSite:
    """`instantiate(<path>, *positional, **keywords)` (or `call`) somewhere in the project."""

    path: KeyPath
    positional: int
    keywords: tuple[str, ...]
    recursive: bool | None
    partial: bool | None
    unpacked: bool
    file: Path
    line: int


class Sink(Protocol):
    """What a walk reports to (hydra/callsites.py's engine)."""

    modules: PyModules

    def site(self, site: CallSite) -> None: ...
    def unknown(self, file: Path, line: int, recursive_false: bool) -> None: ...
    def escape(self, path: KeyPath) -> None: ...
    def enqueue(self, module: PyModule, fn: FunctionNode, cls: ast.ClassDef | None, env: dict[str, Held]) -> None: ...
    def attribute(self, module: PyModule, cls: ast.ClassDef, name: str, value: Held) -> None: ...


def params_of(fn: FunctionNode) -> list[str]:
    return [a.arg for a in [*fn.args.posonlyargs, *fn.args.args]]


def flag(node: ast.Call, name: str) -> bool | None:
    value = next((k.value for k in node.keywords if k.arg == name), None)
    return value.value if isinstance(value, ast.Constant) and isinstance(value.value, bool) else None


def extend(base: Node, key: str | int, weak: bool = False) -> Node | None:
    return Node((*base.path, key), base.weak or weak) if len(base.path) < MAX_PATH else None


def root_name(node: ast.expr) -> str | None:
    """The name an expression reads from: `c` of `c.model["x"].get("y")`."""
    while True:
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, (ast.Attribute, ast.Subscript)):
            node = node.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            node = node.func.value
        else:
            return None
