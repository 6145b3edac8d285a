"""Where a Hydra project starts, read from its Python code with `ast` (never imported): its entry points
(`@hydra.main(...)`, `initialize(...)` / `initialize_config_dir(...)` / `initialize_config_module(...)`
with `compose(config_name=...)`) and the config folder and primary config each names; the custom
resolvers it registers (`OmegaConf.register_new_resolver("name", ...)`); and the folders its
`hydra.searchpath` adds.

Hydra's rules, as hydra/main.py and hydra/initialize.py apply them: `config_path` is relative to the
declaring file's folder (`pkg://a.b` names a package); when it is not given, it is that folder under
version_base 1.1 (or none given) and there is no config folder from 1.2 on (or `version_base=None`:
the installed version's defaults). `initialize_config_dir` needs an absolute folder. Lines are 0-based.
Only files whose text contains "hydra" are parsed for entry points, so a large workspace scans fast.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tuneconf.files import python_files, read_bytes
from tuneconf.hydra.astnames import (
    MAX_SOURCE_BYTES,
    Aliases,
    Constants,
    ancestors,
    dotted,
    import_aliases,
    module_constants,
    package_folder,
    parse_text,
    text_of,
)

_HYDRA = (b"hydra",)
_RESOLVER_NEEDLES = (b"register_new_resolver", b"register_resolver")
_MAIN = {"hydra.main"}
_INITIALIZE = {"hydra.initialize", "hydra.experimental.initialize"}
_INITIALIZE_DIR = {"hydra.initialize_config_dir", "hydra.experimental.initialize_config_dir"}
_INITIALIZE_MODULE = {"hydra.initialize_config_module", "hydra.experimental.initialize_config_module"}
_COMPOSE = {"hydra.compose", "hydra.experimental.compose"}
_REGISTER = ("OmegaConf.register_new_resolver", "OmegaConf.register_resolver")
_POSITIONS = {
    "main": ("config_path", "config_name", "version_base"),
    "initialize": ("config_path", "job_name", "caller_stack_depth", "version_base"),
    "initialize_dir": ("config_dir", "job_name", "version_base"),
    "initialize_module": ("config_module", "job_name", "version_base"),
    "compose": ("config_name", "overrides"),
}
"""Each call's parameters in order, for arguments passed by position."""


@dataclass(frozen=True)
class EntryPoint:
    file: Path
    """The .py file."""
    line: int
    """0-based line of the `@hydra.main(` decorator or the `initialize...(` call."""
    config_dir: Path | None
    """Absolute, resolved; None when `config_path=None` (or none under version_base ≥ 1.2) or unknown."""
    config_name: str | None
    """The primary config ("train", a ".yaml" suffix removed); None when not given."""
    version_base: str | None
    """"1.3" / "1.1"; "None" when `version_base=None` is passed; None when the argument is absent."""
    kind: str
    """"main" (@hydra.main) or "initialize" (initialize / initialize_config_dir / initialize_config_module)."""


@dataclass(frozen=True)
class _Module:
    file: Path
    tree: ast.Module
    aliases: Aliases
    constants: Constants
    roots: tuple[Path, ...]
    """Where `pkg://` packages are looked for, nearest first."""

    def name(self, node: ast.expr) -> str | None:
        return dotted(node, self.aliases)

    def text(self, node: ast.expr) -> str | None:
        return text_of(node, self.aliases, self.constants, self.file)


@dataclass
class Scan:
    """What one pass over a folder's Python files finds (each file read once, parsed only when needed)."""

    entries: list[EntryPoint]
    resolvers: dict[str, tuple[Path, int]]
    config_store: bool
    """Some file mentions Hydra's ConfigStore (groups and options may then exist that are no files)."""


def scan(folder: Path, max_files: int = 2000) -> Scan:
    """Entry points, registered resolvers and ConfigStore use in the Python files under `folder` (at most
    `max_files`; environments, caches and hidden folders skipped; files that do not parse skipped)."""
    result = Scan([], {}, False)
    for file in python_files(folder, max_files):
        data, _ = read_bytes(file, MAX_SOURCE_BYTES)  # regular files only (a FIFO named x.py must not block)
        if data is None:
            continue
        result.config_store = result.config_store or b"ConfigStore" in data
        entries, resolvers = b"hydra" in data, any(needle in data for needle in _RESOLVER_NEEDLES)
        parsed = parse_text(data.decode("utf-8-sig", errors="replace")) if entries or resolvers else None
        if parsed is None:
            continue
        module = _module(file, parsed[0], folder)
        if entries:
            result.entries.extend(_entries(module))
        if resolvers:
            for name, line in _resolvers(module):
                result.resolvers.setdefault(name, (file, line))
    return result


