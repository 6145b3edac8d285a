"""The public names of an installed package: where each function or class can be imported from.

For "moved" names (`torchtune.utils.FullModelHFCheckpointer` → `torchtune.training.FullModelHFCheckpointer`):
the public modules of one top-level package, and the private ones they import from, are read with
`ast` (never imported): top-level definitions, `from ... import ...` re-exports and `__all__`. Each
public path (no `_` segment) is mapped to the definition it names, following re-export chains, so that
two paths to the same object count once. Modules are read shallowest first and within bounds; an index
cut short says so (`complete`), and callers then prefer nothing. Measured (tuneconf's venv, no disk
cache): torchtune 518 names in 0.13 s, torchao 1,620 in 0.5 s, torch 5,189 in 2.7 s; from the disk
cache 12 / 27 / 100 ms; a few MB while reading, 0.2 / 0.7 / 2 MB kept.
"""

from __future__ import annotations

import ast
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tuneconf.index.modules import ModuleFile, ModuleFinder

MAX_MODULES = 3000
MAX_SECONDS = 20.0
MAX_SOURCE_BYTES = 500_000
"""Larger modules are generated data (tables, matrices), not where names live; they cost the most to read."""
MAX_CHAIN = 20
MAX_HOMES = 5
"""More definitions than this of one name (`logger`, `main`) say nothing about where a name moved."""
REQUEST = "names:"
"""The prefix of a pending entry asking for a package's names (not a dotpath: a dotpath has no colon)."""


@dataclass(frozen=True)
class Moved:
    """Where an unknown dotpath's last name can be imported from now: one public path per object."""

    name: str
    homes: tuple[str, ...]
    unique: bool


