"""Import-time dependencies: a package that importing a component's module needs but is not installed.

`config.instantiate` imports the component's module, its packages' `__init__`s and everything they
import at module level. This follows those imports statically (ast, never importing) within the
component's own top-level package, and checks that every other top-level package named on the way
is found by the index's ModuleFinder. Only unconditional module-level imports count: one inside
`try`, `if` (TYPE_CHECKING, version or platform checks), `with`, a function or a class may never run.
A module that cannot be read is passed over (nothing is said about what it would import).

Reading a chain takes long the first time (torch's ~690 modules, ~1.4 s), so it has its own lock, not
the index's: a check asks `known` (never waits) and defers the dotpath as a `request`, which the
index's background thread reads; completion and hover never wait behind it.
"""

from __future__ import annotations

import ast
import sys
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tuneconf.index.cache import DiskCache
from tuneconf.index.modules import ModuleFile, ModuleFinder

MAX_MODULES = 3000
"""Modules of the component's package followed for one component at most (torchtune: ~400)."""
MAX_FILE_BYTES = 2_000_000
REQUEST = "imports:"
"""The prefix of a pending entry asking for a dotpath's import chain (a dotpath has no colon)."""


@dataclass(frozen=True)
class ImportLine:
    module: str
    """The absolute module name imported (`a.b` for `import a.b` and for `from a.b import c`)."""
    names: tuple[str, ...]
    """For `from m import x, y`: x, y (each may be a submodule); empty for `import m`."""
    line: int
    """1-based."""
    text: str


@dataclass(frozen=True)
class MissingImport:
    package: str
    """The top-level package that is not installed."""
    file: Path
    line: int
    text: str
    via: str
    """The module (in the component's package) whose import line names it."""

    def describe(self) -> str:
        return f"'{self.package}' is not installed ({self.file}:{self.line}: {self.text})"


@dataclass(frozen=True)
class Checked:
    """A dotpath's import chain, read: the first package it needs that is not installed, if any."""

    missing: MissingImport | None


def request(dotpath: str) -> str:
    return REQUEST + dotpath


def requested(entry: str) -> str | None:
    """The dotpath a pending entry asks the import chain of, or None for another entry."""
    return entry[len(REQUEST) :] if entry.startswith(REQUEST) else None


class ImportChecker:
    def __init__(self, finder: ModuleFinder, cache: DiskCache | None = None) -> None:
        self.finder = finder
        self.cache = cache
        self._imports: dict[str, tuple[ImportLine, ...] | None] = {}
        """Per module: its unconditional module-level imports; None when it cannot be read."""
        self._results: dict[tuple[str, ...], MissingImport | None] = {}
        """Per chain of modules imported to reach a component (`torch`, `torch.optim`)."""
        self._checked: dict[str, Checked] = {}
        self._lock = threading.Lock()

    def known(self, dotpath: str) -> Checked | None:
        """What is known already, without reading anything (None: not read yet)."""
        return self._checked.get(dotpath)

    def check(self, dotpath: str) -> Checked:
        """Read `dotpath`'s import chain (once; files are cached on disk) and say what it lacks."""
        known = self._checked.get(dotpath)
        if known is not None:
            return known
        with self._lock:
            if dotpath not in self._checked:
                starts = tuple(name for name in _prefixes(dotpath) if self.finder.find(name) is not None)
                if starts not in self._results:
                    self._results[starts] = self._follow(starts)
                self._checked[dotpath] = Checked(self._results[starts])
            return self._checked[dotpath]

    def forget(self) -> None:
        """After a new module root: a package that was missing may be found now."""
        with self._lock:
            self._checked.clear()
            self._results.clear()

    def _follow(self, starts: tuple[str, ...]) -> MissingImport | None:
        top = starts[0].split(".", 1)[0] if starts else ""
        queue = deque(starts)
        seen = set(queue)
        while queue and len(seen) <= MAX_MODULES:
            name = queue.popleft()
            found = self.finder.find(name)
            for imp in self._lines(name, found):
                if imp.module.split(".", 1)[0] != top:
                    absent = self._absent(imp)
                    if absent is not None and found is not None and found.path is not None:
                        return MissingImport(absent, found.path, imp.line, imp.text, name)
                    continue
                for inner in _imported(imp, self.finder):
                    if inner not in seen:
                        seen.add(inner)
                        queue.append(inner)
        return None

    def _absent(self, imp: ImportLine) -> str | None:
        top = imp.module.split(".", 1)[0]
        if top in sys.stdlib_module_names or top == "__future__" or self.finder.find(top) is not None:
            return None
        return top

    def _lines(self, name: str, found: ModuleFile | None) -> tuple[ImportLine, ...]:
        if found is None:
            return ()
        if name not in self._imports:
            self._imports[name] = self._cached(found)
        return self._imports[name] or ()

    def _cached(self, found: ModuleFile) -> tuple[ImportLine, ...] | None:
        """From the disk cache while the file is unchanged; a module that cannot be read is not kept."""
        path = found.path
        if self.cache is None or path is None:
            return _read(found)
        try:
            kept = self.cache.get_imports(found.name, path)
            if kept is not None:
                return tuple(ImportLine(m, tuple(names), line, text) for m, names, line, text in kept)
        except (TypeError, ValueError):
            pass  # an entry of another shape: read the file again
        lines = _read(found)
        if lines is not None:
            self.cache.put_imports(found.name, path, [[i.module, list(i.names), i.line, i.text] for i in lines])
        return lines


def _prefixes(dotpath: str) -> list[str]:
    parts = dotpath.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def _imported(imp: ImportLine, finder: ModuleFinder) -> Iterator[str]:
    """The modules of the package that `imp` imports: the module, its parents, and the names that are
    submodules (`from a import b` imports a.b when it is one)."""
    yield from (p for p in _prefixes(imp.module) if finder.find(p) is not None)
    for name in imp.names:
        sub = f"{imp.module}.{name}"
        if name != "*" and finder.find(sub) is not None:
            yield sub


def _read(found: ModuleFile) -> tuple[ImportLine, ...] | None:
    """The unconditional module-level imports of a source module; () for a namespace package, a stub
    or a compiled module (nothing to follow); None when the file cannot be read or parsed."""
    path = found.path
    if path is None or found.compiled or path.suffix != ".py":
        return ()
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source, str(path))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError, RecursionError):
        return None
    lines = source.splitlines()
    package = found.name if found.is_package else found.name.rpartition(".")[0]
    result: list[ImportLine] = []
    for stmt in tree.body:  # the module's own statements only: nothing nested can be certain to run
        text = lines[stmt.lineno - 1].strip() if stmt.lineno <= len(lines) else ""
        if isinstance(stmt, ast.Import):
            result += [ImportLine(alias.name, (), stmt.lineno, text) for alias in stmt.names]
        elif isinstance(stmt, ast.ImportFrom):
            base = _absolute(stmt, package)
            if base is not None:
                result.append(ImportLine(base, tuple(a.name for a in stmt.names), stmt.lineno, text))
    return tuple(result)


def _absolute(stmt: ast.ImportFrom, package: str) -> str | None:
    """The absolute module of `from ... import`, relative imports resolved against `package`."""
    if stmt.level == 0:
        return stmt.module
    parts = package.split(".") if package else []
    if stmt.level - 1 > len(parts) - 1 or not parts:
        return None  # beyond the top-level package: fails at run time anyway, not ours to say
    base = parts[: len(parts) - (stmt.level - 1)]
    return ".".join([*base, stmt.module] if stmt.module else base)