def entry_points(folder: Path, max_files: int = 2000) -> list[EntryPoint]:
    """Every Hydra entry point in the Python files under `folder` (see `scan`)."""
    return scan(folder, max_files).entries


def entry_points_in(file: Path, text: str) -> list[EntryPoint]:
    """The Hydra entry points of one file, given its text (an editor's unsaved buffer); none when the
    text does not mention hydra or does not parse."""
    if "hydra" not in text:
        return []
    parsed = parse_text(text)
    return _entries(_module(file, parsed[0], None)) if parsed is not None else []


def _module(file: Path, tree: ast.Module, top: Path | None) -> _Module:
    file = file.absolute()
    roots = ancestors(file)
    if top is not None:
        top = top.absolute()
        roots = [r for r in roots if r == top or top in r.parents] or [top]
    aliases = import_aliases(tree)
    return _Module(file, tree, aliases, module_constants(tree, aliases, file), tuple(roots))


def _entries(module: _Module) -> list[EntryPoint]:
    found: list[EntryPoint] = []
    for scope in _scopes(module.tree):
        calls = _calls_in(scope)
        composes = [c for c in calls if module.name(c.func) in _COMPOSE]
        for call in calls:
            name = module.name(call.func)
            if name in _MAIN:
                found.append(_main_entry(module, call))
            elif name in _INITIALIZE | _INITIALIZE_DIR | _INITIALIZE_MODULE:
                found.append(_initialize_entry(module, call, str(name), composes or _all_composes(module)))
    return sorted(found, key=lambda e: e.line)


def _scopes(tree: ast.Module) -> list[ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda]:
    """The module and every function in it: the places a call can sit directly in."""
    nested = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))]
    return [tree, *nested]


