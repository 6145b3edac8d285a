"""Scalar typing exactly as OmegaConf's YAML loader types it.

OmegaConf (and so torchtune) loads configs with PyYAML's safe loader plus two
changes: a wider float rule (so `2e-5` is a float) and no implicit timestamps.
We configure the same resolver here instead of importing omegaconf at start-up
(~0.13 s); tests/unit/test_omegaconf_parity.py keeps this table equal to OmegaConf's.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from tuneconf.document.tags import BINARY, BOOL, FLOAT, INT, NULL, PREFIX, STR, TIMESTAMP, VALUE

OMEGACONF_FLOAT = re.compile(
    """^(?:
         [-+]?[0-9]+(?:_[0-9]+)*\\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?[0-9]+(?:_[0-9]+)*(?:[eE][-+]?[0-9]+)
        |\\.[0-9]+(?:_[0-9]+)*(?:[eE][-+][0-9]+)?
        |[-+]?[0-9]+(?:_[0-9]+)*(?::[0-5]?[0-9])+\\.[0-9_]*
        |[-+]?\\.(?:inf|Inf|INF)
        |\\.(?:nan|NaN|NAN))$""",
    re.X,
)


class OmegaConfResolver(yaml.resolver.Resolver):
    """PyYAML's YAML 1.1 resolver with OmegaConf's float rule and no timestamps."""


OmegaConfResolver.add_implicit_resolver(FLOAT, OMEGACONF_FLOAT, list("-+0123456789."))
OmegaConfResolver.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in pairs if tag != TIMESTAMP]
    for first, pairs in OmegaConfResolver.yaml_implicit_resolvers.items()
}

_RESOLVER = OmegaConfResolver()
_CONSTRUCTOR = SafeConstructor()
# Tags OmegaConf can hold as a value once constructed (bytes since OmegaConf 2.2).
LOADABLE_SCALAR_TAGS = frozenset({STR, NULL, BOOL, INT, FLOAT, BINARY})
_cache: dict[tuple[str, str], tuple[Any, str | None]] = {}


def resolve_tag(value: str, explicit_tag: str | None, implicit: tuple[bool, bool]) -> str:
    """The tag PyYAML's composer gives a scalar event, as OmegaConf's loader does."""
    if explicit_tag is None or explicit_tag == "!":
        return str(_RESOLVER.resolve(yaml.ScalarNode, value, implicit))  # type: ignore[no-untyped-call]
    return explicit_tag


def construct_scalar(tag: str, value: str) -> tuple[Any, str | None]:
    """(python value, problem) for a resolved scalar; problem is None when OmegaConf accepts it."""
    if tag == STR:
        return value, None
    key = (tag, value)
    hit = _cache.get(key)
    if hit is not None:
        return hit
    result = _construct(tag, value)
    if len(_cache) < 50_000:
        _cache[key] = result
    return result


def _construct(tag: str, value: str) -> tuple[Any, str | None]:
    maker = SafeConstructor.yaml_constructors.get(tag)
    if maker is None or tag not in LOADABLE_SCALAR_TAGS:
        short = tag.replace(PREFIX, "!!")
        if tag == VALUE:
            return value, "A bare '=' is a value PyYAML cannot load. Quote it: '='"
        return value, f"OmegaConf's loader cannot load the tag {short}. Remove the tag"
    try:
        return maker(_CONSTRUCTOR, yaml.ScalarNode(tag, value)), None
    except (ConstructorError, ValueError, TypeError, KeyError, LookupError) as exc:
        kind = tag.rsplit(":", 1)[-1]
        return value, f"{value!r} cannot be read as {kind} ({type(exc).__name__}). Fix the value or drop the tag"
