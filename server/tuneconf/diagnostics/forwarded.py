"""A key that goes into a component's `**kwargs`, followed to where the kwargs go.

The index records, per callable, the one call its `**kwargs` are passed to (index/forwarding.py);
here a key is followed along those calls (chat_dataset → SFTDataset → datasets.load_dataset) until
a parameter takes it (it lands: information), a callee without `**kwargs` does not take it, or a
call passes it explicitly already (TypeError at run time: an error). At `datasets.load_dataset` the
rest become fields of the config of the builder its `path` names: for a packaged builder (json, csv,
parquet, …) that config class is known, and a key it does not have is an error; for a hub dataset
(or a local folder) the builder is not known without reading it, and a key that no packaged
builder's config has is a warning. Unknown anywhere (a callee not read yet, an interpolated source)
gives None: the caller keeps its information, and the server checks again once the index knows.

Codes (made in components.py): kwargs-argument (information), unexpected-argument (error),
forwarded-argument (warning).
"""

from __future__ import annotations

import ast
import dataclasses
from dataclasses import dataclass

from tuneconf.context import AnalysisContext
from tuneconf.document.components import Component
from tuneconf.document.tree import Node, Scalar, deref
from tuneconf.findings import Severity
from tuneconf.index.records import Forward, Parameter, ParamKind, Symbol

MAX_HOPS = 6
_POSITIONAL = (ParamKind.POSITIONAL_ONLY, ParamKind.POSITIONAL_OR_KEYWORD)


class _Unknown:
    """A value not known statically (an interpolation, a mapping, a required parameter)."""


UNKNOWN = _Unknown()
Values = dict[str, object]


@dataclass(frozen=True)
class Verdict:
    severity: Severity
    """INFORMATION: the key lands on a parameter or field; ERROR / WARNING: the run fails / may fail."""
    message: str
    names: tuple[str, ...] = ()
    """Keys that would be taken where it failed (for a did-you-mean)."""


def follow(component: Component, symbol: Symbol, key: str, ctx: AnalysisContext) -> Verdict | None:
    """Where `key` (not a parameter of `symbol`, so in its **kwargs) goes; None when not known."""
    values: Values = {p.name: _default(p) for p in symbol.parameters or ()}
    for pair in component.mapping.pairs:
        if pair.name is not None:
            values[pair.name] = _literal(pair.value)
    return _hop(key, symbol, values, ctx, (symbol.short_name,))


def _hop(key: str, symbol: Symbol, values: Values, ctx: AnalysisContext, route: tuple[str, ...]) -> Verdict | None:
    kwargs = symbol.var_keyword
    if kwargs is None or len(route) > MAX_HOPS:
        return None
    if key in symbol.accepts:
        return _lands(route, f"{symbol.short_name} accepts it in **{kwargs.name}")
    plain = [f for f in symbol.forwards if f.when is None]
    if len(plain) == 1 and plain[0].target:
        return _through(key, symbol, plain[0], values, ctx, route)
    chosen = [f for f in symbol.forwards if f.when is not None]
    if chosen and not plain:
        return _builder(key, symbol, chosen, values, ctx, route)
    return None


def _through(
    key: str, caller: Symbol, forward: Forward, values: Values, ctx: AnalysisContext, route: tuple[str, ...]
) -> Verdict | None:
    """The key at the call `caller` makes with its **kwargs."""
    resolution = ctx.resolve_or_defer(forward.target)
    callee = resolution.symbol if resolution is not None else None
    if callee is None or callee.parameters is None or not callee.callable:
        return None
    slots = [p.name for p in callee.parameters if p.kind in _POSITIONAL]
    taken = {*forward.passed, *slots[: len(forward.positional)]}
    here = (*route, callee.short_name)
    if key in taken:
        message = (
            f"it goes through {_path(route)} to {callee.short_name}, which {caller.short_name} already passes "
            f"{key}: {callee.short_name}() gets it twice (TypeError at run time)."
        )
        return Verdict(Severity.ERROR, message)
    param = callee.parameter(key)
    if param is not None and param.by_keyword:
        return _lands(here, f"it is a parameter of {callee.short_name}")
    names = tuple(p.name for p in callee.parameters if p.by_keyword and p.name not in taken)
    if callee.var_keyword is None:
        message = f"it goes through {_path(here)}, which does not take it (TypeError at run time)."
        return Verdict(Severity.ERROR, message, names)
    passed_on = {k: v for k, v in values.items() if caller.parameter(k) is None}
    verdict = _hop(key, callee, _bind(forward, callee, values, passed_on, slots), ctx, here)
    if verdict is None or verdict.severity is Severity.INFORMATION:
        return verdict
    return dataclasses.replace(verdict, names=names + verdict.names)


