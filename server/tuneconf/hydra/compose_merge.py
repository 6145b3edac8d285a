"""Merging the configs of a defaults list as Hydra does (OmegaConf.merge of untyped configs, one after the
other, each placed at its package), keeping which files set each leaf; then the command line's value
overrides, applied with OmegaConf in struct mode exactly as Hydra's `_apply_overrides_to_config`.

The merge is done on plain containers (a composition of 20 files takes a few milliseconds): mappings
merge key by key, anything else replaces what was there, except `???` which never replaces a value, and
a mapping never merges with a list (OmegaConf's ConfigTypeError).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from omegaconf import DictConfig, OmegaConf, open_dict
from omegaconf.errors import ConfigAttributeError, ConfigKeyError, OmegaConfBaseException

MISSING = "???"

Origins = dict[Any, Any]
"""A tree beside the data: a mapping's keys lead to sub-trees, a leaf holds the list of files that set it."""


class OverrideLike(Protocol):
    """What compose reads of a parsed command-line override (tuneconf.hydra.overrides.Override)."""

    @property
    def text(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def key(self) -> str: ...
    @property
    def package(self) -> str | None: ...
    @property
    def value(self) -> Any: ...
    @property
    def sweep(self) -> Any: ...


class MergeError(Exception):
    """A mapping merged with a list."""

    TEXT = "Cannot merge DictConfig with ListConfig"


def embed(content: Any, package: str) -> Any:
    """`content` placed at `package` (`db.primary` → {"db": {"primary": content}})."""
    if package == "":
        return content
    for part in reversed(package.split(".")):
        content = {part: content}
    return content


def merge(dest: dict[Any, Any], src: dict[Any, Any], origins: Origins, file: Path) -> None:
    """Merge `src` (from `file`) into `dest` in place, as OmegaConf.merge would; raises MergeError."""
    for key, value in src.items():
        if key not in dest:
            dest[key] = _copy(value)
            origins[key] = _fresh(value, file)
            continue
        current = dest[key]
        if value == MISSING and isinstance(value, str):
            continue
        if isinstance(value, dict) and isinstance(current, dict):
            sub = origins.get(key)
            if not isinstance(sub, dict):
                sub = origins[key] = {}
            merge(current, value, sub, file)
            continue
        if (
            isinstance(value, dict) != isinstance(current, dict)
            and isinstance(value, list | dict)
            and (isinstance(current, list | dict))
        ):
            raise MergeError(MergeError.TEXT)
        dest[key] = _copy(value)
        before = origins.get(key)
        if isinstance(value, dict):
            origins[key] = _fresh(value, file)
        else:
            origins[key] = ([*before] if isinstance(before, list) else []) + [file]


def _fresh(value: Any, file: Path) -> Any:
    if isinstance(value, dict) and value:
        return {k: _fresh(v, file) for k, v in value.items()}
    return [file]


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def flatten(data: Any, origins: Origins, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], tuple[Path, ...]]:
    """Leaf key path → the files that set it, for the leaves of `data` (empty mappings are leaves)."""
    found: dict[tuple[str, ...], tuple[Path, ...]] = {}
    if not isinstance(data, dict):
        return found
    for key, value in data.items():
        path = (*prefix, str(key))
        sub = origins.get(key) if isinstance(origins, dict) else None
        if isinstance(value, dict) and value:
            found.update(flatten(value, sub if isinstance(sub, dict) else {}, path))
        elif isinstance(sub, list):
            found[path] = tuple(sub)
    return found


@dataclass
class OverrideProblem:
    override: OverrideLike
    code: str
    message: str


def apply_overrides(
    data: dict[str, Any], overrides: list[OverrideLike]
) -> tuple[dict[str, Any], list[OverrideProblem]]:
    """Hydra's `_apply_overrides_to_config` on the composed data (struct mode: a key must exist
    unless added with + or ++); overrides of Hydra's own config (`hydra.*`) are left out."""
    problems: list[OverrideProblem] = []
    if not overrides:
        return data, problems
    cfg = OmegaConf.create(data)
    assert isinstance(cfg, DictConfig)
    OmegaConf.set_struct(cfg, True)
    for override in overrides:
        if override.key == "hydra" or override.key.startswith("hydra."):
            continue
        message = _apply_one(cfg, override)
        if message is not None:
            problems.append(OverrideProblem(override, "config-override", message))
    result = OmegaConf.to_container(cfg, resolve=False)
    assert isinstance(result, dict)
    return {str(k): v for k, v in result.items()}, problems


def _apply_one(cfg: DictConfig, override: OverrideLike) -> str | None:
    key, value, text = override.key, override.value, override.text
    if override.package is not None:
        return f"Override {text} looks like a config group override, but config group '{key}' does not exist."
    try:
        if override.kind == "delete":
            return _delete(cfg, key, value)
        if override.kind == "add":
            if OmegaConf.select(cfg, key, throw_on_missing=False) is None or isinstance(value, dict | list):
                OmegaConf.update(cfg, key, value, merge=True, force_add=True)
                return None
            return (
                f"Could not append to config. An item is already at '{key}'.\n"
                f"Either remove + prefix: '{text[1:]}'\n"
                f"Or add a second + to add or override '{key}': '+{text}'\n"
            )
        if override.kind == "force_add":
            OmegaConf.update(cfg, key, value, merge=True, force_add=True)
            return None
        try:
            OmegaConf.update(cfg, key, value, merge=True)
        except (ConfigAttributeError, ConfigKeyError):
            return f"Could not override '{key}'.\nTo append to your config use +{text}"
    except OmegaConfBaseException:
        return f"Error merging override {text}"
    return None


def _delete(cfg: DictConfig, key: str, value: Any) -> str | None:
    current = OmegaConf.select(cfg, key, throw_on_missing=False)
    if current is None:
        return f"Could not delete from config. '{key}' does not exist."
    if value is not None and value != current:
        return f"Could not delete from config. The value of '{key}' is {current} and not {value}."
    last_dot = key.rfind(".")
    with open_dict(cfg):
        if last_dot == -1:
            del cfg[key]
        else:
            node = OmegaConf.select(cfg, key[:last_dot])
            del node[key[last_dot + 1 :]]
    return None
