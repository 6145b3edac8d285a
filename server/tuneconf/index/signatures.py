"""Symbols with signatures from what the loader found: functions, classes (own, inherited or
dataclass `__init__`, or `__new__`), and partials (the signature inspect.signature gives them)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

import griffe

from tuneconf.index.annotations import TypeResolver
from tuneconf.index.docstrings import parameter_docs
from tuneconf.index.forwarding import ForwardReader
from tuneconf.index.loader import Budget, CompiledRef, Loader, Missing, ModuleRef, ObjRef, PartialRef, Ref, Visited
from tuneconf.index.records import Location, Parameter, ParamKind, Symbol

_DATACLASS = {"dataclasses.dataclass", "dataclass", "pydantic.dataclasses.dataclass"}
_SKIP_BASES = {"typing.Generic", "typing.Protocol", "abc.ABC", "typing_extensions.Protocol"}
_PLAIN_BASES = {"object", "builtins.object"}
MAX_BASES = 12


class SymbolBuilder:
    def __init__(self, loader: Loader) -> None:
        self.loader = loader
        self.types = TypeResolver(loader)
        self.forwarding = ForwardReader(loader)

    def build(self, path: str, ref: Ref, budget: Budget) -> Symbol:
        ref = self.loader.settle(ref, budget, 0)
        if isinstance(ref, CompiledRef):
            location = Location(str(ref.file), 1) if ref.file else None
            note = "compiled module: signature unknown"
            return Symbol(path, ref.path, "compiled", True, None, location=location, note=note)
        if isinstance(ref, ModuleRef):
            file = ref.visited.file.path
            doc = _doc(ref.visited.module) if ref.visited.module is not None else ""
            return Symbol(path, ref.path, "module", False, None, doc, Location(str(file), 1) if file else None)
        if isinstance(ref, PartialRef):
            return self._partial(path, ref, budget)
        return self._object(path, ref, budget)

    def _object(self, path: str, ref: ObjRef, budget: Budget) -> Symbol:
        obj = ref.obj
        location = _location(ref.visited, obj.lineno)
        doc = ref.visited.assigned_docs.get(obj.name) or _doc(obj)
        if isinstance(obj, griffe.Function):
            params = self._parameters(obj, ref.visited, doc, drop_first=False)
            forwards, accepts = self.forwarding.read(obj, ref.visited, ref.path, budget)
            return Symbol(path, ref.path, "function", True, params, doc, location, forwards=forwards, accepts=accepts)
        if isinstance(obj, griffe.Class):
            init, init_doc, method, where = self._class_parameters(obj, ref.visited, budget)
            forwards, accepts = self.forwarding.read(method, where, ref.path, budget)
            doc = doc or init_doc
            return Symbol(path, ref.path, "class", True, init, doc, location, forwards=forwards, accepts=accepts)
        return Symbol(path, ref.path, "attribute", False, None, doc, location)

    def _partial(self, path: str, ref: PartialRef, budget: Budget) -> Symbol:
        inner = self.build(path, ref.func, budget)
        doc = ref.visited.assigned_docs.get(ref.attribute.name) or inner.doc
        location = _location(ref.visited, ref.attribute.lineno)
        params: tuple[Parameter, ...] | None = None
        if inner.parameters is not None:
            params = _apply_partial(inner.parameters, ref.args, ref.keywords)
        if params is not None and doc is not inner.doc:
            docs = parameter_docs(doc)
            params = tuple(_with_doc(p, docs.get(p.name)) for p in params)
        return Symbol(
            path,
            ref.path,
            "partial",
            inner.callable,
            params,
            doc,
            location,
            note=inner.note,
            forwards=inner.forwards,
            accepts=inner.accepts,
        )

    # -- parameters --------------------------------------------------------------------------------

    def _parameters(self, func: griffe.Function, visited: Visited, doc: str, drop_first: bool) -> tuple[Parameter, ...]:
        docs = parameter_docs(doc) if doc else {}
        params = list(func.parameters)[1:] if drop_first else list(func.parameters)
        lines = visited.lines[(func.lineno or 1) - 1 : func.endlineno or None]
        result = []
        for p in params:
            kind = ParamKind(p.kind.value) if p.kind else ParamKind.POSITIONAL_OR_KEYWORD  # the same values
            variadic = kind in (ParamKind.VAR_POSITIONAL, ParamKind.VAR_KEYWORD)
            default = None if p.default is None or variadic else p.default  # griffe gives **kw a fake {}
            result.append(
                Parameter(
                    name=p.name,
                    kind=kind,
                    annotation=str(p.annotation) if p.annotation is not None else None,
                    default=str(default) if default is not None else None,
                    doc=docs.get(p.name),
                    type=self.types.spec(p.annotation, default),
                    line=_line_of(p.name, lines, func.lineno),
                )
            )
        return tuple(result)

    def _class_parameters(
        self, cls: griffe.Class, visited: Visited, budget: Budget
    ) -> tuple[tuple[Parameter, ...] | None, str, griffe.Function | None, Visited]:
        """inspect.signature's choice: the first class in the MRO defining __init__ or __new__
        (with that method and its module, where its body says where **kwargs go)."""
        unread: list[str] = []
        for klass, where in self._mro(cls, visited, budget, unread):
            if _is_dataclass(klass):
                return self._dataclass_fields(klass, where, budget), "", None, where
            for method in ("__init__", "__new__"):
                member = klass.members.get(method)
                if isinstance(member, griffe.Function):
                    doc = _doc(member) or _doc(klass)
                    return self._parameters(member, where, doc, drop_first=True), _doc(member), member, where
        if unread:  # a base that cannot be read (a package not installed here) may define __init__
            return None, "", None, visited
        return (), "", None, visited

    def _mro(
        self, cls: griffe.Class, visited: Visited, budget: Budget, unread: list[str] | None = None
    ) -> Iterator[tuple[griffe.Class, Visited]]:
        """Classes in (depth-first, left-to-right) method resolution order, across modules, lazily:
        bases are read only when the classes before them do not decide. Bases that cannot be read go
        to `unread`."""
        stack = [(cls, visited)]
        seen: set[str] = set()
        while stack and len(seen) < MAX_BASES:
            klass, where = stack.pop(0)
            if klass.path in seen:
                continue
            seen.add(klass.path)
            yield klass, where
            stack[0:0] = self._bases(klass, budget, unread if unread is not None else [])

    def _bases(self, klass: griffe.Class, budget: Budget, unread: list[str]) -> list[tuple[griffe.Class, Visited]]:
        found = []
        for base in klass.bases:
            target = base.left if isinstance(base, griffe.ExprSubscript) else base
            path = str(getattr(target, "canonical_path", target))
            if path in _SKIP_BASES or path in _PLAIN_BASES:
                continue
            if "." not in path:
                unread.append(path)  # a name the module does not define or import (a star import, a builtin)
                continue
            try:
                ref = self.loader.settle(self.loader.lookup(path, budget), budget, 0)
            except Missing:
                unread.append(path)
                continue
            if isinstance(ref, ObjRef) and isinstance(ref.obj, griffe.Class):
                found.append((ref.obj, ref.visited))
            else:
                unread.append(path)
        return found

    def _dataclass_fields(self, klass: griffe.Class, visited: Visited, budget: Budget) -> tuple[Parameter, ...]:
        fields: dict[str, Parameter] = {}
        for base, _where in reversed(list(self._mro(klass, visited, budget))):
            if not _is_dataclass(base):
                continue
            for name, member in base.members.items():
                if not isinstance(member, griffe.Attribute) or member.annotation is None:
                    continue
                if "ClassVar" in str(member.annotation) or _field_option(member.value, "init") == "False":
                    fields.pop(name, None)
                    continue
                default = _dataclass_default(member.value)
                fields[name] = Parameter(
                    name,
                    ParamKind.POSITIONAL_OR_KEYWORD,
                    str(member.annotation),
                    default,
                    type=self.types.spec(member.annotation, default),
                    line=member.lineno,
                )
        return tuple(fields.values())


def _apply_partial(params: tuple[Parameter, ...], args: int, keywords: dict[str, str]) -> tuple[Parameter, ...]:
    """The signature of functools.partial(f, *args, **keywords), as inspect.signature computes it."""
    result: list[Parameter] = []
    moved: list[Parameter] = []
    to_keyword_only = False
    remaining = args
    for param in params:
        positional = param.kind in (ParamKind.POSITIONAL_ONLY, ParamKind.POSITIONAL_OR_KEYWORD)
        if positional and remaining > 0:
            remaining -= 1
            continue
        if param.name in keywords and param.kind is not ParamKind.POSITIONAL_ONLY:
            param = _replace(param, default=keywords[param.name])
            if param.kind is ParamKind.POSITIONAL_OR_KEYWORD:
                to_keyword_only = True
        if to_keyword_only:
            if param.kind is ParamKind.POSITIONAL_OR_KEYWORD:
                moved.append(_replace(param, kind=ParamKind.KEYWORD_ONLY))
                continue
            if param.kind in (ParamKind.KEYWORD_ONLY, ParamKind.VAR_KEYWORD):
                moved.append(param)
                continue
            if param.kind is ParamKind.VAR_POSITIONAL:
                continue
        result.append(param)
    return tuple(result + moved)


def _replace(param: Parameter, **changes: Any) -> Parameter:
    return dataclasses.replace(param, **changes)


def _with_doc(param: Parameter, doc: str | None) -> Parameter:
    """The partial's own docstring describes its parameters better than the wrapped function's."""
    return param if doc is None else _replace(param, doc=doc)


def _is_dataclass(klass: griffe.Class) -> bool:
    for decorator in klass.decorators:
        value = decorator.value
        target = value.function if isinstance(value, griffe.ExprCall) else value
        if str(getattr(target, "canonical_path", target)) in _DATACLASS:
            return True
    return False


def _field_option(value: object, option: str) -> str | None:
    if isinstance(value, griffe.ExprCall) and str(getattr(value.function, "canonical_path", "")).endswith("field"):
        for arg in value.arguments:
            if isinstance(arg, griffe.ExprKeyword) and arg.name == option:
                return str(arg.value)
    return None


def _dataclass_default(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, griffe.ExprCall) and str(getattr(value.function, "canonical_path", "")).endswith("field"):
        default = _field_option(value, "default")
        if default is not None:
            return default
        return "<factory>" if _field_option(value, "default_factory") is not None else None
    return str(value)


def _doc(obj: griffe.Object | None) -> str:
    return obj.docstring.value if obj is not None and obj.docstring is not None else ""


def _location(visited: Visited, line: int | None) -> Location | None:
    path = visited.file.path
    return Location(str(path), line or 1) if path is not None else None


def _line_of(name: str, lines: list[str], first: int | None) -> int | None:
    pattern = re.compile(rf"(?<![\w.]){re.escape(name)}\s*[:=,)]|\*\*?{re.escape(name)}\b")
    for offset, line in enumerate(lines):
        if pattern.search(line):
            return (first or 1) + offset
    return None