def _calls_in(scope: ast.AST) -> list[ast.Call]:
    """The calls directly in a scope (decorators of its functions included; their bodies not)."""
    found: list[ast.Call] = []
    pending: list[ast.AST] = [scope.body] if isinstance(scope, ast.Lambda) else list(getattr(scope, "body", []))
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Call):
            found.append(node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            pending.extend(node.decorator_list)
            if isinstance(node, ast.ClassDef):
                pending.extend(node.body)
            continue
        if isinstance(node, ast.Lambda):
            continue
        pending.extend(ast.iter_child_nodes(node))
    return sorted(found, key=lambda c: (c.lineno, c.col_offset))


def _all_composes(module: _Module) -> list[ast.Call]:
    return [n for n in ast.walk(module.tree) if isinstance(n, ast.Call) and module.name(n.func) in _COMPOSE]


def _argument(call: ast.Call, name: str, kind: str) -> ast.expr | None:
    """The argument passed for parameter `name` (by keyword, or by position in Hydra's order)."""
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    order = _POSITIONS[kind]
    index = order.index(name)
    if index < len(call.args) and not any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
        return call.args[index]
    return None


def _version_base(module: _Module, call: ast.Call, kind: str) -> str | None:
    node = _argument(call, "version_base", kind)
    if node is None:
        return None
    if isinstance(node, ast.Constant) and node.value is None:
        return "None"
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return str(node.value)
    return module.text(node)


def _at_least_1_2(version_base: str | None) -> bool:
    """Whether Hydra applies 1.2's defaults ("None": the installed version's, which is 1.3)."""
    if version_base is None:
        return False
    if version_base == "None":
        return True
    try:
        parts = tuple(int(p) for p in version_base.split(".")[:2])
    except ValueError:
        return True
    return parts >= (1, 2)


def _config_name(module: _Module, call: ast.Call | None, kind: str) -> str | None:
    node = _argument(call, "config_name", kind) if call is not None else None
    name = module.text(node) if node is not None else None
    if name is None:
        return None
    for suffix in (".yaml", ".yml"):
        name = name.removesuffix(suffix)
    return name


def _config_path(module: _Module, node: ast.expr | None, version_base: str | None) -> Path | None:
    """The folder `config_path` names, by Hydra's rule (see the module docstring)."""
    if node is None:
        text: str | None = None if _at_least_1_2(version_base) else "."
    elif isinstance(node, ast.Constant) and node.value is None:
        return None
    else:
        text = module.text(node)
    if text is None:
        return None
    if text.startswith("pkg://"):
        return package_folder(text.removeprefix("pkg://").replace("/", "."), module.roots)
    text = text.removeprefix("file://")
    base = Path(text) if os.path.isabs(text) else module.file.parent / text
    return base.resolve()


def _main_entry(module: _Module, call: ast.Call) -> EntryPoint:
    version = _version_base(module, call, "main")
    folder = _config_path(module, _argument(call, "config_path", "main"), version)
    name = _config_name(module, call, "main")
    return EntryPoint(module.file, call.lineno - 1, folder, name, version, "main")


def _initialize_entry(module: _Module, call: ast.Call, name: str, composes: list[ast.Call]) -> EntryPoint:
    compose = next((c for c in composes if _argument(c, "config_name", "compose") is not None), None)
    config_name = _config_name(module, compose, "compose")
    if name in _INITIALIZE:
        version = _version_base(module, call, "initialize")
        folder = _config_path(module, _argument(call, "config_path", "initialize"), version)
    elif name in _INITIALIZE_DIR:
        version = _version_base(module, call, "initialize_dir")
        node = _argument(call, "config_dir", "initialize_dir")
        text = module.text(node) if node is not None else None
        folder = Path(text).resolve() if text is not None and os.path.isabs(text) else None
    else:
        version = _version_base(module, call, "initialize_module")
        node = _argument(call, "config_module", "initialize_module")
        text = module.text(node) if node is not None else None
        folder = package_folder(text, module.roots) if text is not None else None
    return EntryPoint(module.file, call.lineno - 1, folder, config_name, version, "initialize")


def registered_resolvers(folder: Path, max_files: int = 2000) -> dict[str, tuple[Path, int]]:
    """Custom resolvers the project registers: name → (file, 0-based line) of the first
    `OmegaConf.register_new_resolver("name", ...)` (or `register_resolver`, or `name=...`) seen."""
    return scan(folder, max_files).resolvers


def _resolvers(module: _Module) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(module.tree):
        if not isinstance(node, ast.Call) or not (module.name(node.func) or "").endswith(_REGISTER):
            continue
        argument = next((k.value for k in node.keywords if k.arg == "name"), node.args[0] if node.args else None)
        resolver = module.text(argument) if argument is not None else None
        # a name computed at run time (a loop over a dict of resolvers): any name may be registered
        found.append((resolver or UNREAD_NAME, node.lineno - 1))
    return found


UNREAD_NAME = "*"
"""In `registered_resolvers`: a registration whose name is computed at run time."""


def searchpath_roots(entries: Sequence[str], primary_dir: Path, workspace: Sequence[Path]) -> list[Path]:
    """The existing folders that `hydra.searchpath` entries add: `file://path` or a plain path (an
    absolute one, else relative to the working directory, taken to be a workspace folder, then to the
    primary config folder), `pkg://a.b` (a folder a/b under a workspace folder or its src/). Entries with
    interpolations, other schemes or no folder are left out."""
    found: list[Path] = []
    for entry in entries:
        entry = entry.strip()
        if not entry or "${" in entry:
            continue
        if entry.startswith("pkg://"):
            folder = package_folder(entry.removeprefix("pkg://").replace("/", "."), [*workspace, primary_dir])
        elif "://" in entry and not entry.startswith("file://"):
            continue
        else:
            folder = _file_root(entry.removeprefix("file://"), primary_dir, workspace)
        if folder is not None and folder not in found:
            found.append(folder)
    return found


def _file_root(text: str, primary_dir: Path, workspace: Sequence[Path]) -> Path | None:
    if os.path.isabs(text):
        path = Path(text)
        return path.resolve() if path.is_dir() else None
    for base in [*workspace, primary_dir]:
        candidate = base / text
        if candidate.is_dir():
            return candidate.resolve()
    return None
