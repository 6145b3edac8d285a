"""Helpers of the defaults tree (compose_tree.py): elements from a file's entries, `_self_` placement,
option lists, and choices written as interpolations (`db: ${other}`), each as Hydra 1.3 does it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from tuneconf.hydra.compose_elements import Default
from tuneconf.hydra.defaults import Entry

Fail = Callable[[Default | None, str, str], None]
"""Records a problem: the element at fault (or None), a code and Hydra's message."""

_LEGACY_INTERPOLATION = re.compile(r"\${defaults\.\d\.")


def from_entry(entry: Entry, file: Path) -> Default:
    """The tree element for one entry of `file`'s defaults list."""
    if entry.group is None:
        path = "_self_" if entry.self_ else entry.written_config
        return Default(path=path, package=entry.package, file=file, span=entry.span)
    value: str | list[str] | None = list(entry.options) if entry.is_list else None
    if not entry.is_list and entry.options:
        value = entry.options[0]
    return Default(
        group=entry.written_group,
        value=value,
        package=entry.package,
        optional=entry.optional,
        override=entry.override,
        file=file,
        span=entry.span,
    )


def validate_self(parent: Default, defaults: list[Default], fail: Fail) -> bool:
    """Hydra's `_validate_self`: at most one `_self_`; without one, the config's own content goes
    last (unless the list holds only `override` entries). True when `_self_` was added here.
    (Hydra also warns when a primary config with content has no `_self_`; that is no refusal.)"""
    has_self = False
    has_non_override = False
    for d in defaults:
        if not d.override:
            has_non_override = True
        if d.is_self():
            if has_self:
                fail(d, "duplicate-self", f"Duplicate _self_ defined in {parent.config_path()}")
            has_self = True
    if (not has_self and has_non_override) or not defaults:
        defaults.append(Default(path="_self_"))
    return not has_self


def expand_options(d: Default, parent: Default, path: str, fail: Fail) -> list[Default]:
    """`group: [a, b]` as config elements `group/a`, `group/b`, last first (as Hydra walks them)."""
    assert isinstance(d.value, list) and d.group is not None
    nodes: list[Default] = []
    for item in reversed(d.value):
        if "${" in item:
            message = f"In '{path}': Defaults List interpolation is not supported in options list items"
            fail(d, "options-interpolation", message)
            continue
        node = Default(path=f"{d.group}/{item}", package=d.package, optional=d.optional, file=d.file, span=d.span)
        node.update_parent(parent.group_path(), parent.final_package())
        nodes.append(node)
    return nodes


def known_choices_map(known: dict[str, str | None], defaults: list[Default], self_added: bool) -> dict[str, Any]:
    """What a choice interpolation may name: the choices made so far and this list's entries."""
    listed: list[Any] = []
    for d in defaults:
        if self_added and d.is_self():
            continue
        listed.append({d.override_key(): d.value} if d.is_group else d.config_path())
    return {**known, "defaults": listed}


def resolve_interpolation(child: Default, known: dict[str, Any], fail: Fail) -> bool:
    """Resolve `child`'s choice (or config path) against the known choices; False when it fails."""
    if child.is_group:
        name = child.name()
        if name is None:
            return False
        if _LEGACY_INTERPOLATION.match(name):
            message = (
                f"\nDefaults list element '{child.override_key()}={name}' is using a deprecated interpolation form.\n"
                "See http://hydra.cc/docs/1.1/upgrades/1.0_to_1.1/defaults_list_interpolation"
                " for migration information."
            )
            fail(child, "legacy-interpolation", message)
            return False
        resolved = _resolve(name, known)
    else:
        resolved = _resolve(child.config_path(), known)
    if resolved is None:
        value = child.name() if child.is_group else child.config_path()
        options = [k for k in known if k != "defaults"]
        message = f"Error resolving interpolation '{value}'"
        if options:
            message += f", possible interpolation keys: {', '.join(options)}"
        fail(child, "choice-interpolation", message)
        return False
    if child.is_group:
        child.value = resolved
    else:
        child.path = resolved
    return True


def _resolve(value: str, known: dict[str, Any]) -> str | None:
    try:
        choices = OmegaConf.create(known)
        node = OmegaConf.create({"_dummy_": value})
        assert isinstance(choices, DictConfig)
        node._set_parent(choices)
        result = node["_dummy_"]
    except OmegaConfBaseException:
        return None
    return result if isinstance(result, str) else None
