"""Where a callable's `**kwargs` go, read statically from its body (ast; nothing is imported).

A callable forwards its `**kwargs` when its body does nothing with them but pass them, once, to one
call whose callee the module's own names say (`SFTDataset(..., **load_dataset_kwargs)` →
`datasets.load_dataset(source, **load_dataset_kwargs)`), in a statement of the body's top level (so
the call surely runs, unless something raises first) with no `return` before it. Besides that,
`kwargs.pop("key")` takes a key out (it lands) and `"key" in kwargs` only reads. Anything else (a
second call, `kwargs["x"] = ...`, `kwargs.update`, a callee in a local variable, `*args` at the call)
and we give up: the Symbol records no Forward, and the check keeps its information.

`datasets.load_dataset` is the one sink read specially: its `**config_kwargs` become fields of the
config of the dataset builder that `path` names. For the packaged builders (json, csv, parquet, …,
listed in `datasets/packaged_modules/__init__.py`) that config class is known statically: one
Forward per builder, `when=("path", name)`; the keys the builder itself takes (the parameters of
`DatasetBuilder.__init__` that `load_dataset_builder` does not pass explicitly) are accepted.
"""

from __future__ import annotations

import ast
from collections import OrderedDict
from pathlib import Path

import griffe

from tuneconf.index.loader import Budget, Loader, Missing, ObjRef, Visited
from tuneconf.index.records import Forward

LOAD_DATASET = "datasets.load.load_dataset"
PACKAGED = "datasets.packaged_modules"
PACKAGED_TABLE = "_PACKAGED_DATASETS_MODULES"
BUILDER = "datasets.builder.DatasetBuilder"
BUILDER_CALLER = "datasets.load.load_dataset_builder"
MAX_TREES = 8
_STATEMENTS = (ast.Expr, ast.Assign, ast.AnnAssign, ast.Return)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)

Found = tuple[tuple[Forward, ...], tuple[str, ...]]
NOTHING: Found = ((), ())


class ForwardReader:
    """Reads function bodies for the SymbolBuilder (under the index's lock, in the background)."""

    def __init__(self, loader: Loader) -> None:
        self.loader = loader
        self._trees: OrderedDict[Path, ast.Module | None] = OrderedDict()

    def read(self, func: griffe.Function | None, visited: Visited, path: str, budget: Budget) -> Found:
        """(forwards, accepted keys) of `func`, the callable at `path`; nothing when not statically known."""
        kwargs = _var_keyword(func)
        if func is None or kwargs is None:
            return NOTHING
        try:
            node = self._node(func, visited)
            uses = None if node is None else _uses(node, kwargs)
            if node is None or uses is None:
                return NOTHING
            call, accepts = uses
            if path == LOAD_DATASET:
                return self._packaged(), accepts + self._builder_keys(budget)
            forward = None if call is None else _forward(call, node, visited)
            return ((forward,) if forward is not None else ()), accepts
        except (Missing, SyntaxError, ValueError, RecursionError):
            return NOTHING

    def _tree(self, visited: Visited) -> ast.Module | None:
        path = visited.file.path
        if path is None or not visited.lines:
            return None
        if path not in self._trees:
            try:
                self._trees[path] = ast.parse("\n".join(visited.lines))
            except (SyntaxError, ValueError, RecursionError):
                self._trees[path] = None
            while len(self._trees) > MAX_TREES:
                self._trees.popitem(last=False)
        return self._trees[path]

    def _node(self, func: griffe.Function, visited: Visited) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        tree = self._tree(visited)
        for node in ast.walk(tree) if tree is not None else ():
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == func.name:
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                if func.lineno in (node.lineno, first):
                    return node
        return None

    # -- datasets.load_dataset ---------------------------------------------------------------------

    def _packaged(self) -> tuple[Forward, ...]:
        """One Forward per packaged builder: to its config class, when `path` is its name."""
        init = self.loader.visit(PACKAGED)
        tree = None if init is None else self._tree(init)
        if init is None or init.module is None or tree is None:
            return ()
        forwards = []
        for name, module in _packaged_table(tree).items():
            member = init.module.members.get(module)
            target = str(getattr(member, "target_path", "")) if member is not None else ""
            visited = self.loader.visit(target) if target else None
            forwards.append(Forward(_config_class(visited), when=("path", name)))
        return tuple(forwards)

    def _builder_keys(self, budget: Budget) -> tuple[str, ...]:
        """Parameters of DatasetBuilder.__init__ that load_dataset_builder leaves to `**config_kwargs`."""
        builder = self.loader.lookup(BUILDER, budget)
        caller = self.loader.lookup(BUILDER_CALLER, budget)
        if not isinstance(builder, ObjRef) or not isinstance(caller, ObjRef):
            return ()
        init = builder.obj.members.get("__init__") if isinstance(builder.obj, griffe.Class) else None
        node = self._node(caller.obj, caller.visited) if isinstance(caller.obj, griffe.Function) else None
        if not isinstance(init, griffe.Function) or node is None:
            return ()
        calls = [n for n in ast.walk(node) if isinstance(n, ast.Call) and _name(n.func) == "builder_cls"]
        if len(calls) != 1:
            return ()
        explicit = {k.arg for k in calls[0].keywords if k.arg}
        skip = ("positional-only", "variadic positional", "variadic keyword")
        kinds = [(p.name, p.kind.value if p.kind else "") for p in list(init.parameters)[1:]]
        return tuple(n for n, kind in kinds if kind not in skip and n not in explicit)


def _var_keyword(func: griffe.Function | None) -> str | None:
    for param in func.parameters if func is not None else ():
        if param.kind is griffe.ParameterKind.var_keyword:
            return str(param.name)
    return None


