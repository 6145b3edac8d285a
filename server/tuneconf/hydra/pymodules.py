"""A Hydra project's own Python modules, as hydra/callsites.py follows its config through them: each file
parsed once (never imported), and what a name in one module stands for among the project's functions,
classes and modules (`from src.utils import instantiate_callbacks`, a re-export in a package's
`__init__.py`, `from . import helpers`, `import src.train as t`).

Modules are looked for under the workspace folders (and their src/) and the entry file's folder, the
way `python src/train.py` or a `rootutils`-style root on `sys.path` finds them; anything else (the
installed libraries) is not the project's and is not followed. At most `max_files` files are read and
imports are followed `max_depth` hops from the entry file.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tuneconf.hydra.astnames import Aliases, import_aliases, parse_file

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
MAX_FILES = 64
MAX_DEPTH = 4
_MAX_HOPS = 8
"""Re-exports followed to find where a name is defined."""


@dataclass(eq=False)
class PyModule:
    """One parsed file of the project."""

    file: Path
    tree: ast.Module
    aliases: Aliases
    depth: int
    """Import hops from the entry file."""
    functions: dict[str, FunctionNode] = field(default_factory=dict)
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for node in self.tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions[node.name] = node
            elif isinstance(node, ast.ClassDef):
                self.classes[node.name] = node


@dataclass(frozen=True, eq=False)
class Target:
    """What a name stands for: a function, a class or a module of the project."""

    module: PyModule
    function: FunctionNode | None = None
    cls: ast.ClassDef | None = None


class PyModules:
    """The project's modules, loaded on demand."""

    def __init__(self, roots: Sequence[Path], max_files: int = MAX_FILES, max_depth: int = MAX_DEPTH) -> None:
        self.roots = [r.absolute() for r in roots]
        self.max_files = max_files
        self.max_depth = max_depth
        self.loaded: dict[Path, PyModule | None] = {}

    def load(self, file: Path, depth: int) -> PyModule | None:
        """The parsed file; None when unreadable, not Python, or past the limits."""
        file = file.absolute()
        if file in self.loaded:
            return self.loaded[file]
        if depth > self.max_depth or len(self.loaded) >= self.max_files:
            return None
        parsed = parse_file(file)
        module = PyModule(file, parsed[0], import_aliases(parsed[0]), depth) if parsed is not None else None
        self.loaded[file] = module
        return module

    def files(self) -> tuple[Path, ...]:
        return tuple(f for f, m in self.loaded.items() if m is not None)

    def module_file(self, name: str, importer: PyModule) -> Path | None:
        """The file of module `name` ("src.utils", or relative "..utils" from `importer`)."""
        stripped = name.lstrip(".")
        level = len(name) - len(stripped)
        parts = [p for p in stripped.split(".") if p]
        if level:
            base = importer.file.parent
            for _ in range(level - 1):
                base = base.parent
            bases = [base]
        else:
            bases = [b for root in [*self.roots, importer.file.parent] for b in (root, root / "src")]
        for base in bases:
            candidate = base.joinpath(*parts)
            for file in (candidate.with_suffix(".py") if parts else None, candidate / "__init__.py"):
                if file is not None and file.is_file():
                    return file
        return None

    def resolve(self, name: str, module: PyModule) -> Target | None:
        """What local `name` in `module` stands for; None when it is not the project's."""
        return self._local(name, module, _MAX_HOPS)

    def resolve_attribute(self, target: Target, attribute: str) -> Target | None:
        """`<module>.attribute`: a function, class, submodule or re-exported name of a project module."""
        if target.function is not None or target.cls is not None:
            return None
        return self._member(target.module, attribute, _MAX_HOPS)

    def _local(self, name: str, module: PyModule, hops: int) -> Target | None:
        if name in module.functions:
            return Target(module, function=module.functions[name])
        if name in module.classes:
            return Target(module, cls=module.classes[name])
        imported = module.aliases.get(name)
        if imported is None or hops <= 0:
            return None
        return self._dotted(imported, module, hops - 1)

    def _dotted(self, name: str, importer: PyModule, hops: int) -> Target | None:
        """`a.b.c` imported into `importer`: the longest prefix that is a module, then its members."""
        stripped = name.lstrip(".")
        dots = name[: len(name) - len(stripped)]
        parts = stripped.split(".") if stripped else []
        for cut in range(len(parts), -1, -1):
            if cut == 0 and not dots:
                break
            file = self.module_file(dots + ".".join(parts[:cut]), importer)
            if file is None:
                continue
            loaded = self.load(file, importer.depth + 1)
            if loaded is None:
                return None
            target: Target | None = Target(loaded)
            for attribute in parts[cut:]:
                target = self._member(target.module, attribute, hops) if target is not None else None
            return target
        return None

    def _member(self, module: PyModule, attribute: str, hops: int) -> Target | None:
        if module.file.name == "__init__.py":
            file = _submodule(module.file.parent, attribute)
            if file is not None and attribute not in module.functions and attribute not in module.classes:
                loaded = self.load(file, module.depth + 1)
                if loaded is not None:
                    return Target(loaded)
        return self._local(attribute, module, hops)


def _submodule(package: Path, name: str) -> Path | None:
    for file in (package / f"{name}.py", package / name / "__init__.py"):
        if file.is_file():
            return file
    return None
