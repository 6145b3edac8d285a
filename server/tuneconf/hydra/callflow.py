"""The abstract interpretation behind hydra/callsites.py: one function of a Hydra project walked with
some names bound to config paths, recording what it instantiates and where the config goes.

`cfg.x`, `cfg["x"]`, `cfg.get("x")`, `getattr(cfg, "x")`, `OmegaConf.select(cfg, "x.y")` are paths;
paths flow through local names (`model_cfg = cfg.model`), `for` loops and comprehensions
(`for _, c in cfg.callbacks.items()`: each value, "*"), dict literals with constant keys, `self.x` of a
class, and calls to the project's functions and classes (handed to the `Sink`, which walks them in
turn). `hydra.utils.instantiate` / `call` (`instantiate(cfg.optimizer, params=...)`) are call sites;
`compose(...)` is the root config. A path passed to code that is not followed (a library, a dynamic
call) escapes, unless the callee is known not to instantiate (logging, printing, OmegaConf).
Lines are 0-based.
"""

from __future__ import annotations

import ast

from tuneconf.hydra.astnames import dotted
from tuneconf.hydra.callflow_data import CallSite, Held, Node, Sink, Struct, extend, flag, params_of, root_name
from tuneconf.hydra.pymodules import FunctionNode, PyModule, Target
from tuneconf.recipes.usage import ITEM

_NOT_KEYS = {"get", "items", "keys", "values", "pop", "copy", "setdefault", "update", "_get_parent", "_set_flag"}
_SAME = {"copy", "deepcopy", "create", "merge", "masked_copy", "structured"}
_COPIES = {"to_container", "to_object"}
_HARMLESS = {
    *("isinstance", "len", "print", "pprint", "str", "repr", "bool", "int", "float", "type", "hasattr", "id"),
    *("sorted", "list", "dict", "tuple", "set", "format", "debug", "info", "warning", "warn", "error"),
    *("exception", "critical", "log", "open_dict", "read_write", "flag_override", "save_hyperparameters"),
    *("log_hyperparams", "log_hyperparameters", "print_config", "set_struct", "set_readonly", "to_yaml"),
}
"""Callees (by last name) that do not instantiate what they are given: no escape."""
_CONTROL = ("_recursive_", "_partial_", "_convert_")


