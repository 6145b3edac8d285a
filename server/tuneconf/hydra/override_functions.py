"""The functions of Hydra's override grammar (`choice`, `range`, `interval`, `glob`, `sort`, `shuffle`,
`tag` and the casts `int`, `float`, `str`, `bool`), evaluated as Hydra 1.3 evaluates them.

The intermediate values carry Hydra's class names (`QuotedString`, `ChoiceSweep`, ...) because Hydra's
error messages name them ("mismatch type argument args[0]: Glob is incompatible with ..."). Arguments
are bound to signatures identical to Hydra's, so binding errors read the same; `shuffle` keeps the
order (Hydra's is random).
"""

from __future__ import annotations

import builtins
import inspect
from collections.abc import Callable
from copy import copy
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Quote(Enum):
    single = 0
    double = 1


@dataclass(frozen=True)
class QuotedString:
    text: str
    quote: Quote


@dataclass
class HydraSweep:
    tags: set[str] = field(default_factory=set)


@dataclass
class ChoiceSweep(HydraSweep):
    list: list[Any] = field(default_factory=list)
    simple_form: bool = False
    shuffle: bool = False


@dataclass
class RangeSweep(HydraSweep):
    start: Any = None
    stop: Any = None
    step: Any = 1
    shuffle: bool = False


@dataclass
class IntervalSweep(HydraSweep):
    start: Any = None
    end: Any = None


@dataclass
class Glob:
    include: list[Any] = field(default_factory=list)
    exclude: list[Any] = field(default_factory=list)


