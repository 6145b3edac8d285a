"""Does a config value fit a parameter's annotation? And which values does the annotation allow?

Lenient where Python is: ints pass for floats, bools for ints, any sequence for a list. Values we
cannot judge (interpolations, `???`, nested components, unknown types) always pass.
"""

from __future__ import annotations

from tuneconf.document.tree import Mapping, Node, Scalar, Sequence, deref
from tuneconf.index.annotations import literal_value
from tuneconf.index.records import TypeSpec

MAX_ITEMS = 200


def is_opaque(node: Node | None, component_keys: tuple[str, ...]) -> bool:
    """Values nobody can type-check statically: interpolations, `???`, instantiated components."""
    node = deref(node)
    if isinstance(node, Scalar):
        return isinstance(node.value, str) and ("${" in node.value or node.value == "???")
    if isinstance(node, Mapping):
        return any(node.get(key) is not None for key in component_keys)
    return node is None


def mismatch(node: Node | None, spec: TypeSpec, component_keys: tuple[str, ...] = ("_component_",)) -> str | None:
    """Why the value does not fit `spec` ("expects int, got the string 'x'"), or None when it fits."""
    node = deref(node)
    if is_opaque(node, component_keys) or node is None:
        return None
    if _fits(node, spec, component_keys):
        return None
    item = _first_bad_item(node, spec, component_keys)
    got = f"{_describe_value(node)} whose item {_describe_value(item)} does not fit" if item else _describe_value(node)
    return f"expects {describe(spec)}, got {got}"


def _first_bad_item(node: Node, spec: TypeSpec, keys: tuple[str, ...]) -> Node | None:
    lists = [s for s in (spec, *spec.args) if s.kind == "list" and s.args]
    if not isinstance(node, Sequence) or not lists:
        return None
    for item in node.items[:MAX_ITEMS]:
        target = deref(item)
        if target is not None and not is_opaque(target, keys) and not _fits(target, lists[0].args[0], keys):
            return target
    return None


def _fits(node: Node, spec: TypeSpec, keys: tuple[str, ...]) -> bool:
    kind = spec.kind
    if kind in ("any", "unknown"):
        return True
    if kind == "union":
        return any(_fits(node, arg, keys) for arg in spec.args)
    if isinstance(node, Scalar):
        return _scalar_fits(node.value, spec)
    if isinstance(node, Sequence):
        if kind == "list":
            item = spec.args[0] if spec.args else TypeSpec("any")
            return all(is_opaque(i, keys) or _fits_deref(i, item, keys) for i in node.items[:MAX_ITEMS])
        if kind == "tuple":
            if len(spec.args) == len(node.items):
                return all(is_opaque(i, keys) or _fits_deref(i, a, keys) for i, a in zip(node.items, spec.args))
            return len(spec.args) <= 1 or not spec.args
        return False
    if isinstance(node, Mapping):
        return kind == "dict"
    return True


def _fits_deref(node: Node, spec: TypeSpec, keys: tuple[str, ...]) -> bool:
    target = deref(node)
    return True if target is None else _fits(target, spec, keys)


def _scalar_fits(value: object, spec: TypeSpec) -> bool:
    kind = spec.kind
    if kind == "none":
        return value is None
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int)
    if kind == "float":
        return isinstance(value, (int, float))
    if kind == "str":
        return isinstance(value, str)
    if kind == "literal":
        return any(value == literal_value(v) and type(value) is type(literal_value(v)) for v in spec.values)
    if kind == "enum":
        return isinstance(value, str) and value in spec.values
    return False


def describe(spec: TypeSpec) -> str:
    kind = spec.kind
    if kind == "union":
        return " or ".join(dict.fromkeys(describe(a) for a in spec.args))
    if kind == "none":
        return "null"
    if kind == "literal":
        return "one of " + ", ".join(spec.values)
    if kind == "enum":
        return f"a member of {spec.name.rsplit('.', 1)[-1]} ({', '.join(spec.values[:8])})"
    if kind == "list":
        return f"a list of {describe(spec.args[0])}" if spec.args and spec.args[0].kind != "any" else "a list"
    if kind == "tuple":
        return "a list (tuple)"
    if kind == "dict":
        return "a mapping"
    return kind


def _describe_value(node: Node) -> str:
    if isinstance(node, Sequence):
        return "a list"
    if isinstance(node, Mapping):
        return "a mapping"
    assert isinstance(node, Scalar)
    value = node.value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the bool {node.text}"
    if isinstance(value, (int, float)):
        return f"the {type(value).__name__} {node.text}"
    return f"the string {node.text!r}"


def allowed_values(spec: TypeSpec) -> list[str]:
    """Values to offer in completion, as YAML text: booleans, Literal and Enum members, null."""
    values: list[str] = []
    kind = spec.kind
    if kind == "union":
        for arg in spec.args:
            values.extend(v for v in allowed_values(arg) if v not in values)
    elif kind == "bool":
        values = ["True", "False"]
    elif kind == "none":
        values = ["null"]
    elif kind == "literal":
        values = [_yaml_text(literal_value(v)) for v in spec.values]
    elif kind == "enum":
        values = list(spec.values)
    return values


def _yaml_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    return str(value)
