"""What a Hydra project's code instantiates, and with what, read with `ast` from its entry point on.

The config parameter of the `@hydra.main` function (`def main(cfg: DictConfig)`), or what `compose(...)`
returns after `initialize(...)`, is the root config path. It is followed (hydra/callflow.py) through
the functions, methods and classes of the project it is handed to, in the same file and in the
workspace modules they import (hydra/pymodules.py: depth ≤ 4, ≤ 64 files), each function walked once
per distinct set of paths bound to its parameters. Every `hydra.utils.instantiate(<path>, ...)` /
`call(...)` met is a `CallSite`: the positional and keyword arguments the code supplies itself, and
`_recursive_` / `_partial_` where passed, so a checker knows that `optimizer` gets `params` from the
code and need not set it. Instantiations of something that is not a config path are `unknown`;
paths passed to code that is not followed `escape` (anything under them may be instantiated there).
Lines are 0-based.
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tuneconf.document.tree import KeyPath
from tuneconf.files import read_text
from tuneconf.hydra.astnames import MAX_SOURCE_BYTES
from tuneconf.hydra.callflow import FlowWalker
from tuneconf.hydra.callflow_data import CallSite, Env, Held, Node, params_of
from tuneconf.hydra.discover import EntryPoint, entry_points_in
from tuneconf.hydra.pymodules import FunctionNode, PyModule, PyModules
from tuneconf.recipes.usage import ITEM

__all__ = ["ITEM", "CallSite", "CallSites", "call_sites"]

MAX_WALKS = 400
"""Function walks per analysis (each function once per distinct binding)."""


@dataclass
class CallSites:
    sites: list[CallSite] = field(default_factory=list)
    unknown: list[tuple[Path, int, bool]] = field(default_factory=list)
    """Instantiations of something not traceable to a config path: (file, line, `_recursive_=False` passed)."""
    followed: tuple[Path, ...] = ()
    """The files read."""
    escapes: set[KeyPath] = field(default_factory=set)
    """Paths handed to code that is not followed (the root, (), when the whole config is)."""

    def escaped(self, path: KeyPath) -> bool:
        """Whether `path` lies under a path that escapes ("*" matches any key)."""
        return any(_under(path, prefix) for prefix in self.escapes)

    def at(self, path: KeyPath) -> list[CallSite]:
        """The call sites that instantiate `path` ("*" in either matches any key)."""
        return [s for s in self.sites if len(s.path) == len(path) and _under(path, s.path)]


def _under(path: KeyPath, prefix: KeyPath) -> bool:
    if len(prefix) > len(path):
        return False
    return all(ITEM in (a, b) or a == b for a, b in zip(path, prefix))


@dataclass(frozen=True, eq=False)
class _Task:
    module: PyModule
    fn: FunctionNode
    cls: ast.ClassDef | None
    env: Env


class _Engine:
    """The worklist: functions to walk with their bindings; what the walks found."""

    def __init__(self, modules: PyModules) -> None:
        self.modules = modules
        self.result = CallSites()
        self.found: set[CallSite] = set()
        self.unknowns: set[tuple[Path, int, bool]] = set()
        self.pending: deque[_Task] = deque()
        self.seen: set[tuple[int, Env]] = set()
        self.attributes: dict[int, dict[str, Held]] = {}
        self.classes: dict[int, tuple[PyModule, ast.ClassDef]] = {}
        self.dirty: set[int] = set()

    def site(self, site: CallSite) -> None:
        if site not in self.found:
            self.found.add(site)
            self.result.sites.append(site)

    def unknown(self, file: Path, line: int, recursive_false: bool) -> None:
        entry = (file, line, recursive_false)
        if entry not in self.unknowns:
            self.unknowns.add(entry)
            self.result.unknown.append(entry)

    def escape(self, path: KeyPath) -> None:
        self.result.escapes.add(path)

    def enqueue(self, module: PyModule, fn: FunctionNode, cls: ast.ClassDef | None, env: dict[str, Held]) -> None:
        if cls is not None:
            env = {**self.attributes.get(id(cls), {}), **env}
        frozen = tuple(sorted(env.items(), key=lambda item: item[0]))
        key = (id(fn), frozen)
        if key not in self.seen:
            self.seen.add(key)
            self.pending.append(_Task(module, fn, cls, frozen))

    def attribute(self, module: PyModule, cls: ast.ClassDef, name: str, value: Held) -> None:
        """`self.<name> = <path>` in a method: the class's other methods see it."""
        known = self.attributes.setdefault(id(cls), {})
        if name not in known:
            known[name] = value
            self.classes[id(cls)] = (module, cls)
            self.dirty.add(id(cls))

    def run(self) -> None:
        walks = 0
        while walks < MAX_WALKS:
            if not self.pending:
                self.wake_classes()
                if not self.pending:
                    break
            task = self.pending.popleft()
            walks += 1
            FlowWalker(self, task.module, task.cls, dict(task.env)).walk(task.fn)
        self.result.followed = self.modules.files()

    def wake_classes(self) -> None:
        """Walk every method of the classes that learnt a `self.x` path, with those paths bound."""
        for class_id in sorted(self.dirty):
            module, cls = self.classes[class_id]
            env = {**self.attributes[class_id]}
            for method in cls.body:
                if isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    self.enqueue(module, method, cls, env)
        self.dirty.clear()