@dataclass
class NameIndex:
    package: str
    entries: list[tuple[str, str]]
    """(public path, the definition it names), for every public function, class and other name."""
    complete: bool = True
    _by_name: dict[str, list[tuple[str, str]]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for path, target in self.entries:
            self._by_name.setdefault(path.rsplit(".", 1)[-1], []).append((path, target))

    def moved(self, dotpath: str) -> Moved | None:
        """The public homes of `dotpath`'s last name (other than `dotpath` itself), shortest path per object."""
        name = dotpath.rsplit(".", 1)[-1]
        best: dict[str, str] = {}
        for path, target in self._by_name.get(name, []):
            if path != dotpath and (target not in best or _shorter(path, best[target])):
                best[target] = path
        if not best or len(best) > MAX_HOMES:
            return None
        homes = tuple(sorted(best.values(), key=_length))
        return Moved(name, homes, unique=len(homes) == 1 and self.complete)


def request(package: str) -> str:
    return REQUEST + package


def requested(entry: str) -> str | None:
    """The package a pending entry asks the names of, or None for a plain dotpath."""
    return entry[len(REQUEST) :] if entry.startswith(REQUEST) else None


def _length(path: str) -> tuple[int, int, str]:
    return (path.count("."), len(path), path)


def _shorter(a: str, b: str) -> bool:
    return _length(a) < _length(b)


@dataclass
class _Module:
    """What one module file defines and re-exports (absolute targets), as read by `ast`."""

    name: str
    is_package: bool
    defined: set[str] = field(default_factory=set)
    imported: dict[str, str] = field(default_factory=dict)
    wildcards: list[str] = field(default_factory=list)
    all: list[str] | None = None

    @property
    def sources(self) -> set[str]:
        """The modules it imports names from (a target may also be a submodule: both are tried)."""
        found = set(self.wildcards)
        for target in self.imported.values():
            found.add(target.rpartition(".")[0])
        return found


def build(
    finder: ModuleFinder, package: str, max_modules: int = MAX_MODULES, max_seconds: float = MAX_SECONDS
) -> tuple[NameIndex, list[Path]]:
    """The index of `package`, and the files and folders it was read from (what it depends on)."""
    scan = _Scan(finder, package, max_modules, time.monotonic() + max_seconds)
    scan.public()
    scan.referenced()
    return NameIndex(package, _public_entries(scan.modules, package), scan.complete), scan.deps


class _Scan:
    """Reads the public modules breadth first (the public surface is shallow), then only the private
    modules that public ones import from (to follow their re-exports to the definitions): torch's
    `_inductor` or `_dynamo` are never read. Folders go into `deps`: a module added makes it stale."""

    def __init__(self, finder: ModuleFinder, package: str, max_modules: int, deadline: float) -> None:
        self.finder = finder
        self.package = package
        self.max_modules = max_modules
        self.deadline = deadline
        self.modules: dict[str, _Module] = {}
        self.deps: list[Path] = []
        self.complete = True
        self._tried: set[str] = set()

    def public(self) -> None:
        queue = deque([self.package])
        while queue:
            module = self._read(queue.popleft())
            if module is None or not self.complete:
                continue
            file = self.finder.find(module.name)
            assert file is not None
            queue.extend(f"{module.name}.{sub}" for sub in self.finder.submodules(file) if not sub.startswith("_"))

    def referenced(self) -> None:
        """Read the private modules that public modules and packages import from, until none is left (or
        the bounds). A private plain module defines what it holds; what it imports itself is not chased
        (torch's would be most of torch), so a chain through one ends there: then a name may count twice."""
        while self.complete:
            wanted = {
                source
                for module in list(self.modules.values())
                if module.is_package or not _private(module.name)
                for source in module.sources
                if source.split(".", 1)[0] == self.package and source not in self._tried
            }
            if not wanted:
                return
            for name in sorted(wanted):
                self._read(name)

    def _read(self, name: str) -> _Module | None:
        """Read module `name` once (None when it is none, compiled or unreadable, or out of bounds)."""
        self._tried.add(name)
        if len(self.modules) >= self.max_modules or time.monotonic() > self.deadline:
            self.complete = False
            return None
        file = self.finder.find(name)
        if file is None:
            return None
        self.deps.extend(file.package_dirs)
        if file.path is None or file.compiled:
            return _Module(name, file.is_package) if file.is_package else None
        self.deps.append(file.path)
        module = _read(file)
        if module is not None:
            self.modules[name] = module
        return module


def _read(file: ModuleFile) -> _Module | None:
    assert file.path is not None
    try:
        if file.path.stat().st_size > MAX_SOURCE_BYTES:
            return None
        tree = ast.parse(file.path.read_bytes())
    except (OSError, SyntaxError, ValueError, RecursionError):
        return None
    module = _Module(file.name, file.is_package)
    for node in _top_level(tree.body):
        _note(module, node)
    return module


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Module-level statements, with those under `if` and `try` (optional imports, version guards)."""
    for node in body:
        if isinstance(node, ast.If):
            yield from _top_level(node.body + node.orelse)
        elif isinstance(node, ast.Try):
            yield from _top_level(node.body + node.orelse + [s for h in node.handlers for s in h.body])
        else:
            yield node


def _note(module: _Module, node: ast.stmt) -> None:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        module.defined.add(node.name)
    elif isinstance(node, ast.ImportFrom):
        base = _absolute(module, node.module, node.level)
        for alias in node.names:
            if alias.name == "*":
                module.wildcards.append(base)
            else:
                module.imported[alias.asname or alias.name] = f"{base}.{alias.name}"
    elif isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, ast.Name):
                if target.id == "__all__":
                    module.all = _strings(node.value)
                elif _callable_value(node.value):
                    module.defined.add(target.id)


def _callable_value(value: ast.expr | None) -> bool:
    """Whether an assignment may bind something callable: `f = other` or `f = partial(...)` (torchtune
    builds models so). Constants and `logger = getLogger()` are no component, and would crowd the list."""
    if isinstance(value, (ast.Name, ast.Attribute)):
        return True
    if isinstance(value, ast.Call):
        func = value.func
        return (func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")) == "partial"
    return False


def _absolute(module: _Module, name: str | None, level: int) -> str:
    if not level:
        return name or ""
    parts = module.name.split(".")
    keep = len(parts) - level + (1 if module.is_package else 0)
    base = ".".join(parts[: max(keep, 0)])
    return f"{base}.{name}" if name else base


def _strings(value: ast.expr | None) -> list[str] | None:
    if not isinstance(value, (ast.List, ast.Tuple)):
        return None
    return [e.value for e in value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]


def _public_entries(modules: dict[str, _Module], package: str) -> list[tuple[str, str]]:
    aliases = _aliases(modules)
    entries = []
    for module in modules.values():
        if _private(module.name):
            continue
        for name in _exports(module, modules, set()):
            if name.startswith("_"):
                continue
            path = f"{module.name}.{name}"
            target = _definition(path, aliases)
            if target.split(".", 1)[0] == package and target not in modules:  # not a module
                entries.append((path, target))
    return entries


def _aliases(modules: dict[str, _Module]) -> dict[str, str]:
    """Each re-exported path → the path it re-exports, `import *` included."""
    aliases = {f"{m.name}.{n}": t for m in modules.values() for n, t in m.imported.items()}
    for module in modules.values():
        for source in module.wildcards:
            found = modules.get(source)
            for name in _exports(found, modules, {module.name}) if found is not None else ():
                if name not in module.defined:
                    aliases.setdefault(f"{module.name}.{name}", f"{source}.{name}")
    return aliases


def _exports(module: _Module, modules: dict[str, _Module], seen: set[str]) -> set[str]:
    """The names a module offers: `__all__` when it has one; else what it defines, and for a package
    what it imports from its own package too (its re-exports), and what `import *` brings."""
    seen.add(module.name)
    if module.all is not None:
        return set(module.all)
    names = set(module.defined)
    if module.is_package:
        top = module.name.split(".", 1)[0]
        names.update(n for n, t in module.imported.items() if t.split(".", 1)[0] == top)
    for source in module.wildcards:
        found = modules.get(source)
        if found is not None and source not in seen:
            names.update(n for n in _exports(found, modules, seen) if not n.startswith("_"))
    return names


def _private(dotpath: str) -> bool:
    return any(part.startswith("_") for part in dotpath.split("."))


def _definition(path: str, aliases: dict[str, str]) -> str:
    """Follow re-exports from `path` to where the object is defined (bounded: import cycles exist)."""
    for _ in range(MAX_CHAIN):
        following = aliases.get(path)
        if following is None:
            return path
        path = following
    return path
