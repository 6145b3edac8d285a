"""Python → configs: "Find All References" on a Python function, class or parameter lists the config lines
that name it (`_component_` values, argument keys), and a "used in N configs" lens sits above each
definition some config uses.

The Python file is read with `ast`, never imported. Its module path comes from where the file sits (a
workspace folder, a folder of the environment's sys.path, an editable install's package folder). A config
names a definition when its dotpath is the definition's own, or when the environment index (index/)
resolves it there: `mypkg.Head` re-exported from `mypkg/models.py`. Only the workspace index's dotpaths
whose last segment is the definition's name are resolved (the name is kept through a re-export; a rename
on import, `from .models import Head as H`, is not followed)."""

from __future__ import annotations

import ast
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types

from tuneconf import command_ids
from tuneconf.document.positions import Converter, Encoding
from tuneconf.document.tolerant import split_lines
from tuneconf.document.tree import Span
from tuneconf.features.workspace_symbols import client_range
from tuneconf.index.records import Resolution
from tuneconf.workspace_index import ConfigRecord, Named, Use, WorkspaceIndex

Target = tuple[str, str | None]
"""Where a dotpath is defined: (dotpath after re-exports, its file when known)."""
Resolve = Callable[[str], Target | None]
_CONSTRUCTORS = ("__init__",)


@dataclass(frozen=True)
class Definition:
    """A function, class or method of a Python file, as a config can name it."""

    qualname: str
    """Within its module: `build_model`, `Head`, `Head.forward`."""
    name: Span
    """The name after `def`/`class` (code points)."""
    body: tuple[int, int]
    """First and last line (0-based) of the whole definition."""
    parameters: tuple[Named, ...]
    """What a config sets as argument keys: a function's parameters (less `self`/`cls`); a class's
    `__init__` parameters and annotated fields (dataclasses)."""


@dataclass(frozen=True)
class Found:
    definition: Definition
    parameter: str | None
    """The parameter under the cursor, else None (the definition itself)."""


def definitions(source: str) -> list[Definition]:
    """The module's functions and classes and the classes' methods (`__init__` belongs to its class)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    lines = split_lines(source)
    found: list[Definition] = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            found.append(_definition(node, node.name, lines))
            methods = (n for n in node.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))
            found += [_definition(m, f"{node.name}.{m.name}", lines) for m in methods if m.name not in _CONSTRUCTORS]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found.append(_definition(node, node.name, lines))
    return found


def definition_at(source: str, line: int, col: int) -> Found | None:
    """The parameter under (line, col) (code points), else the innermost definition around it."""
    found = definitions(source)
    for definition in found:
        for param in definition.parameters:
            if param.span.contains(line, col):
                return Found(definition, param.name)
    around = [d for d in found if d.body[0] <= line <= d.body[1]]
    return Found(max(around, key=lambda d: d.body[0]), None) if around else None


def module_names(path: Path, roots: Iterable[Path], editable: Mapping[str, Path]) -> list[str]:
    """The module paths a file may be imported by: from each root that holds it, the nearest first."""
    names: list[str] = []
    for name, folder in editable.items():
        parts = _parts(path, folder)
        if parts is not None:
            names.append(".".join([name, *parts]))
    for root in sorted(set(roots), key=lambda r: len(r.parts), reverse=True):
        parts = _parts(path, root)
        if parts:
            names.append(".".join(parts))
    return [n for n in dict.fromkeys(names) if all(p.isidentifier() for p in n.split("."))]


def config_uses(
    modules: list[str], qualname: str, file: Path, index: WorkspaceIndex, resolve: Resolve
) -> list[tuple[ConfigRecord, Use]]:
    """The components of the workspace's configs that name this definition (as written or re-exported)."""
    own = {f"{module}.{qualname}" for module in modules}
    found: list[tuple[ConfigRecord, Use]] = []
    for dotpath in index.dotpaths_ending(qualname.rsplit(".", 1)[-1]):
        if dotpath in own or _resolves_here(resolve(dotpath), own, file):
            found += index.uses_of(dotpath)
    return found


def references(found: Found, uses: list[tuple[ConfigRecord, Use]], encoding: Encoding) -> list[types.Location]:
    """The dotpaths naming the definition, or the argument keys setting the parameter."""
    locations: list[types.Location] = []
    for record, use in uses:
        keys = [a.span for a in use.arguments if a.name == found.parameter]
        spans = [use.span] if found.parameter is None else keys
        locations += [types.Location(uri=record.uri, range=client_range(record, s, encoding)) for s in spans]
    return locations