def call_sites(entry: EntryPoint | Path, function: str | None, workspace: Sequence[Path]) -> CallSites:
    """What the project instantiates from `entry` (an entry point, or a file), following the config from
    `function` (the function whose first parameter is the config) or, when None, from the entry's
    `@hydra.main` function (every one in a file) or the code around its `compose(...)`."""
    file = (entry.file if isinstance(entry, EntryPoint) else entry).absolute()
    modules = PyModules([*workspace, file.parent])
    engine = _Engine(modules)
    module = modules.load(file, 0)
    if module is None:
        return engine.result
    for fn, bound in _starts(module, entry, function):
        engine.enqueue(module, fn, None, _root_binding(fn) if bound else {})
    engine.run()
    return engine.result


def _root_binding(fn: FunctionNode) -> dict[str, Held]:
    params = [p for p in params_of(fn) if p not in ("self", "cls")]
    return {params[0]: Node(())} if params else {}


def _starts(module: PyModule, entry: EntryPoint | Path, function: str | None) -> list[tuple[FunctionNode, bool]]:
    """The functions to walk first, and whether their first parameter is the config."""
    if function is not None:
        named = [n for n in ast.walk(module.tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        return [(fn, True) for fn in named if fn.name == function][:1]
    entries = _entries_of(module) if isinstance(entry, Path) else [entry]
    starts: list[tuple[FunctionNode, bool]] = []
    for point in entries:
        if point.kind == "main":
            fn = _decorated(module, point.line)
            if fn is not None:
                starts.append((fn, True))
        else:
            starts.append((_enclosing(module, point.line), False))
    return starts or [(_script(module), False)]


def _entries_of(module: PyModule) -> list[EntryPoint]:
    text, _ = read_text(module.file, MAX_SOURCE_BYTES)
    return entry_points_in(module.file, text) if text is not None else []


def _decorated(module: PyModule, line: int) -> FunctionNode | None:
    """The function `@hydra.main(...)` at `line` decorates (or `hydra.main(...)(fn)` there wraps)."""
    for node in ast.walk(module.tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if any(d.lineno - 1 == line for d in node.decorator_list):
                return node
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Call) and node.func.lineno - 1 == line:
            wrapped = node.args[0] if node.args else None
            if isinstance(wrapped, ast.Name):
                return module.functions.get(wrapped.id)
    return None


def _enclosing(module: PyModule, line: int) -> FunctionNode:
    """The innermost function around `line`, else the module's own statements."""
    best: FunctionNode | None = None
    for node in ast.walk(module.tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.end_lineno is None:
            continue
        if node.lineno - 1 <= line <= node.end_lineno - 1 and (best is None or node.lineno > best.lineno):
            best = node
    return best if best is not None else _script(module)


def _script(module: PyModule) -> FunctionNode:
    """The module's own statements (a script's body, `with initialize(...)` at the top) as a function."""
    body = [s for s in module.tree.body if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    arguments = ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[], defaults=[])
    return ast.FunctionDef(name="<module>", args=arguments, body=body, decorator_list=[], lineno=1, col_offset=0)
