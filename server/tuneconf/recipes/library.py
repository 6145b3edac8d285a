"""Following the config into torchtune's own code, as the recipe is read (never imported).

A recipe that hands `cfg`, or a part of it, to a callable it imports from torchtune
(full_finetune_distributed: `CheckpointClient(cfg)`) has that callable read by the same walker
(recipes/walker.py) with its parameters bound to the paths passed: what it reads and instantiates counts
as the recipe's, at the recipe's call-site line (lines refer to the recipe file). Names are resolved
through the module's own `import` / `from … import` statements, then a package's re-exports
(`from torchtune.training import CheckpointClient`); files are found by index/modules.py's ModuleFinder.

Followed: torchtune's modules and modules in the recipe's own folder; top-level functions, and classes
through their own `__init__` (with the methods that read what it keeps on `self`: optional reads, as
they may never run); at most MAX_DEPTH calls deep and MAX_FILES modules per recipe. Not followed (where
the whole config goes to it, it escapes, as before): a callable that cannot be found or read, lives
elsewhere (omegaconf, torch), is a class without its own `__init__`, takes the config through `*args` or
`**kwargs`, or itself hands the config to such code.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tuneconf.files import read_text
from tuneconf.index.modules import ModuleFinder
from tuneconf.recipes.analysis import MAX_RECIPE_BYTES, Constant, constants_of
from tuneconf.recipes.usage import RecipeUsage, Value
from tuneconf.recipes.walker import FunctionNode, Learnt, Outside, Scope, class_methods, fixpoint, functions_of

MAX_DEPTH = 3
"""Calls followed from the recipe into library code, and on from there (the checkpoint client: 2)."""
MAX_FILES = 32
"""Library modules read for one recipe (full_finetune_distributed: 6)."""
MAX_CACHED = 256
LIBRARY_ROOTS = frozenset({"torchtune"})

Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


@dataclass(frozen=True)
class Module:
    """One parsed module: what the walker needs, and its names (imports, top-level definitions)."""

    name: str
    """Dotted name ("" for a recipe run as a script: no relative imports)."""
    path: Path
    is_package: bool
    functions: dict[str, list[FunctionNode]]
    constants: dict[str, str]
    imports: dict[str, str]
    """Local name → the absolute dotted name it was imported as."""
    definitions: dict[str, Definition]
    methods: dict[int, list[FunctionNode]]
    """id(method) → the methods of its class."""


def module_of(name: str, path: Path, is_package: bool, tree: ast.Module, constant: Constant | None) -> Module:
    definitions: dict[str, Definition] = {}
    top = list(_top_level(tree.body))
    for node in top:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            definitions[node.name] = node
    methods = class_methods(top)
    imports = _imports(tree, name, is_package)
    return Module(
        name, path, is_package, functions_of(tree), constants_of(tree, constant), imports, definitions, methods
    )


class Library:
    """Library modules parsed once per file version, shared by every recipe a Catalog analyses."""

    def __init__(self, finder: ModuleFinder, constant: Constant | None = None) -> None:
        self.finder = finder
        self.constant = constant
        self._parsed: dict[Path, tuple[int, Module | None]] = {}

    def session(self, recipe: Path, tree: ast.Module) -> Session:
        """Following for one analysis of the recipe in `recipe` (parsed as `tree`)."""
        return Session(self, Module("", recipe, False, {}, {}, _imports(tree, "", False), {}, {}))

    def parsed(self, name: str, path: Path, is_package: bool) -> Module | None:
        """The module in `path`, parsed (None: unreadable, too big, not Python), remembered by mtime."""
        try:
            stamp = path.stat().st_mtime_ns
        except OSError:
            return None
        hit = self._parsed.get(path)
        if hit is not None and hit[0] == stamp and (hit[1] is None or hit[1].name == name):
            return hit[1]
        module = None
        source, _ = read_text(path, MAX_RECIPE_BYTES)
        if source is not None:
            try:
                module = module_of(name, path, is_package, ast.parse(source), self.constant)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                module = None
        if len(self._parsed) >= MAX_CACHED:
            self._parsed.pop(next(iter(self._parsed)))
        self._parsed[path] = (stamp, module)
        return module


class Session:
    """What one recipe's analysis follows: modules looked up and calls followed, each once."""

    def __init__(self, library: Library, recipe: Module) -> None:
        self.library = library
        self.folder = recipe.path.parent
        self.modules: dict[str, Module | None] = {}
        self.followed: dict[tuple[object, ...], RecipeUsage | None] = {}
        self.busy: set[tuple[object, ...]] = set()
        self.outside = self.outside_of(recipe, 1)

    def outside_of(self, module: Module, depth: int) -> Outside:
        """What a call out of `module` (`depth` calls from the recipe) reads, where it can be followed."""

        def outside(
            func: ast.expr, values: list[Value | None], keywords: dict[str, Value | None]
        ) -> RecipeUsage | None:
            if depth > MAX_DEPTH:
                return None
            dotted = _dotted(module, func)
            found = self.resolve(dotted, MAX_DEPTH) if dotted else None
            return self.follow(found[0], found[1], values, keywords, depth) if found else None

        return outside

    def resolve(self, dotted: str, hops: int) -> tuple[Module, Definition] | None:
        """The function or class a dotted name defines, through re-exports (`hops` of them at most)."""
        parts = dotted.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = self.module(".".join(parts[:cut]))
            if module is None:
                continue
            name, rest = parts[cut], parts[cut + 1 :]
            definition = module.definitions.get(name)
            if definition is not None:
                return (module, definition) if not rest else None
            imported = module.imports.get(name)
            if imported is None or hops <= 0:
                return None
            return self.resolve(".".join([imported, *rest]), hops - 1)
        return None

    def module(self, name: str) -> Module | None:
        """A module in the recipe's folder (first, as the script's folder is first on sys.path) or in
        torchtune; None elsewhere, unreadable, or past MAX_FILES."""
        if name in self.modules:
            return self.modules[name]
        found: Module | None = None
        if sum(m is not None for m in self.modules.values()) < MAX_FILES:
            local = self.folder.joinpath(*name.split("."))
            for path, package in ((local.with_name(local.name + ".py"), False), (local / "__init__.py", True)):
                if path.is_file():
                    found = self.library.parsed(name, path, package)
                    break
            else:
                found = self._installed(name)
        self.modules[name] = found
        return found

    def _installed(self, name: str) -> Module | None:
        if name.partition(".")[0] not in LIBRARY_ROOTS:
            return None
        spec = self.library.finder.find(name)
        if spec is None or spec.path is None or spec.compiled or spec.path.suffix != ".py":
            return None
        return self.library.parsed(name, spec.path, spec.is_package)

    def follow(
        self,
        module: Module,
        definition: Definition,
        values: list[Value | None],
        keywords: dict[str, Value | None],
        depth: int,
    ) -> RecipeUsage | None:
        """What `definition` reads of the paths passed (None: they cannot be bound to its parameters)."""
        entry = _entry(definition)
        bindings = _bindings(entry, values, keywords, isinstance(definition, ast.ClassDef)) if entry else None
        if entry is None or bindings is None:
            return None
        key = (id(entry), tuple(sorted((p, v.path, v.optional) for (_, p), (v, _) in bindings.items())))
        if key in self.followed:
            return self.followed[key]
        if key in self.busy:
            return RecipeUsage(module.path)  # a recursive call: the outer one collects what it reads
        self.busy.add(key)
        usage = RecipeUsage(module.path)
        scope = Scope(module.functions, module.constants, self.outside_of(module, depth + 1), module.methods)
        fixpoint(usage, scope, bindings)
        self.busy.discard(key)
        self.followed[key] = usage
        return usage