def lenses(
    uri: str, source: str, uses_of: Callable[[Definition], list[tuple[ConfigRecord, Use]]], encoding: Encoding
) -> list[types.CodeLens]:
    """ "used in N configs" above each definition some config names; the client command shows the list."""
    conv = Converter(split_lines(source), encoding)
    result: list[types.CodeLens] = []
    for definition in definitions(source):
        uses = uses_of(definition)
        if not uses:
            continue
        count = len({record.uri for record, _ in uses})
        where = conv.range(definition.name)
        locations = references(Found(definition, None), uses, encoding)
        arguments = [uri, _json_position(where.start), [_json_location(loc) for loc in locations]]
        title = f"used in {count} config{'' if count == 1 else 's'}"
        command = types.Command(title=title, command=command_ids.SHOW_CONFIG_REFERENCES, arguments=arguments)
        result.append(types.CodeLens(range=where, command=command))
    return result


def budgeted(resolve: Callable[[str, float], Resolution | None], budget_s: float) -> Resolve:
    """Resolution through the environment index, waiting for it at most `budget_s` in all (a request must
    not hang on a busy index; what is not resolved in time counts only if named as defined)."""
    deadline = time.monotonic() + budget_s

    def target(dotpath: str) -> Target | None:
        resolution = resolve(dotpath, max(0.0, deadline - time.monotonic()))
        symbol = resolution.symbol if resolution is not None else None
        if symbol is None:
            return None
        return symbol.target, symbol.location.file if symbol.location is not None else None

    return target


def _resolves_here(target: Target | None, own: set[str], file: Path) -> bool:
    if target is None:
        return False
    dotpath, where = target
    if dotpath in own:
        return True
    tails = {name.rsplit(".", 1)[-1] for name in own}
    return where is not None and dotpath.rsplit(".", 1)[-1] in tails and _same_file(Path(where), file)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _parts(path: Path, root: Path) -> list[str] | None:
    try:
        relative = path.relative_to(root)
    except ValueError:
        return None
    parts = [*relative.parent.parts, relative.stem] if relative.suffix in (".py", ".pyi") else []
    return parts[:-1] if parts and parts[-1] == "__init__" else parts


def _definition(
    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, qualname: str, lines: list[str]
) -> Definition:
    line = node.lineno - 1
    text = lines[line] if line < len(lines) else ""
    start = text.find(node.name, _column(text, node.col_offset))
    name = Span(line, start, line, start + len(node.name)) if start >= 0 else Span(line, 0, line, 0)
    body = (min([line, *(d.lineno - 1 for d in node.decorator_list)]), (node.end_lineno or node.lineno) - 1)
    if isinstance(node, ast.ClassDef):
        return Definition(qualname, name, body, tuple(_class_parameters(node, lines)))
    return Definition(qualname, name, body, tuple(_parameters(node, lines, skip_first="." in qualname)))


def _parameters(node: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str], skip_first: bool) -> Iterator[Named]:
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    is_static = any(getattr(d, "id", None) == "staticmethod" for d in node.decorator_list)
    if skip_first and positional and not is_static:
        positional = positional[1:]
    posonly = set(map(id, args.posonlyargs))
    for arg in [*positional, *args.kwonlyargs]:
        if id(arg) not in posonly:  # a config's keys are keyword arguments
            yield _named(arg.arg, arg.lineno, arg.col_offset, lines)


def _class_parameters(node: ast.ClassDef, lines: list[str]) -> Iterator[Named]:
    for item in node.body:
        if isinstance(item, ast.FunctionDef) and item.name in _CONSTRUCTORS:
            yield from _parameters(item, lines, skip_first=True)
        elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            yield _named(item.target.id, item.target.lineno, item.target.col_offset, lines)


def _named(name: str, lineno: int, col_offset: int, lines: list[str]) -> Named:
    line = lineno - 1
    col = _column(lines[line] if line < len(lines) else "", col_offset)
    return Named(name, Span(line, col, line, col + len(name)))


def _column(text: str, utf8_offset: int) -> int:
    """ast's column (UTF-8 bytes) as code points."""
    return len(text.encode("utf-8")[:utf8_offset].decode("utf-8", errors="ignore"))


def _json_position(position: types.Position) -> dict[str, int]:
    return {"line": position.line, "character": position.character}


def _json_location(location: types.Location) -> dict[str, object]:
    start, end = location.range.start, location.range.end
    return {"uri": location.uri, "range": {"start": _json_position(start), "end": _json_position(end)}}
