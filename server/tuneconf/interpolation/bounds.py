"""What resolving a value costs OmegaConf, worked out without resolving it.

OmegaConf remembers nothing it resolved: `a1: ${a0}${a0}` ... `a30: ${a29}${a29}` is 2^30 steps and a
2^30-character string, and each value of a thousand-long chain `k1: ${k0}` ... costs a walk down the
chain until its stack overflows (~10 ms a value). `Bounds` follows what OmegaConf would follow, once,
memoized: the keys each `${}` names, the key of oc.select and its kin, and for a key computed by an
interpolation (`${models.${name}}`) all of the mapping it picks from. OmegaConf is asked for a value
only where `refusal` finds its cost small, so the values it gives are always OmegaConf's own.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tuneconf.interpolation.grammar import ParsedValue, Reference, ResolverCall, analysable, parse_value

MAX_DEPTH = 32
"""Interpolations inside one another (a chain `${k31}` → ... → `${k0}`). OmegaConf's stack ends near 60
when called from a shallow stack, sooner from a deep one (a recipe, the server)."""
MAX_STEPS = 1_000
"""Values OmegaConf visits for one value: 0.1 to 0.5 s."""
MAX_CHARS = 100_000
"""Characters of a resolved value (an upper bound is computed: the text plus what each `${}` brings)."""
_SATURATED = 1 << 62
_SELECTS = {"oc.select", "oc.deprecated", "oc.dict.keys", "oc.dict.values"}  # their first argument is a key
_DECODES = {"oc.decode", "oc.create"}  # these resolve `${}` in what their arguments resolve to
_SPLITS = re.compile(r"[.\[\]]")
_KEY = re.compile(r"""^\s*(['"]?)(\.*)([\w\-]+(?:\.[\w\-]+)*)\1\s*""", re.ASCII)

Path = tuple[Any, ...]


@dataclass(frozen=True)
class Cost:
    steps: int = 1
    depth: int = 0
    chars: int = 0
    circular: bool = False
    """It reaches itself (OmegaConf fails), or may (a computed key picking from a mapping that holds it)."""
    dynamic: bool = False
    """It depends on something only the run knows (the key oc.select is given by an interpolation...)."""


LEAF = Cost()
_CIRCULAR = Cost(circular=True)
_DYNAMIC = Cost(dynamic=True)


UNNAMED = "its key is empty, not a string, or holds '.', '[' or ']': OmegaConf would select another value"


def refusal(cost: Cost) -> str | None:
    """Why OmegaConf should not be asked for a value of this cost (None: it is cheap)."""
    if cost.circular:
        return "circular: it reaches an interpolation cycle, or may through a key computed by an interpolation"
    if cost.dynamic:
        return "left to the run: it selects, decodes or creates from a value only the run resolves"
    if cost.depth > MAX_DEPTH:
        return f"too deep: more than {MAX_DEPTH} interpolations inside one another"
    if cost.steps > MAX_STEPS:
        return f"too large: resolving it takes more than {MAX_STEPS:,} steps"
    if cost.chars > MAX_CHARS:
        return f"too large: more than {MAX_CHARS:,} characters"
    return None


def plain_key(key: Any) -> bool:
    """Whether OmegaConf.select finds the key by its name in a dotted path: "" selects the whole config,
    and '.', '[' and ']' split a name in two."""
    return isinstance(key, str) and key != "" and _SPLITS.search(key) is None


def selectable(path: Sequence[str | int]) -> bool:
    """Whether OmegaConf.select(config, "a.b.0") reaches the value at `path` (names and list indices)."""
    return all(isinstance(key, int) or plain_key(key) for key in path)


@dataclass
class _Frame:
    path: Path
    own: Cost
    deps: list[Cost | tuple[Path, Any]]
    done: list[Cost]


class Bounds:
    """Costs of the values of one plain config (document/values.py to_python), memoized: a value, or
    all of them, cost one pass over what they reach."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self._memo: dict[Path, Cost] = {}

    def at(self, path: Sequence[Any]) -> Cost | None:
        """The cost of resolving the value at `path` (keys and indices); None where there is no value."""
        found = _walk(self.root, (), path)
        return self.cost(*found) if isinstance(found, tuple) else None

    def cost(self, start: Path, value: Any) -> Cost:
        """The cost of `value`, found at `start`; iterative, so a chain of any length is one loop."""
        memo = self._memo
        if start in memo:
            return memo[start]
        frames = [self._frame(start, value)]
        on_stack = {start}
        while frames:
            frame = frames[-1]
            if len(frame.done) == len(frame.deps):
                frames.pop()
                on_stack.discard(frame.path)
                memo[frame.path] = _combined(frame.own, frame.done)
                if frames:
                    frames[-1].done.append(memo[frame.path])
                continue
            dep = frame.deps[len(frame.done)]
            if isinstance(dep, Cost):
                frame.done.append(dep)
            elif dep[0] in memo:
                frame.done.append(memo[dep[0]])
            elif dep[0] in on_stack:
                frame.done.append(_CIRCULAR)
            else:
                frames.append(self._frame(*dep))
                on_stack.add(dep[0])
        return memo[start]

    def _frame(self, path: Path, value: Any) -> _Frame:
        if isinstance(value, dict):
            own = Cost(1, 0, sum(_chars(key) + 4 for key in value))
            return _Frame(path, own, [((*path, key), item) for key, item in value.items()], [])
        if isinstance(value, list):
            return _Frame(
                path, Cost(1, 0, 2 * len(value) + 2), [((*path, i), item) for i, item in enumerate(value)], []
            )
        if not isinstance(value, str) or "${" not in value:
            return _Frame(path, Cost(1, 0, _chars(value)), [], [])
        if not analysable(value):
            return _Frame(path, Cost(1, 1, len(value)), [_DYNAMIC], [])
        parsed = parse_value(value)
        own = Cost(1, 1, len(value))
        if parsed.error:
            return _Frame(path, own, [], [])  # OmegaConf stops at the syntax error
        deps = [self._reference(path, ref.dots, ref.keys) for ref in parsed.references]
        deps += [self._call(path, value, call, parsed) for call in parsed.resolvers]
        return _Frame(path, own, deps, [])

    def _reference(self, path: Path, dots: int, keys: Sequence[str | None]) -> Cost | tuple[Path, Any]:
        return _target(self.root, path, dots, keys, 0)

    def _call(self, path: Path, value: str, call: ResolverCall, parsed: ParsedValue) -> Cost | tuple[Path, Any]:
        args = value[call.name_end + 1 : call.end - 1] if value[call.name_end : call.name_end + 1] == ":" else ""
        if call.name in _SELECTS:
            key = _KEY.fullmatch(args.split(",", 1)[0])
            return self._reference(path, len(key.group(2)), key.group(3).split(".")) if key else _DYNAMIC
        if call.name in _DECODES:
            inside = [r for r in parsed.references if call.start < r.start < call.end]
            calls = [c for c in parsed.resolvers if call.start < c.start < call.end and c.name != "oc.env"]
            return _DYNAMIC if inside or calls or "\\" in args else Cost(1, 0, len(args))
        if call.name == "oc.env":
            return Cost(1, 0, len(args) + len(os.environ.get(args.split(",", 1)[0].strip(), "")))
        return Cost(1, 0, len(args))  # a resolver the server has not registered: OmegaConf fails at once


def _target(root: Any, path: Path, dots: int, keys: Sequence[str | None], hops: int) -> Cost | tuple[Path, Any]:
    """What `${` dots keys `}`, written in the value at `path`, reaches (LEAF: OmegaConf fails at once)."""
    if dots > len(path):
        return LEAF
    return _walk(root, path[: len(path) - dots] if dots else (), keys, hops)


def _walk(root: Any, path: Path, keys: Sequence[Any], hops: int = 0) -> Cost | tuple[Path, Any]:
    """Follow `keys` from the value at `path` as OmegaConf selects them: the (path, value) reached, or a
    Cost: LEAF where OmegaConf fails at once. A computed key (None), or a key that non-string keys might
    match, stops at the mapping above it, which costs at least as much as anything in it; a whole
    `${other}` on the way is followed as OmegaConf follows it."""
    value = root
    for key in path:
        value = value[key]
    for key in keys:
        if key is None:
            return path, value
        while isinstance(value, str) and "${" in value:  # `b: ${m}` then `${b.v}`: m.v, or a chain of such
            ref = _whole(value)
            if ref is None or hops >= MAX_DEPTH:
                return _DYNAMIC
            hops += 1
            found = _target(root, path, ref.dots, ref.keys, hops)
            if isinstance(found, Cost):
                return found
            path, value = found
        if isinstance(value, dict):
            if key in value:
                path, value = (*path, key), value[key]
                continue
            return LEAF if all(isinstance(k, str) for k in value) else (path, value)
        if not isinstance(value, list):
            return LEAF
        try:
            index = int(key)
        except (TypeError, ValueError):
            return LEAF
        if not -len(value) <= index < len(value):
            return LEAF
        path, value = (*path, index % len(value)), value[index]
    return path, value


def _whole(text: str) -> Reference | None:
    """The reference when `text` is exactly one `${key}` with static keys."""
    parsed = parse_value(text) if analysable(text) else None
    if parsed is None or parsed.resolvers or len(parsed.references) != 1:
        return None
    ref = parsed.references[0]
    return ref if ref.start == 0 and ref.end == len(text) and None not in ref.keys else None


def _combined(own: Cost, deps: list[Cost]) -> Cost:
    return Cost(
        min(own.steps + sum(d.steps for d in deps), _SATURATED),
        min(own.depth + max((d.depth for d in deps), default=0), _SATURATED),
        min(own.chars + sum(d.chars for d in deps), _SATURATED),
        any(d.circular for d in deps),
        any(d.dynamic for d in deps),
    )


def _chars(value: Any) -> int:
    try:
        return len(str(value))
    except ValueError:  # an int beyond Python's digit limit for str()
        return _SATURATED
