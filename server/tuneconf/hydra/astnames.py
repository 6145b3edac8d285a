"""Names and constant values in a Hydra project's Python source, read with `ast` (never imported): what
a local name stands for after the module's imports (`h.main` is `hydra.main` after `import hydra as h`),
the text of a string or path expression built from constants (`os.path.join(os.path.dirname(__file__),
"conf")`, `Path(__file__).parent / "conf"`), and where a dotted package lives among a few folders.

Shared by hydra/discover.py (entry points, resolvers) and hydra/callsites.py (what the code instantiates).
"""

from __future__ import annotations

import ast
import os
from collections.abc import Sequence
from pathlib import Path

from tuneconf.files import read_text

MAX_SOURCE_BYTES = 2_000_000
"""Larger Python files are not read (`ast` costs ~400 bytes of memory per byte of source)."""

Aliases = dict[str, str]
"""Local name → the dotted name it stands for: "h" → "hydra", "main" → "hydra.main"."""
Constants = dict[str, str]


def parse_file(file: Path) -> tuple[ast.Module, str] | None:
    """The parsed module and its text; None when unreadable or not valid Python."""
    text, _ = read_text(file, MAX_SOURCE_BYTES)
    return parse_text(text) if text is not None else None


def parse_text(text: str) -> tuple[ast.Module, str] | None:
    try:
        return ast.parse(text), text
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def import_aliases(tree: ast.Module) -> Aliases:
    """Every import in the module (at any depth: imports inside functions are common) as local name →
    dotted name. Relative imports are kept with their leading dots ("..utils.x")."""
    aliases: Aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    aliases[top] = top
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            for alias in node.names:
                if alias.name != "*":
                    joined = f"{base}.{alias.name}" if base and not base.endswith(".") else base + alias.name
                    aliases[alias.asname or alias.name] = joined
    return aliases


def dotted(node: ast.expr, aliases: Aliases) -> str | None:
    """The dotted name an expression stands for (`hu.instantiate` → "hydra.utils.instantiate"); None for
    anything but a name or a chain of attributes on one."""
    if isinstance(node, ast.Name):
        return aliases.get(node.id, node.id)
    if isinstance(node, ast.Attribute):
        base = dotted(node.value, aliases)
        return f"{base}.{node.attr}" if base is not None else None
    return None


def module_constants(tree: ast.Module, aliases: Aliases, file: Path) -> Constants:
    """Module-level `NAME = <string or path expression>` whose value is known, in order."""
    found: Constants = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        text = text_of(value, aliases, found, file)
        if text is not None:
            found.update({t.id: text for t in targets if isinstance(t, ast.Name)})
    return found


def text_of(node: ast.expr, aliases: Aliases, constants: Constants, file: Path) -> str | None:
    """The string a constant expression evaluates to: string literals, module constants, `__file__`,
    f-strings and `+` of those, `os.path.join/dirname/abspath`, `Path(...)`, `/`, `.parent`,
    `.parents[n]`, `.resolve()`, `str(...)`; None when not known."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.Name):
        return str(file) if node.id == "__file__" else constants.get(node.id)
    if isinstance(node, ast.JoinedStr):
        values = [v.value if isinstance(v, ast.FormattedValue) else v for v in node.values]
        parts = [text_of(v, aliases, constants, file) for v in values]
        return "".join(p for p in parts if p is not None) if all(p is not None for p in parts) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Div)):
        left, right = (text_of(side, aliases, constants, file) for side in (node.left, node.right))
        if left is None or right is None:
            return None
        return left + right if isinstance(node.op, ast.Add) else os.path.join(left, right)
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        inner = text_of(node.value, aliases, constants, file)
        return os.path.dirname(inner) if inner is not None else None
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "parents":
        inner = text_of(node.value.value, aliases, constants, file)
        if inner is None or not isinstance(node.slice, ast.Constant) or not isinstance(node.slice.value, int):
            return None
        for _ in range(node.slice.value + 1):
            inner = os.path.dirname(inner)
        return inner
    if isinstance(node, ast.Call):
        return _call_text(node, aliases, constants, file)
    return None


_JOINS = {"os.path.join", "pathlib.Path", "pathlib.PurePath", "Path", "PurePath", "posixpath.join"}
_SAME = {"str", "os.fspath", "os.path.normpath", "os.path.expanduser"}
_METHODS_SAME = {"resolve", "absolute", "as_posix", "expanduser"}


def _call_text(node: ast.Call, aliases: Aliases, constants: Constants, file: Path) -> str | None:
    name = dotted(node.func, aliases)
    args = [text_of(a, aliases, constants, file) for a in node.args]
    known = [a for a in args if a is not None]
    if name is None or node.keywords or not args or len(known) < len(args):
        return _method_text(node, aliases, constants, file)
    if name in _JOINS:
        return os.path.join(*known)
    if name in _SAME and len(known) == 1:
        return os.path.normpath(known[0]) if name == "os.path.normpath" else known[0]
    if name in ("os.path.abspath", "os.path.realpath") and len(known) == 1 and os.path.isabs(known[0]):
        return os.path.normpath(known[0])
    if name == "os.path.dirname" and len(known) == 1:
        return os.path.dirname(known[0])
    return _method_text(node, aliases, constants, file)


def _method_text(node: ast.Call, aliases: Aliases, constants: Constants, file: Path) -> str | None:
    """`<path>.resolve()`, `<path>.joinpath(...)` on a path expression."""
    func = node.func
    if not isinstance(func, ast.Attribute):
        return None
    base = text_of(func.value, aliases, constants, file)
    if base is None:
        return None
    if func.attr in _METHODS_SAME and not node.args:
        return base
    if func.attr == "joinpath":
        parts = [text_of(a, aliases, constants, file) for a in node.args]
        return os.path.join(base, *(p for p in parts if p is not None)) if all(p is not None for p in parts) else None
    return None


def package_folder(dotted_name: str, roots: Sequence[Path]) -> Path | None:
    """The folder of package `a.b` (a/b) under one of `roots` or its src/, the first that exists."""
    parts = [p for p in dotted_name.strip().split(".") if p]
    if not parts:
        return None
    for root in roots:
        for base in (root, root / "src"):
            candidate = base.joinpath(*parts)
            if candidate.is_dir():
                return candidate.resolve()
    return None


def ancestors(file: Path, limit: int = 8) -> list[Path]:
    """The file's folder and up to `limit` folders above it, nearest first."""
    return [file.parent, *list(file.parent.parents)[:limit]]
