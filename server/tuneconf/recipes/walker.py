"""The abstract interpretation behind recipes/analysis.py: a config path held by a name is followed
through one module's code (a recipe, or a torchtune module the config is handed to, recipes/library.py).

`cfg.x`, `cfg["x"]` read x (required unless the read may not run: inside an `if`, a loop, a `try`,
after `and`/`or`; the body of `if __name__ == "__main__":` runs); `cfg.get("x", d)`,
`getattr(cfg, "x", d)` and `"x" in cfg` read x optionally. Paths flow through local names, `for` loops
(list items: "*") and calls to the module's own functions and methods (`fixpoint`, until nothing new is
learnt); a call to anything else goes to the scope's `outside` (library code), else the whole config
escapes.

The run's config is what `tune run` passes as `--config`, so a recipe holds it (the root path) where it
gets it from there: a bound parameter (recipes/analysis.py), or `OmegaConf.load(<...>.config)` — the
`--config` value an argparse parser holds as `.config` (or `["config"]`, or a name assigned from one).
`OmegaConf.merge(...)` of it is still it (a command line's overrides merged on top); where the config is
not merge's first argument, an earlier one may set what a read asks for, so its reads are optional.
`OmegaConf.load` of anything else (another YAML file) and `OmegaConf.create` are not the run's config.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, replace

from tuneconf.recipes.usage import ITEM, Instantiate, Read, RecipeUsage, Value

MAX_PASSES = 12
_NOT_KEYS = {"get", "items", "keys", "values", "pop", "copy", "setdefault", "update", "_set_flag", "_get_parent"}
_HARMLESS = {"log_config", "isinstance", "len", "list", "print", "str", "repr", "dict", "type"}

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
Learnt = dict[tuple[int, str], tuple[Value, bool]]
"""(id of a function, parameter) → the path bound to it, and whether only conditionally."""
Outside = Callable[[ast.expr, list["Value | None"], dict[str, "Value | None"]], "RecipeUsage | None"]
"""What a callable outside the module reads when given these paths (lines its own); None: not followed."""


@dataclass(frozen=True)
class Scope:
    """One module being read: its functions by name, string constants, and how to follow calls out of it."""

    functions: dict[str, list[FunctionNode]]
    constants: dict[str, str]
    outside: Outside | None = None
    methods: dict[int, list[FunctionNode]] | None = None
    """id(method) → the methods of its class: `self.x = <path>` binds `self.x` in each (a recipe's
    `self._cfg = cfg` read later in another method; library code); None: attributes of `self` are not followed."""
    entries: frozenset[int] = frozenset()
    """ids of the functions walked with nothing bound: they load the run's config themselves."""


def functions_of(tree: ast.Module) -> dict[str, list[FunctionNode]]:
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


def class_methods(body: list[ast.stmt]) -> dict[int, list[FunctionNode]]:
    """id(method) → the methods of its class, for the classes among `body`'s statements."""
    methods: dict[int, list[FunctionNode]] = {}
    for node in body:
        if isinstance(node, ast.ClassDef):
            group = [i for i in node.body if isinstance(i, (ast.FunctionDef, ast.AsyncFunctionDef))]
            methods.update((id(m), group) for m in group)
    return methods


def omegaconf_method(node: ast.Call) -> str | None:
    """ "load" for `OmegaConf.load(...)` (or `omegaconf.OmegaConf.load`), and so on; None for other calls."""
    func = node.func
    if not isinstance(func, ast.Attribute):
        return None
    owner = func.value
    name = owner.attr if isinstance(owner, ast.Attribute) else owner.id if isinstance(owner, ast.Name) else ""
    return func.attr if name == "OmegaConf" else None


def loads_config(body: list[ast.stmt]) -> bool:
    """Whether the statements call `OmegaConf.load` (then they are walked for the run's config)."""
    return any(isinstance(node, ast.Call) and omegaconf_method(node) == "load" for s in body for node in ast.walk(s))


def param_names(fn: FunctionNode) -> list[str]:
    args = fn.args
    return [a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]]


def fixpoint(usage: RecipeUsage, scope: Scope, bindings: Learnt) -> None:
    """Walk every function with a bound parameter, learning what each passes on, until nothing new is
    learnt; `usage` holds the reads and instantiations of the last pass (escapes of any)."""
    for _ in range(MAX_PASSES):
        usage.reads.clear()
        usage.instantiations.clear()
        learnt: Learnt = {}
        for group in scope.functions.values():
            for fn in group:
                params = {name: bound for (fid, name), bound in bindings.items() if fid == id(fn)}
                if params or id(fn) in scope.entries:
                    _Walker(usage, scope, learnt).run(fn, params)
        merged = dict(bindings)
        for key, (value, conditional) in learnt.items():
            old = merged.get(key)
            if old is None or (old[1] and not conditional):
                merged[key] = (value, conditional)
        if merged == bindings:
            break
        bindings = merged