def _uses(node: ast.FunctionDef | ast.AsyncFunctionDef, kwargs: str) -> tuple[ast.Call | None, tuple[str, ...]] | None:
    """The one call the `**kwargs` are passed to, and the keys popped; None for any other use."""
    parents = {id(child): parent for parent in ast.walk(node) for child in ast.iter_child_nodes(parent)}
    calls: list[ast.Call] = []
    accepts: list[str] = []
    for name in ast.walk(node):
        if not isinstance(name, ast.Name) or name.id != kwargs:
            continue
        parent = parents.get(id(name))
        grand = parents.get(id(parent)) if parent is not None else None
        if not isinstance(name.ctx, ast.Load):
            return None
        if isinstance(parent, ast.keyword) and parent.arg is None and isinstance(grand, ast.Call):
            calls.append(grand)
        elif isinstance(parent, ast.Compare) and name is not parent.left and _membership(parent):
            continue
        elif _popped(parent, grand) is not None:
            accepts.append(str(_popped(parent, grand)))
        else:
            return None
    if len(calls) > 1 or (calls and not _surely_runs(node, calls[0])):
        return None
    return (calls[0] if calls else None), tuple(accepts)


def _membership(compare: ast.Compare) -> bool:
    return all(isinstance(op, (ast.In, ast.NotIn)) for op in compare.ops)


def _popped(parent: ast.AST | None, grand: ast.AST | None) -> str | None:
    """ "key" for `kwargs.pop("key")` / `kwargs.pop("key", default)`."""
    if not (isinstance(parent, ast.Attribute) and parent.attr == "pop" and isinstance(grand, ast.Call)):
        return None
    if grand.func is not parent or not grand.args or grand.keywords:
        return None
    first = grand.args[0]
    return str(first.value) if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def _surely_runs(node: ast.FunctionDef | ast.AsyncFunctionDef, call: ast.Call) -> bool:
    """The call is a top-level statement of the body (or its value), with no `return` before it."""
    for statement in node.body:
        if isinstance(statement, _STATEMENTS) and statement.value is call:
            return True
        if any(isinstance(n, ast.Return) for n in _walk_scope(statement)):
            return False
    return False


def _walk_scope(node: ast.AST) -> list[ast.AST]:
    """Nodes under `node`, not entering nested functions, lambdas or classes."""
    found: list[ast.AST] = []
    todo = [node]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(c for c in ast.iter_child_nodes(current) if not isinstance(c, _SCOPES))
    return found


def _forward(call: ast.Call, node: ast.FunctionDef | ast.AsyncFunctionDef, visited: Visited) -> Forward | None:
    if any(isinstance(a, ast.Starred) for a in call.args) or sum(k.arg is None for k in call.keywords) != 1:
        return None
    params = {a.arg for a in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]}
    stored = {n.id for n in _walk_scope(node) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    target = _callee(call.func, params | stored, visited)
    if target is None:
        return None
    plain = params - stored  # a parameter passed on as the caller received it
    positional = tuple(a.id if isinstance(a, ast.Name) and a.id in plain else "" for a in call.args)
    keywords = tuple(
        (k.arg, k.value.id) for k in call.keywords if k.arg and isinstance(k.value, ast.Name) and k.value.id in plain
    )
    passed = tuple(k.arg for k in call.keywords if k.arg)
    return Forward(target, passed, positional, keywords)


def _callee(func: ast.expr, local: set[str], visited: Visited) -> str | None:
    """The dotpath of `name` or `name.attr...`, by the module's own names and imports."""
    parts: list[str] = []
    while isinstance(func, ast.Attribute):
        parts.insert(0, func.attr)
        func = func.value
    module = visited.module
    if not isinstance(func, ast.Name) or func.id in local or module is None:
        return None
    member = module.members.get(func.id)
    if member is None:
        return None
    base = str(member.target_path) if isinstance(member, griffe.Alias) else member.path
    return ".".join([base, *parts])


def _name(expr: ast.expr) -> str | None:
    return expr.id if isinstance(expr, ast.Name) else None


def _packaged_table(tree: ast.Module) -> dict[str, str]:
    """{"json": "json", ...}: a packaged builder's name → the module name its `X.__name__` reads."""
    for statement in tree.body:
        if not isinstance(statement, ast.Assign) or not isinstance(statement.value, ast.Dict):
            continue
        if not any(isinstance(t, ast.Name) and t.id == PACKAGED_TABLE for t in statement.targets):
            continue
        table = {}
        for key, value in zip(statement.value.keys, statement.value.values, strict=True):
            first = value.elts[0] if isinstance(value, ast.Tuple) and value.elts else None
            if isinstance(key, ast.Constant) and isinstance(key.value, str) and isinstance(first, ast.Attribute):
                module = _name(first.value)
                if module is not None and first.attr == "__name__":
                    table[key.value] = module
        return table
    return {}


def _config_class(visited: Visited | None) -> str:
    """The dotpath of the builder's BUILDER_CONFIG_CLASS ("" when unknown, or when the builder class
    defines its own __init__, which may take keys before the config sees them)."""
    module = visited.module if visited is not None else None
    for member in module.members.values() if module is not None else ():
        if not isinstance(member, griffe.Class) or "BUILDER_CONFIG_CLASS" not in member.members:
            continue
        value = getattr(member.members["BUILDER_CONFIG_CLASS"], "value", None)
        if "__init__" in member.members or not isinstance(value, (griffe.ExprName, griffe.ExprAttribute)):
            return ""
        return str(value.canonical_path)
    return ""
