"""What the index knows about a dotpath: plain, serialisable records."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ParamKind(StrEnum):
    POSITIONAL_ONLY = "positional-only"
    POSITIONAL_OR_KEYWORD = "positional or keyword"
    VAR_POSITIONAL = "variadic positional"
    KEYWORD_ONLY = "keyword-only"
    VAR_KEYWORD = "variadic keyword"


@dataclass(frozen=True)
class TypeSpec:
    """An annotation, reduced to what a config value can be checked against.

    kind: any | none | bool | int | float | str | list | tuple | dict | literal | enum | union | unknown
    """

    kind: str
    args: tuple[TypeSpec, ...] = ()
    values: tuple[str, ...] = ()
    """Literal values (as Python reprs) or Enum member names."""
    name: str = ""
    """The type's canonical path (for enum and unknown)."""


ANY = TypeSpec("any")
UNKNOWN = TypeSpec("unknown")


@dataclass(frozen=True)
class Parameter:
    name: str
    kind: ParamKind
    annotation: str | None = None
    """As written in the source."""
    default: str | None = None
    """Source text of the default; None when the parameter has none."""
    doc: str | None = None
    type: TypeSpec = UNKNOWN
    line: int | None = None
    """1-based line of the parameter in its file."""

    @property
    def required(self) -> bool:
        return self.default is None and self.kind not in (ParamKind.VAR_POSITIONAL, ParamKind.VAR_KEYWORD)

    @property
    def by_keyword(self) -> bool:
        """Can a config key (a keyword argument) set it?"""
        return self.kind in (ParamKind.POSITIONAL_OR_KEYWORD, ParamKind.KEYWORD_ONLY)

    def render(self) -> str:
        star = {ParamKind.VAR_POSITIONAL: "*", ParamKind.VAR_KEYWORD: "**"}.get(self.kind, "")
        text = star + self.name
        if self.annotation:
            text += f": {self.annotation}"
        if self.default is not None:
            text += f" = {self.default}" if self.annotation else f"={self.default}"
        return text


@dataclass(frozen=True)
class Location:
    file: str
    line: int
    """1-based."""


@dataclass(frozen=True)
class Forward:
    """Where a callable passes its `**kwargs` on: one call, read statically from its body."""

    target: str
    """The callee's dotpath ("" when the callee is not statically known)."""
    passed: tuple[str, ...] = ()
    """Keyword names given explicitly at that call beside the `**kwargs` (a key among them is given twice)."""
    positional: tuple[str, ...] = ()
    """The caller's parameter passed at each position ("" for anything but a plain parameter)."""
    keywords: tuple[tuple[str, str], ...] = ()
    """(callee keyword, caller parameter) for keyword arguments that pass a parameter on as it is."""
    when: tuple[str, str] | None = None
    """Only when this parameter of the caller has this literal value, as (name, value): the packaged
    dataset builder `datasets.load_dataset` picks by `path`."""


@dataclass(frozen=True)
class Symbol:
    """A resolved dotpath."""

    path: str
    """The dotpath as written."""
    target: str
    """Where it is defined (after re-exports, rebinding and partials)."""
    kind: str
    """module | class | function | partial | attribute | compiled"""
    callable: bool
    parameters: tuple[Parameter, ...] | None = None
    """None when unknown (compiled code, or a callable we cannot read)."""
    doc: str = ""
    location: Location | None = None
    note: str = ""
    """Why the signature is unknown, when it is."""
    forwards: tuple[Forward, ...] = ()
    """Where the `**kwargs` go (index/forwarding.py): one unconditional Forward, or Forwards each with a
    `when`; empty when not statically known."""
    accepts: tuple[str, ...] = ()
    """Keys the callable takes out of its `**kwargs` itself (`kwargs.pop("key")`)."""

    def parameter(self, name: str) -> Parameter | None:
        for param in self.parameters or ():
            if param.name == name:
                return param
        return None

    @property
    def var_keyword(self) -> Parameter | None:
        return next((p for p in self.parameters or () if p.kind is ParamKind.VAR_KEYWORD), None)

    @property
    def short_name(self) -> str:
        return self.path.rsplit(".", 1)[-1]

    def signature(self) -> str:
        """`name(a: int, b=2, *, c, **kw)` as Python prints it."""
        if self.parameters is None:
            return f"{self.short_name}(...)"
        parts: list[str] = []
        star_done = False
        for param in self.parameters:
            if param.kind is ParamKind.KEYWORD_ONLY and not star_done:
                parts.append("*")
            if param.kind in (ParamKind.KEYWORD_ONLY, ParamKind.VAR_POSITIONAL):
                star_done = True
            parts.append(param.render())
            if param.kind is ParamKind.POSITIONAL_ONLY and _last_positional_only(self.parameters, param):
                parts.append("/")
        return f"{self.short_name}({', '.join(parts)})"


def _last_positional_only(params: tuple[Parameter, ...], param: Parameter) -> bool:
    later = params[params.index(param) + 1 :]
    return not any(p.kind is ParamKind.POSITIONAL_ONLY for p in later)


class Status(StrEnum):
    OK = "ok"
    NOT_INSTALLED = "not-installed"
    UNKNOWN_MODULE = "unknown-module"
    UNKNOWN_MEMBER = "unknown-member"
    INVALID = "invalid-dotpath"
    UNREADABLE = "unreadable"
    """A module on the way does not parse, or resolution ran out of depth or time."""


@dataclass(frozen=True)
class Resolution:
    dotpath: str
    status: Status
    symbol: Symbol | None = None
    segment: int = 0
    """Index of the offending segment (for errors)."""
    candidates: tuple[str, ...] = ()
    """Names that exist where the offending segment was looked up."""
    message: str = ""


@dataclass(frozen=True)
class Member:
    """An entry of a module, for completion."""

    name: str
    kind: str
    """module | class | function | attribute | unknown"""
    public: bool


@dataclass
class ModuleListing:
    members: list[Member] = field(default_factory=list)