def _is_main_guard(test: ast.expr) -> bool:
    """`__name__ == "__main__"`."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = [test.left, test.comparators[0]]
    names = {s.id for s in sides if isinstance(s, ast.Name)}
    return names == {"__name__"} and any(isinstance(s, ast.Constant) and s.value == "__main__" for s in sides)


class _Walker:
    def __init__(self, usage: RecipeUsage, scope: Scope, learnt: Learnt) -> None:
        self.usage = usage
        self.scope = scope
        self.functions = scope.functions
        self.learnt = learnt
        self.constants = scope.constants
        self.env: dict[str, Value] = {}
        self.conditional = False
        self.fn: FunctionNode | None = None
        self.arguments_held: set[str] = set()
        """Local names holding the `--config` argument (`path = args.config`)."""

    def run(self, fn: FunctionNode, params: dict[str, tuple[Value, bool]]) -> None:
        self.fn = fn
        self.env = {name: value for name, (value, _) in params.items()}
        self.conditional = bool(params) and all(conditional for _, conditional in params.values())
        self.block(fn.body)

    # -- statements --------------------------------------------------------------------------------

    def block(self, body: list[ast.stmt]) -> None:
        for statement in body:
            self.statement(statement)

    def statement(self, node: ast.stmt) -> None:
        if isinstance(node, ast.If) and _is_main_guard(node.test):
            self.block(node.body)  # how the script runs
            self.nested(node.orelse)
        elif isinstance(node, ast.If):
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
            self.assign(node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return  # analysed on their own when bound
        else:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.expr(child)
                elif isinstance(child, ast.stmt):
                    self.statement(child)

    def assign(self, node: ast.Assign) -> None:
        value = self.expr(node.value)
        for target in node.targets:
            if isinstance(target, ast.Name):
                if self.config_argument(node.value):
                    self.arguments_held.add(target.id)
                else:
                    self.arguments_held.discard(target.id)
                if value is not None:
                    self.env[target.id] = value
                else:
                    self.env.pop(target.id, None)
            elif (attribute := self.self_attribute(target)) is not None:
                if value is None:
                    self.env.pop(attribute, None)
                    continue
                self.env[attribute] = value
                for method in (self.scope.methods or {}).get(id(self.fn), []):
                    if method is not self.fn:  # other methods may run later, or never: their reads are optional
                        self.learn(method, attribute, value, conditional=True)
            else:
                self.expr(target)

    def self_attribute(self, node: ast.expr) -> str | None:
        """ "self.x" for `self.x` in a method whose class's attributes are followed."""
        if self.scope.methods is None or not isinstance(node, ast.Attribute):
            return None
        if isinstance(node.value, ast.Name) and node.value.id == "self":
            return f"self.{node.attr}"
        return None

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
        attribute = self.self_attribute(node)
        if attribute is not None:
            return self.env.get(attribute)
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

    def config_argument(self, node: ast.expr) -> bool:
        """Whether `node` is the `--config` argument: `<...>.config`, `<...>["config"]`, or a name holding it."""
        if isinstance(node, ast.Attribute):
            return node.attr == "config"
        if isinstance(node, ast.Subscript):
            return self.key_of(node.slice) == "config"
        return isinstance(node, ast.Name) and node.id in self.arguments_held

    def omegaconf(self, node: ast.Call, method: str) -> Value | None:
        """The run's config from `OmegaConf.load(<--config>)` or `OmegaConf.merge(<config>, ...)`; None
        for anything else OmegaConf makes (whose arguments are still read)."""
        if method == "load" and node.args and self.config_argument(node.args[0]):
            return Value((), False)
        values, _ = self.arguments(node)
        if method != "merge":
            return None
        index, config = next(((i, v) for i, v in enumerate(values) if v is not None and v.path == ()), (0, None))
        return Value((), config.optional or index > 0) if config is not None else None

    def call(self, node: ast.Call) -> Value | None:
        method = omegaconf_method(node)
        if method in ("load", "merge"):
            return self.omegaconf(node, method)
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
                self.arguments(node, skip=2)  # the default's own reads
                return self.read(base, str(self.key_of(node.args[1])), node, required=len(node.args) == 2)
        if isinstance(func, ast.Attribute):
            self.expr(func.value)
        values, keywords = self.arguments(node)
        if name == "instantiate" and values and values[0] is not None:
            self.instantiate(node, values[0])
        elif any(v is not None for v in [*values, *keywords.values()]):
            self.bind(node, name, values, keywords)
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

    def bind(self, node: ast.Call, name: str, values: list[Value | None], keywords: dict[str, Value | None]) -> None:
        """Pass config paths to the module's own function/method `name`; elsewhere, to `outside`."""
        callees = self.functions.get(name, [])
        if not callees:
            self.call_outside(node, name, values, keywords)
            return
        for fn in callees:
            params = param_names(fn)
            offset = 1 if params and params[0] in ("self", "cls") else 0
            for index, value in enumerate(values):
                if value is not None and index + offset < len(params):
                    self.learn(fn, params[index + offset], value)
            for key, value in keywords.items():
                if value is not None and key in params:
                    self.learn(fn, key, value)

    def call_outside(
        self, node: ast.Call, name: str, values: list[Value | None], keywords: dict[str, Value | None]
    ) -> None:
        """What library code reads of the paths it is given, recorded at this call's line; where it cannot
        be followed and the whole config goes to it, the config escapes."""
        if name in _HARMLESS:
            return
        followed = self.scope.outside(node.func, values, keywords) if self.scope.outside is not None else None
        if followed is None:
            if any(v is not None and v.path == () for v in [*values, *keywords.values()]):
                self.usage.escapes = True
            return
        line = node.lineno
        for read in followed.reads:
            self.usage.reads.append(Read(read.path, line, read.required and not self.conditional))
        self.usage.instantiations.extend(replace(i, line=line) for i in followed.instantiations)
        self.usage.escapes = self.usage.escapes or followed.escapes

    def learn(self, fn: FunctionNode, param: str, value: Value, conditional: bool | None = None) -> None:
        conditional = self.conditional if conditional is None else conditional
        key = (id(fn), param)
        old = self.learnt.get(key)
        if old is None or (old[1] and not conditional):
            self.learnt[key] = (value, conditional)
