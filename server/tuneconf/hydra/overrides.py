"""Hydra's command-line overrides (`db=mysql`, `+a.b=1`, `~x`, `lr=0.1,0.01`, `n=range(1,4)`), parsed
as Hydra 1.3 parses them, without importing Hydra.

`parse` gives an `Override`: its kind, key (or config group) and package, the value as Hydra would set
it (typed primitives, lists, dicts, interpolations kept as text) or its sweep, and the spans of key and
value in the text. A bad override raises `OverrideError` with Hydra's own message and the column of the
problem. The grammar is in override_grammar.py (tokens: override_lexer.py), the grammar's functions
(`choice`, `range`, `glob`, casts, ...) in override_functions.py. tests/unit/test_hydra_overrides.py
compares all of this with Hydra itself.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tuneconf.hydra.override_functions import (
    ChoiceSweep,
    FunctionError,
    Glob,
    HydraSweep,
    IntervalSweep,
    QuotedString,
    RangeSweep,
    evaluate,
)
from tuneconf.hydra.override_grammar import (
    CallNode,
    DeferredError,
    DictNode,
    GrammarError,
    ListNode,
    ParsedOverride,
    Parser,
    SweepNode,
)
from tuneconf.hydra.override_lexer import FLOAT_RE, INT_RE

RANGE_LIMIT = 10_000  # a range's values are listed up to this many
HYDRA_SEE_ALSO = "\nSee https://hydra.cc/docs/1.2/advanced/override_grammar/basic for details"


@dataclass(frozen=True)
class Sweep:
    """A sweep of multirun: `a,b,c` ("list"), `choice(...)`, `range(...)`, `interval(a,b)`, `glob(...)`."""

    kind: str
    values: tuple[Any, ...]  # range: listed as Hydra enumerates it; glob: include patterns; interval: (start, end)
    text: str
    tags: frozenset[str] = frozenset()
    shuffle: bool = False  # Hydra enumerates it in a random order
    exclude: tuple[Any, ...] = ()  # glob's exclude patterns
    bounds: tuple[Any, Any, Any] | None = None  # range: (start, stop, step)
    complete: bool = True  # False for a range longer than RANGE_LIMIT or one Hydra cannot enumerate (step 0)


@dataclass(frozen=True)
class Override:
    """One parsed override."""

    text: str
    kind: str  # "change" | "add" | "force_add" | "delete"
    key: str
    package: str | None
    value: Any
    sweep: Sweep | None
    key_span: tuple[int, int]
    value_span: tuple[int, int]
    package_span: tuple[int, int] | None = None

    def value_text(self) -> str:
        """The value as written."""
        return self.text[self.value_span[0] : self.value_span[1]]


class OverrideError(ValueError):
    """An override Hydra would refuse: `message` is Hydra's, `column` where the problem is."""

    def __init__(self, message: str, column: int = 0, text: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.column = column
        self.text = text

    @property
    def hydra_message(self) -> str:
        """The message exactly as Hydra's OverrideParseException carries it."""
        return self.message + HYDRA_SEE_ALSO


_KEY = r"[A-Za-z_][A-Za-z0-9_-]*(?:\.(?:[A-Za-z_$][A-Za-z0-9_$-]*|0|[1-9](?:_?[0-9])*))*"
_FAST = re.compile(rf"(~|\+\+|\+)?({_KEY})(?:(=)([A-Za-z0-9_.+/:$@%*?|-]*))?")
_KINDS = {None: "change", "~": "delete", "+": "add", "++": "force_add"}
_WORDS = {"true": True, "false": False, "null": None}


def _fast(text: str) -> Override | None:
    """`key=value` with a plain key and a value of one primitive without spaces or escapes, or None."""
    m = _FAST.fullmatch(text)
    if m is None or (m.group(3) is None and m.group(1) != "~"):
        return None
    value: Any = m.group(4)
    if value is None:
        end = len(text)
        return Override(text, "delete", m.group(2), None, None, None, m.span(2), (end, end))
    if INT_RE.fullmatch(value):
        value = int(value)
    elif FLOAT_RE.fullmatch(value):
        value = float(value)
    elif value.lower() in _WORDS:
        value = _WORDS[value.lower()]
    return Override(text, _KINDS[m.group(1)], m.group(2), None, value, None, m.span(2), m.span(4))


def _tree_value(node: Any) -> Any:
    """Evaluate a parsed value as Hydra's visitor does: function calls in order, left to right."""
    if isinstance(node, ListNode):
        return [_tree_value(x) for x in node.items]
    if isinstance(node, DictNode):
        return {_tree_value(k): _tree_value(v) for k, v in node.pairs}
    if isinstance(node, SweepNode):
        return ChoiceSweep(list=[_tree_value(x) for x in node.items], simple_form=True)
    if isinstance(node, DeferredError):
        raise OverrideError(node.message, node.column)
    if not isinstance(node, CallNode):
        return node
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for name, arg in node.args:
        if name is None and kwargs:
            raise OverrideError("positional argument follows keyword argument", node.column)
        if name is None:
            args.append(_tree_value(arg))
        else:
            kwargs[name] = _tree_value(arg)
    try:
        return evaluate(node.name, args, kwargs, node.text)
    except FunctionError as e:
        raise OverrideError(e.message, node.column) from None


def _range_values(r: RangeSweep) -> tuple[tuple[Any, ...], bool]:
    if all(isinstance(x, int) for x in (r.start, r.stop, r.step)):
        if r.step == 0:
            return (), False
        numbers = range(r.start, r.stop, r.step)
        return tuple(numbers[:RANGE_LIMIT]), len(numbers) <= RANGE_LIMIT
    out: list[float] = []
    try:
        with decimal.localcontext(decimal.Context()):
            start, stop, step = (decimal.Decimal(x) for x in (r.start, r.stop, r.step))
            if step == 0:
                return (), False
            while (start < stop if step > 0 else start > stop) and len(out) <= RANGE_LIMIT:
                out.append(float(start))
                start += step
    except decimal.InvalidOperation:  # a NaN bound: Hydra fails to enumerate it
        return (), False
    return tuple(out[:RANGE_LIMIT]), len(out) <= RANGE_LIMIT


def _sweep(value: HydraSweep | Glob, text: str) -> Sweep:
    if isinstance(value, Glob):
        return Sweep("glob", tuple(map(_public, value.include)), text, exclude=tuple(map(_public, value.exclude)))
    tags = frozenset(value.tags)
    if isinstance(value, ChoiceSweep):
        kind = "list" if value.simple_form else "choice"
        return Sweep(kind, tuple(_public(v) for v in value.list), text, tags, value.shuffle)
    if isinstance(value, RangeSweep):
        values, complete = _range_values(value)
        bounds = (value.start, value.stop, value.step)
        return Sweep("range", values, text, tags, value.shuffle, bounds=bounds, complete=complete)
    assert isinstance(value, IntervalSweep)
    return Sweep("interval", (value.start, value.end), text, tags)


def _public(value: Any) -> Any:
    """Hydra's `Override.value()`: quoted strings become plain strings, everywhere."""
    if isinstance(value, QuotedString):
        return value.text
    if isinstance(value, list):
        return [_public(v) for v in value]
    if isinstance(value, dict):
        return {_public(k): _public(v) for k, v in value.items()}
    if isinstance(value, (HydraSweep, Glob)):
        return _sweep(value, "")
    return value


def _build(text: str, parsed: ParsedOverride) -> Override:
    sweep = None
    value = _tree_value(parsed.value) if parsed.has_value else None
    if isinstance(value, (HydraSweep, Glob)):
        sweep, value = _sweep(value, text[parsed.value_span[0] : parsed.value_span[1]]), None
    else:
        value = _public(value)
    return Override(
        text,
        parsed.kind,
        parsed.key,
        parsed.package,
        value,
        sweep,
        parsed.key_span,
        parsed.value_span,
        parsed.package_span,
    )


def parse(text: str) -> Override:
    """Parse one override as Hydra does; raises OverrideError with Hydra's message."""
    fast = _fast(text)
    if fast is not None:
        return fast
    try:
        return _build(text, Parser(text).parse())
    except GrammarError as e:
        raise OverrideError(e.message, e.column, text) from None
    except OverrideError as e:
        message = f"Error parsing override '{text}'\n{e.message}"
        raise OverrideError(message, e.column, text) from None


def parse_all(texts: Sequence[str]) -> tuple[list[Override], list[tuple[int, OverrideError]]]:
    """The overrides that parse, and (index, error) for those that do not."""
    good: list[Override] = []
    bad: list[tuple[int, OverrideError]] = []
    for i, text in enumerate(texts):
        try:
            good.append(parse(text))
        except OverrideError as e:
            bad.append((i, e))
    return good, bad


def is_sweep_text(text: str) -> bool:
    """Whether `text` is an override whose value is a sweep (`a=1,2`, `a=range(3)`: multirun only)."""
    eq = text.find("=")
    if eq < 0 or ("," not in text[eq:] and "(" not in text[eq:]):
        return False
    try:
        return parse(text).sweep is not None
    except OverrideError:
        return False