def _bind(forward: Forward, callee: Symbol, values: Values, passed_on: Values, slots: list[str]) -> Values:
    """The callee's parameter values at the call, as far as they are known."""
    bound: Values = {p.name: _default(p) for p in callee.parameters or ()}
    bound.update(passed_on)
    bound.update({name: UNKNOWN for name in forward.passed})
    for slot, name in zip(slots, forward.positional, strict=False):
        bound[slot] = values.get(name, UNKNOWN) if name else UNKNOWN
    for keyword, name in forward.keywords:
        bound[keyword] = values.get(name, UNKNOWN)
    return bound


def _builder(
    key: str, symbol: Symbol, forwards: list[Forward], values: Values, ctx: AnalysisContext, route: tuple[str, ...]
) -> Verdict | None:
    """`datasets.load_dataset`: the key becomes a field of the config of the builder `path` names."""
    assert forwards[0].when is not None
    selector = forwards[0].when[0]
    source = values.get(selector)
    if not isinstance(source, str):
        return None
    match = next((f for f in forwards if f.when is not None and f.when[1] == source), None)
    if match is not None:
        return _packaged(key, symbol, match, source, ctx, route) if match.target else None
    configs = [ctx.resolve_or_defer(f.target) for f in forwards if f.target]
    symbols = [r.symbol for r in configs if r is not None and r.symbol is not None and r.symbol.parameters]
    if None in configs or any(s.parameter(key) is not None for s in symbols):
        return None  # not known yet, or a field some builder's config has: it may land
    fields = {p.name for s in symbols for p in s.parameters or () if p.by_keyword}
    message = (
        f"it goes through {_path(route)} into the config of the dataset builder: if {source} has no such "
        f"config field, loading fails (no packaged builder's config has one)."
    )
    return Verdict(Severity.WARNING, message, (*symbol.accepts, *sorted(fields)))


def _packaged(
    key: str, symbol: Symbol, forward: Forward, source: str, ctx: AnalysisContext, route: tuple[str, ...]
) -> Verdict | None:
    resolution = ctx.resolve_or_defer(forward.target)
    config = resolution.symbol if resolution is not None else None
    if config is None or config.parameters is None:
        return None
    param = config.parameter(key)
    what = f"{config.short_name}, the config of the '{source}' dataset builder"
    if param is not None and param.by_keyword:
        return _lands(route, f"it is a field of {what}")
    message = (
        f"it goes through {_path(route)} to {what}, which has no such field: "
        f"{config.short_name}() raises TypeError at run time."
    )
    names = (*symbol.accepts, *(p.name for p in config.parameters if p.by_keyword))
    return Verdict(Severity.ERROR, message, names)


def _lands(route: tuple[str, ...], where: str) -> Verdict:
    return Verdict(Severity.INFORMATION, f"it goes through {_path(route)}, where {where}.")


def _path(route: tuple[str, ...]) -> str:
    return " → ".join(route)


def _literal(node: Node | None) -> object:
    value = deref(node)
    if not isinstance(value, Scalar) or (isinstance(value.value, str) and "${" in value.value):
        return UNKNOWN
    return value.value


def _default(param: Parameter) -> object:
    if param.default is None:
        return UNKNOWN
    try:
        return ast.literal_eval(param.default)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return UNKNOWN
