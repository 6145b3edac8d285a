"""Annotations reduced to TypeSpecs that config values can be checked against and completed from."""

from __future__ import annotations

import ast

import griffe

from tuneconf.index.loader import Budget, Loader, Missing, ObjRef
from tuneconf.index.records import ANY, UNKNOWN, TypeSpec

_SIMPLE = {
    "int": "int",
    "float": "float",
    "bool": "bool",
    "str": "str",
    "None": "none",
    "NoneType": "none",
    "typing.Any": "any",
    "object": "any",
}
_LISTS = {
    "list",
    "typing.List",
    "typing.Sequence",
    "collections.abc.Sequence",
    "typing.Iterable",
    "collections.abc.Iterable",
    "typing.MutableSequence",
    "set",
    "typing.Set",
    "frozenset",
}
_TUPLES = {"tuple", "typing.Tuple"}
_DICTS = {"dict", "typing.Dict", "typing.Mapping", "collections.abc.Mapping", "typing.MutableMapping"}
_UNIONS = {"typing.Union", "typing_extensions.Union"}
_OPTIONALS = {"typing.Optional", "typing_extensions.Optional"}
_LITERALS = {"typing.Literal", "typing_extensions.Literal"}
_ENUM_BASES = {"enum.Enum", "enum.IntEnum", "enum.StrEnum"}
MAX_ALIAS_DEPTH = 6
# Types from these are classes a config value cannot be (tensors, dtypes, typing forms): reading
# their modules (torch/_tensor.py, typing.py) to find out would cost more than it tells.
_OPAQUE_PACKAGES = {"typing", "typing_extensions", "collections", "builtins", "abc", "torch", "numpy", "os", "pathlib"}


class TypeResolver:
    def __init__(self, loader: Loader) -> None:
        self.loader = loader

    def spec(self, annotation: object, default: object = None) -> TypeSpec:
        """The TypeSpec of an annotation; `x: int = None` counts as Optional[int], as type checkers did."""
        if annotation is None:
            return UNKNOWN
        try:
            result = self._spec(annotation, MAX_ALIAS_DEPTH)
        except (Missing, RecursionError):
            return UNKNOWN
        if (
            default is not None
            and str(default) == "None"
            and result.kind not in ("any", "unknown", "none")
            and not _allows_none(result)
        ):
            return TypeSpec("union", (result, TypeSpec("none")))
        return result

    def _spec(self, expr: object, depth: int) -> TypeSpec:
        if isinstance(expr, str):
            return self._from_text(expr, depth)
        if isinstance(expr, griffe.ExprBinOp) and expr.operator == "|":
            return _union([self._spec(expr.left, depth), self._spec(expr.right, depth)])
        if isinstance(expr, griffe.ExprSubscript):
            return self._subscript(expr, depth)
        if isinstance(expr, (griffe.ExprName, griffe.ExprAttribute)):
            return self._named(expr.canonical_path, depth)
        if isinstance(expr, griffe.ExprConstant):
            return self._from_text(str(expr.value), depth)
        return UNKNOWN

    def _from_text(self, text: str, depth: int) -> TypeSpec:
        text = text.strip()
        if text in ("None",):
            return TypeSpec("none")
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":  # a forward reference
            return UNKNOWN
        return TypeSpec(_SIMPLE[text]) if text in _SIMPLE else UNKNOWN

    def _subscript(self, expr: griffe.ExprSubscript, depth: int) -> TypeSpec:
        head = str(getattr(expr.left, "canonical_path", expr.left))
        items = list(expr.slice.elements) if isinstance(expr.slice, griffe.ExprTuple) else [expr.slice]
        if head in _OPTIONALS:
            return _union([self._spec(items[0], depth), TypeSpec("none")])
        if head in _UNIONS:
            return _union([self._spec(item, depth) for item in items])
        if head in _LITERALS:
            return TypeSpec("literal", values=tuple(str(item) for item in items))
        if head in _LISTS:
            return TypeSpec("list", (self._spec(items[0], depth),))
        if head in _TUPLES:
            return TypeSpec("tuple", tuple(self._spec(i, depth) for i in items if str(i) != "..."))
        if head in _DICTS:
            return TypeSpec("dict", tuple(self._spec(i, depth) for i in items[:2]))
        if head in ("typing.Annotated", "typing_extensions.Annotated"):
            return self._spec(items[0], depth)
        return UNKNOWN

    def _named(self, path: str, depth: int) -> TypeSpec:
        if path in _SIMPLE:
            return TypeSpec(_SIMPLE[path])
        if path in _LISTS:
            return TypeSpec("list", (ANY,))
        if path in _TUPLES:
            return TypeSpec("tuple")
        if path in _DICTS:
            return TypeSpec("dict", (ANY, ANY))
        if "." not in path or depth <= 0 or path.split(".", 1)[0] in _OPAQUE_PACKAGES:
            return TypeSpec("unknown", name=path)
        ref = self.loader.settle(self.loader.lookup(path, Budget(steps=40, seconds=1.0)), Budget(40, 1.0), 0)
        if isinstance(ref, ObjRef) and isinstance(ref.obj, griffe.Attribute) and ref.obj.value is not None:
            return self._spec(ref.obj.value, depth - 1)  # a type alias such as LORA_ATTN_MODULES
        if isinstance(ref, ObjRef) and isinstance(ref.obj, griffe.Class):
            bases = {str(getattr(b, "canonical_path", b)) for b in ref.obj.bases}
            if bases & _ENUM_BASES:
                members = tuple(
                    n for n, m in ref.obj.members.items() if isinstance(m, griffe.Attribute) and not n.startswith("_")
                )
                return TypeSpec("enum", values=members, name=path)
        return TypeSpec("unknown", name=path)


def _union(parts: list[TypeSpec]) -> TypeSpec:
    flat: list[TypeSpec] = []
    for part in parts:
        flat.extend(part.args if part.kind == "union" else (part,))
    return TypeSpec("union", tuple(flat))


def _allows_none(spec: TypeSpec) -> bool:
    return spec.kind == "union" and any(a.kind in ("none", "any", "unknown") for a in spec.args)


def literal_value(text: str) -> object:
    """A Literal member's Python value from its source text (the text itself when not a literal)."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
