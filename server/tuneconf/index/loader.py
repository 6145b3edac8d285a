"""A lazy loader around griffe's module visitor: one module at a time, only the ones a dotpath needs.

griffe's `load` loads whole packages (all of torch: ~34 s); we visit single files and follow,
ourselves, what a dotpath goes through: re-exports in `__init__.py`, `from x import *`, `a = b`
rebinding, `functools.partial(f, ...)`, and later `X.__doc__ = ...` assignments. Nothing is imported.
"""

from __future__ import annotations

import ast
import inspect
import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import griffe

from tuneconf.index.modules import ModuleFile, ModuleFinder
from tuneconf.index.records import Status

log = logging.getLogger(__name__)
logging.getLogger("griffe").setLevel(logging.ERROR)

MAX_STEPS = 200
MAX_SECONDS = 5.0
MAX_SOURCE_BYTES = 4_000_000
PARTIAL_PATHS = {"functools.partial", "partial"}


class Missing(Exception):
    """A dotpath that does not resolve: why, at which segment, and what exists there."""

    def __init__(self, status: Status, segment: int, candidates: list[str] | None = None, message: str = "") -> None:
        super().__init__(message or status.value)
        self.status = status
        self.segment = segment
        self.candidates = candidates or []
        self.message = message


@dataclass
class Visited:
    """One module file, visited by griffe (None for namespace packages and compiled modules)."""

    file: ModuleFile
    module: griffe.Module | None
    lines: list[str] = field(default_factory=list)
    assigned_docs: dict[str, str] = field(default_factory=dict)
    error: str = ""


@dataclass
class ModuleRef:
    path: str
    visited: Visited


@dataclass
class ObjRef:
    path: str
    obj: griffe.Object
    visited: Visited


@dataclass
class PartialRef:
    path: str
    func: Ref
    args: int
    keywords: dict[str, str]
    attribute: griffe.Attribute
    visited: Visited


@dataclass
class CompiledRef:
    path: str
    file: Path | None


Ref = ModuleRef | ObjRef | PartialRef | CompiledRef


class Budget:
    """Bounds one resolution in steps (modules visited, aliases followed) and time."""

    def __init__(self, steps: int = MAX_STEPS, seconds: float = MAX_SECONDS) -> None:
        self.steps = steps
        self.deadline = time.monotonic() + seconds

    def spend(self, segment: int) -> None:
        self.steps -= 1
        if self.steps < 0 or time.monotonic() > self.deadline:
            raise Missing(Status.UNREADABLE, segment, message="resolution went too deep (a cyclic re-export?)")