class FlowWalker:
    """Walks one function (`run`) with `env` bound; `cls` is its class when it is a method."""

    def __init__(self, sink: Sink, module: PyModule, cls: ast.ClassDef | None, env: dict[str, Held]) -> None:
        self.sink = sink
        self.module = module
        self.cls = cls
        self.env = dict(env)
        self.params: set[str] = set()
        """The walked function's parameters: one not bound here may be bound in another walk."""

    def walk(self, fn: FunctionNode) -> None:
        self.params = {*params_of(fn), *(a.arg for a in fn.args.kwonlyargs)}
        self.run(fn.body)

    def run(self, body: list[ast.stmt]) -> None:
        for statement in body:
            self.statement(statement)

    # -- statements --------------------------------------------------------------------------------

    def statement(self, node: ast.stmt) -> None:
        if isinstance(node, (ast.For, ast.AsyncFor)):
            self.bind_pair(node.target, self.iterated(node.iter))
            self.run(node.body)
            self.run(node.orelse)
        elif isinstance(node, ast.Assign):
            value = self.expr(node.value)
            for target in node.targets:
                self.assign(target, value, node.value)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            value = self.expr(node.value) if node.value is not None else None
            self.assign(node.target, value if isinstance(node, ast.AnnAssign) else None, node.value)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            saved = dict(self.env)  # a closure sees the names around it, not its own parameters
            for name in [*params_of(node), *(a.arg for a in node.args.kwonlyargs)]:
                self.env.pop(name, None)
            self.run(node.body)
            self.env = saved
        elif isinstance(node, ast.ClassDef):
            return
        else:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.expr(child)
                elif isinstance(child, ast.stmt):
                    self.statement(child)
                elif isinstance(child, ast.withitem):
                    self.bind(child.optional_vars, self.expr(child.context_expr))
                elif isinstance(child, (ast.ExceptHandler, ast.match_case)):
                    self.run(child.body)

    def assign(self, target: ast.expr, value: Held | None, source: ast.expr | None) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            parts = source.elts if isinstance(source, (ast.Tuple, ast.List)) else None
            for index, element in enumerate(target.elts):
                same = parts is not None and len(parts) == len(target.elts)
                self.bind(element, self.expr(parts[index]) if same and parts is not None else None)
        elif (attribute := self.self_attribute(target)) is not None:
            if value is None:
                self.env.pop(attribute, None)
                return
            self.env[attribute] = value
            if self.cls is not None:
                self.sink.attribute(self.module, self.cls, attribute, value)
        elif isinstance(target, ast.Name):
            self.bind(target, value)
        else:
            self.expr(target)
            self.give_away(value)  # stored in an object or a container the walk does not follow

    def bind(self, target: ast.expr | None, value: Held | None) -> None:
        if isinstance(target, ast.Name):
            if value is None:
                self.env.pop(target.id, None)
            else:
                self.env[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.bind(element, None)

    def iterated(self, node: ast.expr) -> Held | None:
        """What a loop over `node` binds to its target (a 2-tuple target gets the pair's second part)."""
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not node.args:
            base = self.expr(node.func.value)
            if isinstance(base, Node) and node.func.attr in ("items", "values", "keys"):
                item = extend(base, ITEM) if node.func.attr != "keys" else None
                return Struct((("1", item),)) if node.func.attr == "items" and item else item
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "enumerate" and node.args:
            inner = self.iterated(node.args[0])
            return Struct((("1", inner),)) if isinstance(inner, Node) else None
        value = self.expr(node)
        return extend(value, ITEM, weak=True) if isinstance(value, Node) else None

    def bind_pair(self, target: ast.expr, value: Held | None) -> None:
        if isinstance(value, Struct) and isinstance(target, (ast.Tuple, ast.List)) and len(target.elts) == 2:
            self.bind(target.elts[0], None)
            self.bind(target.elts[1], value.get("1"))
        else:
            self.bind(target, value if isinstance(value, Node) else None)

    # -- expressions -------------------------------------------------------------------------------

    def expr(self, node: ast.expr | None) -> Held | None:
        if node is None:
            return None
        if isinstance(node, ast.Name):
            return self.env.get(node.id)
        if isinstance(node, ast.Attribute):
            attribute = self.self_attribute(node)
            if attribute is not None:
                return self.env.get(attribute)
            base = self.expr(node.value)
            return extend(base, node.attr) if isinstance(base, Node) and node.attr not in _NOT_KEYS else None
        if isinstance(node, ast.Subscript):
            return self.subscript(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Dict):
            return self.literal(node)
        if isinstance(node, ast.NamedExpr):
            value = self.expr(node.value)
            self.bind(node.target, value)
            return value
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            self.comprehension(node)
            return None
        if isinstance(node, ast.Lambda):
            return None
        results = [self.expr(c) for c in ast.iter_child_nodes(node) if isinstance(c, ast.expr)]
        if isinstance(node, (ast.BoolOp, ast.IfExp)):
            return next((r for r in results[1:] if r is not None), results[0] if results else None)
        return None

    def self_attribute(self, node: ast.expr) -> str | None:
        if self.cls is not None and isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            return f"self.{node.attr}" if node.value.id == "self" else None
        return None

    def subscript(self, node: ast.Subscript) -> Held | None:
        base = self.expr(node.value)
        key = node.slice
        constant = key.value if isinstance(key, ast.Constant) and isinstance(key.value, (str, int)) else None
        if constant is None:
            self.expr(key)
        if isinstance(base, Struct):
            return base.get(str(constant)) if constant is not None else None
        if isinstance(base, Node):
            return extend(base, constant if constant is not None and not isinstance(constant, bool) else ITEM)
        return None

    def literal(self, node: ast.Dict) -> Struct | None:
        items: list[tuple[str, Held]] = []
        for key, value in zip(node.keys, node.values):
            held = self.expr(value)
            self.expr(key)
            if held is not None and isinstance(key, ast.Constant) and isinstance(key.value, str):
                items.append((key.value, held))
            elif held is not None:
                self.give_away(held)
        return Struct(tuple(items)) if items else None

    def comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp) -> None:
        saved = dict(self.env)
        for generator in node.generators:
            self.bind_pair(generator.target, self.iterated(generator.iter))
            for condition in generator.ifs:
                self.expr(condition)
        for part in [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]:
            self.expr(part)
        self.env = saved
        return None

    def give_away(self, value: Held | None) -> None:
        """`value` goes where it cannot be followed: its paths escape (plain copies and keys excepted)."""
        if isinstance(value, Node) and not value.weak:
            self.sink.escape(value.path)
        elif isinstance(value, Struct):
            for _, item in value.items:
                self.give_away(item)

    # -- calls -------------------------------------------------------------------------------------

    def call(self, node: ast.Call) -> Held | None:
        func = node.func
        if isinstance(func, ast.Attribute):
            base = self.expr(func.value)
            if isinstance(base, Node) and func.attr in _NOT_KEYS:
                return self.config_method(node, base, func.attr)
        elif not isinstance(func, ast.Name):
            self.expr(func)  # `instantiate(cfg.model)(x)`, `REGISTRY[cfg.kind](...)`
        name = dotted(func, self.module.aliases) or ""
        last = name.rsplit(".", 1)[-1]
        if name in ("hydra.compose", "hydra.experimental.compose"):
            self.arguments(node)
            return Node(())
        if self.is_instantiate(name, func):
            self.instantiate(node)
            return None
        if last == "getattr" and len(node.args) >= 2:
            return self.getattr(node)
        if ".OmegaConf." in f".{name}" or name.startswith("copy."):
            return self.omegaconf(node, last)
        values, keywords = self.arguments(node)
        held = [v for v in [*values, *keywords.values()] if v is not None]
        quiet = last in _HARMLESS or name.startswith(("hydra.", "omegaconf."))
        if held and not self.follow(node, values, keywords) and not quiet:
            for value in held:
                self.give_away(value)
        return None

    def is_instantiate(self, name: str, func: ast.expr) -> bool:
        parts = name.split(".")
        if parts[-1] not in ("instantiate", "call"):
            return False
        if parts[0] == "hydra":
            return True
        return name == "instantiate" and isinstance(func, ast.Name) and self.target(func) is None

    def config_method(self, node: ast.Call, base: Node, method: str) -> Held | None:
        """`cfg.get("x", default)`, `cfg.copy()` and the like on a config path."""
        self.arguments(node, skip=1 if method in ("get", "pop") else 0)
        if method in ("get", "pop") and node.args:
            key = node.args[0]
            text = key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None
            if text is None:
                self.expr(key)
            return extend(base, text if text is not None else ITEM)
        return base if method == "copy" else None

    def getattr(self, node: ast.Call) -> Held | None:
        base = self.expr(node.args[0])
        key = node.args[1]
        for extra in node.args[2:]:
            self.expr(extra)
        if isinstance(base, Node) and isinstance(key, ast.Constant) and isinstance(key.value, str):
            return extend(base, key.value)
        self.expr(key)
        return None

    def omegaconf(self, node: ast.Call, method: str) -> Held | None:
        values, _ = self.arguments(node)
        first = values[0] if values else None
        if method == "select" and isinstance(first, Node) and len(node.args) > 1:
            key = node.args[1]
            if isinstance(key, ast.Constant) and isinstance(key.value, str) and key.value:
                return Node((*first.path, *key.value.split(".")), first.weak)
            return extend(first, ITEM)
        if isinstance(first, Node) and method in _SAME:
            return first
        if isinstance(first, Node) and method in _COPIES:
            return Node(first.path, weak=True)
        return None

    def arguments(self, node: ast.Call, skip: int = 0) -> tuple[list[Held | None], dict[str, Held | None]]:
        values = [self.expr(a) for a in node.args[skip:]]
        keywords = {k.arg or "**": self.expr(k.value) for k in node.keywords}
        return values, keywords

    def instantiate(self, node: ast.Call) -> None:
        positional = bool(node.args) and not isinstance(node.args[0], ast.Starred)
        config = node.args[0] if positional else next((k.value for k in node.keywords if k.arg == "config"), None)
        value = self.expr(config)
        rest = node.args[1:] if positional else node.args
        for argument in [*rest, *(k.value for k in node.keywords if k.arg != "config")]:
            self.give_away(self.expr(argument))  # a config handed to the component: it may instantiate it
        recursive, partial = flag(node, "_recursive_"), flag(node, "_partial_")
        if not isinstance(value, Node):
            if config is not None and root_name(config) not in self.params - self.env.keys():
                self.sink.unknown(self.module.file, node.lineno - 1, recursive is False)
            return
        keywords = tuple(k.arg for k in node.keywords if k.arg is not None and k.arg not in (*_CONTROL, "config"))
        unpacked = any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords)
        count = sum(1 for a in rest if not isinstance(a, ast.Starred))
        site = CallSite(value.path, count, keywords, recursive, partial, unpacked, self.module.file, node.lineno - 1)
        self.sink.site(site)

    # -- following calls into the project ----------------------------------------------------------

    def target(self, func: ast.expr) -> Target | None:
        """The project's function, class or module `func` names."""
        if isinstance(func, ast.Name):
            return self.sink.modules.resolve(func.id, self.module)
        if isinstance(func, ast.Attribute):
            base = self.target(func.value)
            return self.sink.modules.resolve_attribute(base, func.attr) if base is not None else None
        return None

    def follow(self, node: ast.Call, values: list[Held | None], keywords: dict[str, Held | None]) -> bool:
        """Hand the paths to the project's function, method or class they are passed to; False when the
        callee is not the project's."""
        func = node.func
        on_self = isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self"
        if self.cls is not None and on_self and isinstance(func, ast.Attribute):
            method = self.method(self.cls, func.attr)
            if method is None:
                return False
            self.pass_to(self.module, method, self.cls, values, keywords, offset=1)
            return True
        target = self.target(func)
        if target is None:
            return False
        if target.function is not None:
            self.pass_to(target.module, target.function, None, values, keywords, offset=0)
        elif target.cls is not None:
            init = self.method(target.cls, "__init__")
            if init is not None:
                self.pass_to(target.module, init, target.cls, values, keywords, offset=1)
        return True

    @staticmethod
    def method(cls: ast.ClassDef, name: str) -> FunctionNode | None:
        methods = (m for m in cls.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)))
        return next((m for m in methods if m.name == name), None)

    def pass_to(
        self,
        module: PyModule,
        fn: FunctionNode,
        cls: ast.ClassDef | None,
        values: list[Held | None],
        keywords: dict[str, Held | None],
        offset: int,
    ) -> None:
        params = params_of(fn)
        named = {*params, *(a.arg for a in fn.args.kwonlyargs)}
        env: dict[str, Held] = {}
        for index, value in enumerate(values):
            if value is not None and index + offset < len(params):
                env[params[index + offset]] = value
            elif value is not None:
                self.give_away(value)  # into *args
        for key, value in keywords.items():
            if value is not None and key in named:
                env[key] = value
            elif value is not None:
                self.give_away(value)  # into **kwargs
        if env:
            self.sink.enqueue(module, fn, cls, env)