def _entry(definition: Definition) -> FunctionNode | None:
    """The function a call runs: the function itself, or a class's own `__init__`."""
    if not isinstance(definition, ast.ClassDef):
        return definition
    return next((i for i in definition.body if isinstance(i, ast.FunctionDef) and i.name == "__init__"), None)


def _bindings(
    fn: FunctionNode, values: list[Value | None], keywords: dict[str, Value | None], method: bool
) -> Learnt | None:
    """The parameters of `fn` bound to the paths passed; None where the whole config cannot be bound to a
    named parameter (`*args`, `**kwargs`), or nothing is bound."""
    positional = [a.arg for a in [*fn.args.posonlyargs, *fn.args.args]][1 if method else 0 :]
    named = set(positional) | {a.arg for a in fn.args.kwonlyargs}
    bindings: Learnt = {}
    passed = [(positional[i] if i < len(positional) else None, v) for i, v in enumerate(values)]
    passed += [(k if k in named else None, v) for k, v in keywords.items()]
    for param, value in passed:
        if value is None:
            continue
        if param is None:
            if value.path == ():
                return None
            continue
        bindings[(id(fn), param)] = (value, False)
    return bindings or None


def _dotted(module: Module, func: ast.expr) -> str | None:
    """The absolute dotted name of `name` or `name.attr…` as imported in `module`."""
    attributes: list[str] = []
    while isinstance(func, ast.Attribute):
        attributes.append(func.attr)
        func = func.value
    if not isinstance(func, ast.Name) or func.id not in module.imports:
        return None
    return ".".join([module.imports[func.id], *reversed(attributes)])


def _imports(tree: ast.Module, name: str, is_package: bool) -> dict[str, str]:
    """Local name → absolute dotted name, for the module's top-level imports (in `if` / `try` too)."""
    found: dict[str, str] = {}
    for node in _top_level(tree.body):
        if isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.partition(".")[0]
                found.setdefault(local, alias.name if alias.asname else local)
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(name, node, is_package)
            for alias in node.names:
                if source and alias.name != "*":
                    found.setdefault(alias.asname or alias.name, f"{source}.{alias.name}")
    return found


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The module's statements, and those in its top-level `if` / `try` blocks (not in functions)."""
    for node in body:
        yield node
        if isinstance(node, ast.If):
            yield from _top_level([*node.body, *node.orelse])
        elif isinstance(node, ast.Try):
            yield from _top_level(
                [*node.body, *[s for h in node.handlers for s in h.body], *node.orelse, *node.finalbody]
            )


def _absolute(module: str, node: ast.ImportFrom, is_package: bool) -> str | None:
    """The module a `from … import` names, relative ones resolved against `module`."""
    if node.level == 0:
        return node.module
    parts = module.split(".") if module else []
    base = parts if is_package else parts[:-1]
    if not module or node.level - 1 > len(base):
        return None
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base) or None