class Loader:
    def __init__(self, finder: ModuleFinder) -> None:
        self.finder = finder
        self._visited: dict[str, Visited | None] = {}
        self.touched: set[Path] = set()
        """Files read (or reused) since the caller last cleared it: what a result depends on."""

    def forget_missing(self) -> None:
        """Look again for the modules not found so far (the finder searches a new folder)."""
        self._visited = {name: v for name, v in self._visited.items() if v is not None}

    # -- modules ---------------------------------------------------------------------------------

    def visit(self, name: str) -> Visited | None:
        """The module `name`, visited once and cached (None when no such module exists)."""
        if name in self._visited:
            visited = self._visited[name]
        else:
            file = self.finder.find(name)
            visited = None if file is None else self._visit_file(file)
            self._visited[name] = visited
        if visited is not None and visited.file.path is not None:
            self.touched.add(visited.file.path)
        return visited

    def _visit_file(self, file: ModuleFile) -> Visited:
        if file.path is None or file.compiled:
            return Visited(file, None)
        try:
            if file.path.stat().st_size > MAX_SOURCE_BYTES:
                return Visited(file, None, error="module too large to read")
            code = file.path.read_text(encoding="utf-8", errors="replace")
            module = griffe.visit(file.name.rsplit(".", 1)[-1], file.path, code, parent=self._parents(file.name))
        except (OSError, SyntaxError, ValueError, RecursionError) as exc:
            return Visited(file, None, error=f"cannot read {file.path.name}: {_first_line(exc)}")
        lines = code.splitlines()
        return Visited(file, module, lines, _assigned_docs(code) if ".__doc__" in code else {})

    def _parents(self, name: str) -> griffe.Module | None:
        """Stub parent packages, so that griffe resolves relative imports as Python does."""
        parent: griffe.Module | None = None
        parts = name.split(".")[:-1]
        for index, part in enumerate(parts):
            found = self.finder.find(".".join(parts[: index + 1]))
            path = found.path if found is not None and found.path is not None else None
            parent = griffe.Module(part, filepath=path, parent=parent)
        return parent

    # -- dotpaths --------------------------------------------------------------------------------

    def lookup(self, dotpath: str, budget: Budget, offset: int = 0) -> Ref:
        """What `dotpath` names. Raises Missing; `offset` numbers segments for nested lookups."""
        parts = dotpath.split(".")
        top = self.visit(parts[0])
        if top is None and parts[0] in sys.builtin_module_names:  # `builtins`, `_functools`: no file at all
            ref: Ref = CompiledRef(parts[0], None)
            for index in range(1, len(parts)):
                ref = self.child(ref, parts[index], budget, offset + index)
            return ref
        if top is None:
            raise Missing(Status.NOT_INSTALLED, offset, self.finder.top_level_names())
        ref = ModuleRef(parts[0], top) if not top.file.compiled else CompiledRef(parts[0], top.file.path)
        for index in range(1, len(parts)):
            budget.spend(offset + index)
            ref = self.child(ref, parts[index], budget, offset + index)
        return ref

    def child(self, ref: Ref, name: str, budget: Budget, segment: int) -> Ref:
        """`ref.name`: a member first, then a submodule, as torchtune's getattr-then-import does."""
        if isinstance(ref, CompiledRef):
            return CompiledRef(f"{ref.path}.{name}", ref.file)
        ref = self.settle(ref, budget, segment)
        if isinstance(ref, ModuleRef):
            return self._module_child(ref, name, budget, segment)
        if isinstance(ref, ObjRef) and isinstance(ref.obj, griffe.Class):
            member = ref.obj.members.get(name)
            if isinstance(member, griffe.Object):
                return ObjRef(f"{ref.path}.{name}", member, ref.visited)
            raise Missing(Status.UNKNOWN_MEMBER, segment, sorted(ref.obj.members))
        raise Missing(Status.UNKNOWN_MEMBER, segment, [], f"{ref.path} has no members")

    def _module_child(self, ref: ModuleRef, name: str, budget: Budget, segment: int) -> Ref:
        # A submodule first: it costs a stat, and a package attribute of the same name is nearly
        # always that submodule (torchtune's getattr-then-import finds the same object).
        if ref.visited.file.is_package and self.finder.find(f"{ref.path}.{name}") is not None:
            sub = self.visit(f"{ref.path}.{name}")
            assert sub is not None
            if sub.file.compiled:
                return CompiledRef(f"{ref.path}.{name}", sub.file.path)
            return ModuleRef(f"{ref.path}.{name}", sub)
        module = ref.visited.module
        member = module.members.get(name) if module is not None else None
        if member is not None:
            if isinstance(member, griffe.Alias):
                return self._follow(member.target_path, budget, segment)
            return ObjRef(f"{ref.path}.{name}", member, ref.visited)
        wildcard = self._from_wildcards(ref, name, budget, segment)
        if wildcard is not None:
            return wildcard
        if ref.visited.error:
            raise Missing(Status.UNREADABLE, segment, [], ref.visited.error)
        raise Missing(Status.UNKNOWN_MEMBER, segment, self.member_names(ref.visited))

    def _follow(self, target: str, budget: Budget, segment: int) -> Ref:
        budget.spend(segment)
        try:
            return self.lookup(target, budget)
        except Missing as missing:
            status = missing.status if missing.status is Status.UNREADABLE else Status.UNKNOWN_MEMBER
            message = missing.message or f"it is re-exported from {target}, which does not resolve"
            raise Missing(status, segment, [], message) from None

    def _from_wildcards(self, ref: ModuleRef, name: str, budget: Budget, segment: int) -> Ref | None:
        module = ref.visited.module
        if module is None:
            return None
        for member in reversed(list(module.members.values())):
            wildcard = getattr(member, "wildcard", None) if member.is_alias else None
            if not wildcard:
                continue
            budget.spend(segment)
            source = self.visit(wildcard)
            if source is not None and name in self.exported_names(source):
                return self._follow(f"{wildcard}.{name}", budget, segment)
        return None

    def settle(self, ref: Ref, budget: Budget, segment: int) -> Ref:
        """Follow `a = b` rebinding and recognise `functools.partial(f, ...)` assignments."""
        while isinstance(ref, ObjRef) and isinstance(ref.obj, griffe.Attribute):
            value = ref.obj.value
            if isinstance(value, griffe.ExprCall) and _canonical(value.function) in PARTIAL_PATHS:
                return self._partial(ref, value, budget, segment)
            if isinstance(value, (griffe.ExprName, griffe.ExprAttribute)):
                budget.spend(segment)
                ref = self.lookup(value.canonical_path, budget, segment)
                continue
            return ref
        return ref

    def _partial(self, ref: ObjRef, call: griffe.ExprCall, budget: Budget, segment: int) -> Ref:
        positional = [a for a in call.arguments if not isinstance(a, (griffe.ExprKeyword, griffe.ExprVarKeyword))]
        keywords = {a.name: str(a.value) for a in call.arguments if isinstance(a, griffe.ExprKeyword)}
        if not positional:
            return ref
        func = self.settle(self.lookup(_canonical(positional[0]), budget, segment), budget, segment)
        assert isinstance(ref.obj, griffe.Attribute)
        return PartialRef(ref.path, func, len(positional) - 1, keywords, ref.obj, ref.visited)

    # -- listings --------------------------------------------------------------------------------

    def member_names(self, visited: Visited) -> list[str]:
        names = set(visited.module.members) if visited.module is not None else set()
        names.update(self.finder.submodules(visited.file))
        return sorted(n for n in names if "/" not in n)

    def exported_names(self, visited: Visited) -> list[str]:
        """What `from module import *` brings: `__all__` when given, else the public names."""
        module = visited.module
        if module is None:
            return []
        exports = module.exports
        if exports is not None:
            return [str(e) for e in exports]
        return [n for n in module.members if not n.startswith("_") and "/" not in n]


def _canonical(expr: object) -> str:
    return str(getattr(expr, "canonical_path", expr))


def _assigned_docs(code: str) -> dict[str, str]:
    """`name.__doc__ = "..."` assignments at module level (torchtune documents partial builders so)."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError):
        return {}
    docs: dict[str, str] = {}
    for node in tree.body:
        if not isinstance(node, ast.Assign) or not isinstance(node.value, ast.Constant):
            continue
        for target in node.targets:
            if (
                isinstance(target, ast.Attribute)
                and target.attr == "__doc__"
                and isinstance(target.value, ast.Name)
                and isinstance(node.value.value, str)
            ):
                docs[target.value.id] = inspect.cleandoc(node.value.value)
    return docs


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
