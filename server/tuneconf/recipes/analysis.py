"""What a recipe reads from its config and what it passes to `config.instantiate`, read with `ast`.

A small abstract interpretation: `cfg` (and any parameter bound to a part of it at a call site)
is a config path; `cfg.x`, `cfg["x"]` read x (required unless the read may not run: inside an
`if`, a loop, a `try`, after `and`/`or`); `cfg.get("x", d)`, `getattr(cfg, "x", d)` and
`"x" in cfg` read x optionally. Paths flow through local names, `for` loops (list items: "*")
and calls to the recipe's own functions and methods, until nothing new is learnt.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tuneconf.document.tree import KeyPath
from tuneconf.files import read_text

ITEM = "*"
MAX_PASSES = 12
MAX_RECIPE_BYTES = 1_000_000
"""Larger recipe files are not read: torchtune's largest is 52 KB, and `ast` takes ~400 bytes of memory
and 2 µs per byte of source (a 20 MB file: 70 s and 8 GB)."""
_NOT_KEYS = {"get", "items", "keys", "values", "pop", "copy", "setdefault", "update", "_set_flag", "_get_parent"}
_HARMLESS = {"log_config", "isinstance", "len", "list", "print", "str", "repr", "dict", "type"}


@dataclass(frozen=True)
class Read:
    path: KeyPath
    line: int
    required: bool


@dataclass(frozen=True)
class Instantiate:
    """`config.instantiate(<path>, *positional, **keywords)` somewhere in the recipe."""

    path: KeyPath
    positional: int
    keywords: tuple[str, ...]
    line: int
    unpacked: bool = False
    """`*args` or `**kwargs` at the call: what it supplies is not known."""


@dataclass
class RecipeUsage:
    file: Path
    reads: list[Read] = field(default_factory=list)
    instantiations: list[Instantiate] = field(default_factory=list)
    escapes: bool = False
    """The whole config goes to code outside the recipe (which may read any key)."""
    error: str = ""

    def required_keys(self) -> dict[str, Read]:
        """Top-level keys read unconditionally, with the first line that reads each."""
        found: dict[str, Read] = {}
        for read in sorted(self.reads, key=lambda r: r.line):
            if read.required and len(read.path) == 1 and read.path[0] not in found:
                found[str(read.path[0])] = read
        return found

    def read_keys(self) -> set[str]:
        return {str(r.path[0]) for r in self.reads if r.path}

    def nested_required(self, top: str) -> dict[str, Read]:
        """Keys read unconditionally under a top-level key (e.g. model.lora_rank)."""
        found: dict[str, Read] = {}
        for read in sorted(self.reads, key=lambda r: r.line):
            if read.required and len(read.path) == 2 and read.path[0] == top and read.path[1] != ITEM:
                found.setdefault(str(read.path[1]), read)
        return found

    def supplied(self, path: KeyPath) -> tuple[int, set[str], bool]:
        """(positional count, keyword names, unknown) the recipe passes when instantiating `path`."""
        sites = [i for i in self.instantiations if i.path == path]
        positional = max((i.positional for i in sites), default=0)
        keywords = {k for i in sites for k in i.keywords}
        return positional, keywords, any(i.unpacked for i in sites)


@dataclass(frozen=True)
class Value:
    path: KeyPath
    optional: bool


Constant = Callable[[str], "str | None"]


def analyse(file: Path, constant: Constant | None = None) -> RecipeUsage:
    """What the recipe in `file` reads from its config and supplies; `constant` finds imported string
    constants (e.g. PROFILER_KEY)."""
    usage = RecipeUsage(file)
    source, problem = read_text(file, MAX_RECIPE_BYTES)
    if source is None:
        usage.error = f"cannot read {file.name}: {problem}"
        return usage
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        usage.error = f"cannot read {file.name}: {exc}"
        return usage
    functions = _functions(tree)
    constants = _constants(tree, constant)
    bindings: dict[tuple[int, str], tuple[Value, bool]] = {}
    for func in functions.values():
        for fn in func:
            if "cfg" in _param_names(fn):
                bindings[(id(fn), "cfg")] = (Value((), False), False)
    for _ in range(MAX_PASSES):
        usage.reads.clear()
        usage.instantiations.clear()
        learnt: Learnt = {}
        for group in functions.values():
            for fn in group:
                params = {name: bound for (fid, name), bound in bindings.items() if fid == id(fn)}
                if params:
                    _Walker(usage, functions, learnt, constants).run(fn, params)
        merged = dict(bindings)
        for key, (value, conditional) in learnt.items():
            old = merged.get(key)
            if old is None or (old[1] and not conditional):
                merged[key] = (value, conditional)
        if merged == bindings:
            break
        bindings = merged
    return usage


FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


def _functions(tree: ast.Module) -> dict[str, list[FunctionNode]]:
    """Functions and methods by name (a class's __init__ is also filed under the class's name)."""
    found: dict[str, list[FunctionNode]] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.setdefault(node.name, []).append(node)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                    found.setdefault(node.name, []).append(item)
    return found


def _constants(tree: ast.Module, constant: Constant | None) -> dict[str, str]:
    """Module-level `NAME = "text"`, and imported names that are string constants where defined."""
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            found.update({t.id: node.value.value for t in node.targets if isinstance(t, ast.Name)})
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and constant is not None:
            for alias in node.names:
                if alias.name.isupper():
                    value = constant(f"{node.module}.{alias.name}")
                    if value is not None:
                        found[alias.asname or alias.name] = value
    return found


def _param_names(fn: FunctionNode) -> list[str]:
    args = fn.args
    return [a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]]


Learnt = dict[tuple[int, str], tuple[Value, bool]]


class _Walker:
    def __init__(
        self, usage: RecipeUsage, functions: dict[str, list[FunctionNode]], learnt: Learnt, constants: dict[str, str]
    ) -> None:
        self.usage = usage
        self.functions = functions
        self.learnt = learnt
        self.constants = constants
        self.env: dict[str, Value] = {}
        self.conditional = False

    def run(self, fn: FunctionNode, params: dict[str, tuple[Value, bool]]) -> None:
        self.env = {name: value for name, (value, _) in params.items()}
        self.conditional = all(conditional for _, conditional in params.values())
        self.block(fn.body)

    # -- statements --------------------------------------------------------------------------------

    def block(self, body: list[ast.stmt]) -> None:
        for statement in body:
            self.statement(statement)

    def statement(self, node: ast.stmt) -> None:
        if isinstance(node, ast.If):
            self.expr(node.test)
            self.nested(node.body, node.orelse)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            iterated = self.expr(node.iter)
            if iterated is not None and isinstance(node.target, ast.Name):
                self.env[node.target.id] = Value((*iterated.path, ITEM), iterated.optional)
            self.nested(node.body, node.orelse)
        elif isinstance(node, ast.While):
            self.expr(node.test)
            self.nested(node.body, node.orelse)
        elif isinstance(node, ast.Try):
            self.nested(node.body, *[h.body for h in node.handlers], node.orelse)
            self.block(node.finalbody)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                self.expr(item.context_expr)
            self.block(node.body)
        elif isinstance(node, ast.Assign):
            value = self.expr(node.value)
            for target in node.targets:
                if isinstance(target, ast.Name):
                    if value is not None:
                        self.env[target.id] = value
                    else:
                        self.env.pop(target.id, None)
                else:
                    self.expr(target)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return  # analysed on their own when bound
        else:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.expr(child)
                elif isinstance(child, ast.stmt):
                    self.statement(child)

    def nested(self, *bodies: list[ast.stmt]) -> None:
        before = self.conditional
        self.conditional = True
        for body in bodies:
            self.block(body)
        self.conditional = before

    # -- expressions -------------------------------------------------------------------------------

    def expr(self, node: ast.expr) -> Value | None:
        if isinstance(node, ast.Name):
            return self.env.get(node.id)
        if isinstance(node, ast.Attribute):
            return self.attribute(node)
        if isinstance(node, ast.Subscript):
            return self.subscript(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Compare):
            self.compare(node)
            return None
        if isinstance(node, (ast.BoolOp, ast.IfExp)):
            return self.branches(node)
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            return self.comprehension(node)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.expr(child)
        return None

    def attribute(self, node: ast.Attribute) -> Value | None:
        base = self.expr(node.value)
        if base is None or node.attr in _NOT_KEYS:
            return None
        return self.read(base, node.attr, node, required=True)

    def subscript(self, node: ast.Subscript) -> Value | None:
        base = self.expr(node.value)
        key = node.slice
        if base is None:
            self.expr(key)
            return None
        name = self.key_of(key)
        if name is not None:
            return self.read(base, name, node, required=True)
        return Value((*base.path, ITEM), base.optional)

    def key_of(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name):
            return self.constants.get(node.id)
        return None

    def read(self, base: Value, key: str, node: ast.expr, required: bool) -> Value:
        path = (*base.path, key)
        self.usage.reads.append(Read(path, node.lineno, required and not base.optional and not self.conditional))
        return Value(path, base.optional or not required)

    def comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp) -> Value | None:
        saved = dict(self.env)
        for generator in node.generators:
            iterated = self.expr(generator.iter)
            if iterated is not None and isinstance(generator.target, ast.Name):
                self.env[generator.target.id] = Value((*iterated.path, ITEM), iterated.optional)
        before = self.conditional
        self.conditional = True
        for part in [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]:
            self.expr(part)
        self.conditional = before
        self.env = saved
        return None

    def compare(self, node: ast.Compare) -> None:
        left = node.left
        for op, right in zip(node.ops, node.comparators):
            container = self.expr(right)
            if isinstance(op, (ast.In, ast.NotIn)) and container is not None and isinstance(left, ast.Constant):
                self.read(container, str(left.value), node, required=False)
        self.expr(left)
        return None

    def branches(self, node: ast.BoolOp | ast.IfExp) -> Value | None:
        first = node.values[0] if isinstance(node, ast.BoolOp) else node.test
        self.expr(first)
        before = self.conditional
        self.conditional = True
        rest = node.values[1:] if isinstance(node, ast.BoolOp) else [node.body, node.orelse]
        results = [self.expr(part) for part in rest]
        self.conditional = before
        return next((r for r in results if r is not None), None)

    def call(self, node: ast.Call) -> Value | None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if isinstance(func, ast.Attribute) and func.attr == "get":
            base = self.expr(func.value)
            key = self.key_of(node.args[0]) if base is not None and node.args else None
            if base is not None and key is not None:
                self.arguments(node, skip=1)  # the default's own reads
                return self.read(base, key, node, required=False)
        if name == "getattr" and len(node.args) >= 2 and self.key_of(node.args[1]) is not None:
            base = self.expr(node.args[0])
            if base is not None:
                return self.read(base, str(self.key_of(node.args[1])), node, required=len(node.args) == 2)
        if isinstance(func, ast.Attribute):
            self.expr(func.value)
        values, keywords = self.arguments(node)
        if name == "instantiate" and values and values[0] is not None:
            self.instantiate(node, values[0])
        elif any(v is not None for v in [*values, *keywords.values()]):
            self.bind(name, values, keywords)
        return None

    def arguments(self, node: ast.Call, skip: int = 0) -> tuple[list[Value | None], dict[str, Value | None]]:
        values = [self.expr(a) for a in node.args[skip:]]
        keywords = {k.arg or "": self.expr(k.value) for k in node.keywords}
        return values, keywords

    def instantiate(self, node: ast.Call, target: Value) -> None:
        positional = sum(1 for a in node.args[1:] if not isinstance(a, ast.Starred))
        keywords = tuple(k.arg for k in node.keywords if k.arg is not None)
        unpacked = any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords)
        self.usage.instantiations.append(Instantiate(target.path, positional, keywords, node.lineno, unpacked))

    def bind(self, name: str, values: list[Value | None], keywords: dict[str, Value | None]) -> None:
        """Pass config paths to the recipe's own function/method `name`; elsewhere, the config escapes."""
        callees = self.functions.get(name, [])
        if not callees:
            passed = [*values, *keywords.values()]
            if name not in _HARMLESS and any(v is not None and v.path == () for v in passed):
                self.usage.escapes = True
            return
        for fn in callees:
            params = _param_names(fn)
            offset = 1 if params and params[0] in ("self", "cls") else 0
            for index, value in enumerate(values):
                if value is not None and index + offset < len(params):
                    self.learn(fn, params[index + offset], value)
            for key, value in keywords.items():
                if value is not None and key in params:
                    self.learn(fn, key, value)

    def learn(self, fn: FunctionNode, param: str, value: Value) -> None:
        key = (id(fn), param)
        old = self.learnt.get(key)
        if old is None or (old[1] and not self.conditional):
            self.learnt[key] = (value, self.conditional)