class FunctionError(Exception):
    """A function call failed; `message` is Hydra's text for it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_Accepted = tuple[tuple[type, ...], str]  # the types a parameter accepts, and how Hydra prints them
_NONE = type(None)
_ELEMENT: tuple[type, ...] = (str, int, float, bool, list, dict)
_PARSED: tuple[type, ...] = (*_ELEMENT, _NONE, QuotedString)
_CAST: _Accepted = (
    (*_PARSED, HydraSweep),
    "Optional[Union[str, int, float, bool, List[Any], Dict[str, Any], QuotedString, Sweep]]",
)
_NUM: _Accepted = ((int, float), "Union[int, float]")
_SORTABLE: _Accepted = (
    (str, int, bool, float, list, dict, ChoiceSweep, RangeSweep),
    "Union[str, int, bool, float, list, dict, ChoiceSweep, RangeSweep]",
)
_SWEEP_ARG: _Accepted = ((ChoiceSweep, RangeSweep, _NONE), "Optional[Union[ChoiceSweep, RangeSweep]]")
_LIST_ARG: _Accepted = ((list, _NONE), "Optional[List[Any]]")
_CAST_TYPES: dict[str, _Accepted] = {"args": _CAST, "value": _CAST}
# Per function: the accepted types of each parameter and how Hydra prints them.
_TYPES: dict[str, dict[str, _Accepted]] = {
    "bool": _CAST_TYPES,
    "choice": {
        "args": (
            (str, int, float, bool, dict, list, ChoiceSweep),
            "Union[str, int, float, bool, Dict[Any, Any], List[Any], ChoiceSweep]",
        )
    },
    "float": _CAST_TYPES,
    "glob": {
        "include": ((list, str), "Union[List[str], str]"),
        "exclude": ((str, list, _NONE), "Optional[Union[str, List[str]]]"),
    },
    "int": _CAST_TYPES,
    "interval": {"start": _NUM, "end": _NUM},
    "range": {"start": _NUM, "stop": ((int, float, _NONE), "Optional[Union[int, float]]"), "step": _NUM},
    "shuffle": {"args": _SORTABLE, "sweep": _SWEEP_ARG, "list": _LIST_ARG},
    "sort": {"args": _SORTABLE, "sweep": _SWEEP_ARG, "list": _LIST_ARG, "reverse": ((bool,), "bool")},
    "str": _CAST_TYPES,
    "tag": {"args": ((str, HydraSweep), "Union[str, Sweep]"), "sweep": ((HydraSweep, _NONE), "Optional[Sweep]")},
}
_EXACT = {"reverse"}  # a plain (non-Union) annotation: Hydra wants the exact type


def _simple_choice(*args: Any) -> ChoiceSweep:
    for arg in args:
        if not isinstance(arg, _PARSED):
            raise AssertionError
    return ChoiceSweep(list=list(args), simple_form=True)


def _normalize(args: tuple[Any, ...], value: Any) -> Any:
    if args and value is not None:
        raise TypeError("cannot use both position and named arguments")
    if value is not None:
        return value
    if not args:
        raise TypeError("No positional args or value specified")
    return args[0] if len(args) == 1 else _simple_choice(*args)


def _cast(value: Any, convert: Callable[[Any], Any], name: str) -> Any:
    if isinstance(value, QuotedString):
        return _cast(value.text, convert, name)
    if isinstance(value, dict):
        return {k: _cast(v, convert, name) for k, v in value.items()}
    if isinstance(value, list):
        return [_cast(v, convert, name) for v in value]
    if isinstance(value, ChoiceSweep):
        items = []
        for item in value.list:
            items.append(_cast(item, convert, name))
            if not isinstance(items[-1], _ELEMENT):
                raise AssertionError
        return ChoiceSweep(list=items, simple_form=value.simple_form)
    if isinstance(value, RangeSweep):
        if name not in ("int", "float"):
            raise ValueError("Range can only be cast to int or float")
        return RangeSweep(
            start=_cast(value.start, convert, name),
            stop=_cast(value.stop, convert, name),
            step=_cast(value.step, convert, name),
        )
    if isinstance(value, IntervalSweep):
        if name in ("str", "bool"):
            raise ValueError(f"Intervals cannot be cast to {name}")
        return IntervalSweep(
            start=_cast(value.start, convert, name), end=_cast(value.end, convert, name), tags=copy(value.tags)
        )
    if name != "bool" and not isinstance(value, (int, float, bool, str)):
        raise AssertionError
    return convert(value)


def _to_str(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _to_bool(value: Any) -> bool:
    if isinstance(value, str):
        if value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ValueError(f"Cannot cast '{value}' to bool")
    return bool(value)


_CONVERTERS: dict[str, Callable[[Any], Any]] = {"int": int, "float": float, "str": _to_str, "bool": _to_bool}


def _sort_sweep(sweep: ChoiceSweep | RangeSweep, reverse: bool) -> ChoiceSweep | RangeSweep:
    sweep = copy(sweep)
    if isinstance(sweep, ChoiceSweep):
        sweep.list = sorted(sweep.list, reverse=reverse)
        return sweep
    if (not reverse and sweep.start > sweep.stop) or (reverse and sweep.start < sweep.stop):
        sign = 1 if not reverse else -1
        start = sweep.stop + sign * abs(sweep.step)
        sweep.stop = sweep.start + sign * abs(sweep.step)
        sweep.start = start
        sweep.step = -sweep.step
    return sweep


def _sort(*args: Any, sweep: Any = None, list: Any = None, reverse: Any = False) -> Any:
    if list is not None:
        return _sort(list, reverse=reverse)
    if sweep is not None:
        return _sort_sweep(sweep, reverse)
    if len(args) == 1:
        arg = args[0]
        if isinstance(arg, (ChoiceSweep, RangeSweep)):
            return _sort_sweep(arg, reverse)
        if isinstance(arg, builtins.list):
            return sorted(arg, reverse=reverse)
        if isinstance(arg, _PARSED):
            return arg
        raise TypeError(f"Invalid arguments: {args}")
    if not all(isinstance(a, (int, float, bool, str)) for a in args):
        raise TypeError(f"Invalid arguments: {args}")
    if not args:
        raise ValueError("empty sort input")
    return _sort_sweep(_simple_choice(*args), reverse)


def _shuffle(*args: Any, sweep: Any = None, list: Any = None) -> Any:
    if list is not None:
        return _shuffle(list)
    if sweep is not None:
        return _shuffle(sweep)
    if len(args) == 1:
        arg = args[0]
        if isinstance(arg, (ChoiceSweep, RangeSweep)):
            arg = copy(arg)
            arg.shuffle = True
            return arg
        return copy(arg) if isinstance(arg, builtins.list) else [arg]
    choice = _simple_choice(*args)
    choice.shuffle = True
    return choice


def _choice(*args: Any) -> ChoiceSweep:
    if not args:
        raise ValueError("empty choice is not legal")
    if len(args) == 1 and isinstance(args[0], ChoiceSweep):
        if not args[0].simple_form:
            raise ValueError("nesting choices is not supported")
        args[0].simple_form = False
        return args[0]
    return ChoiceSweep(list=list(args))


def _range(start: Any, stop: Any = None, step: Any = 1) -> RangeSweep:
    if stop is None:
        start, stop = 0, start
    return RangeSweep(start=start, stop=stop, step=step)


def _interval(start: Any, end: Any) -> IntervalSweep:
    return IntervalSweep(start=float(start), end=float(end))


def _tag(*args: Any, sweep: Any = None) -> Any:
    if not args:
        raise ValueError("Not enough arguments to tag, must take at least a sweep")
    if sweep is not None:
        return _tag(*args, sweep)
    if not isinstance(args[-1], HydraSweep):
        raise ValueError(
            f"Last argument to tag() must be a choice(), range() or interval(), got {type(sweep).__name__}"
        )
    for tag in args[:-1]:
        if not isinstance(tag, str):
            raise ValueError(f"tag arguments type must be string, got {type(tag).__name__}")
    args[-1].tags = set(args[:-1])
    return args[-1]


def _glob(include: Any, exclude: Any = None) -> Glob:
    include = [include] if isinstance(include, str) else include
    exclude = [] if exclude is None else [exclude] if isinstance(exclude, str) else exclude
    return Glob(include=include, exclude=exclude)


def _make_cast(name: str) -> Callable[..., Any]:
    def cast(*args: Any, value: Any = None) -> Any:
        return _cast(_normalize(args, value), _CONVERTERS[name], name)

    return cast


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "int": _make_cast("int"),
    "str": _make_cast("str"),
    "bool": _make_cast("bool"),
    "float": _make_cast("float"),
    "choice": _choice,
    "range": _range,
    "interval": _interval,
    "tag": _tag,
    "sort": _sort,
    "shuffle": _shuffle,
    "glob": _glob,
}
_SIGNATURES = {name: inspect.signature(func) for name, func in _FUNCTIONS.items()}
_AVAILABLE = ",".join(sorted(_FUNCTIONS))


def _check_types(name: str, sig: inspect.Signature, bound: inspect.BoundArguments) -> None:
    for param, value in bound.arguments.items():
        types, shown = _TYPES[name][param]
        if sig.parameters[param].kind is inspect.Parameter.VAR_POSITIONAL:
            for i, item in enumerate(value):
                if not isinstance(item, types):
                    raise TypeError(
                        f"mismatch type argument {param}[{i}]: {type(item).__name__} is incompatible with {shown}"
                    )
        elif not (type(value) in types if param in _EXACT else isinstance(value, types)):
            raise TypeError(f"mismatch type argument {param}: {type(value).__name__} is incompatible with {shown}")


def evaluate(name: str, args: list[Any], kwargs: dict[str, Any], text: str) -> Any:
    """Call grammar function `name` as Hydra does; `text` is the call as written (for messages)."""
    if name not in _FUNCTIONS:
        message = f"Unknown function '{name}'\nAvailable: {_AVAILABLE}\n"
        raise FunctionError(f"HydraException while evaluating '{text}': {message}")
    args = [a.text if isinstance(a, QuotedString) else a for a in args]
    kwargs = {k: v.text if isinstance(v, QuotedString) else v for k, v in kwargs.items()}
    try:
        sig = _SIGNATURES[name]
        bound = sig.bind(*args, **kwargs)
        _check_types(name, sig, bound)
        return _FUNCTIONS[name](*bound.args, **bound.kwargs)
    except Exception as e:  # every failure of a function is the override's error, as in Hydra
        raise FunctionError(f"{type(e).__name__} while evaluating '{text}': {e}") from e
