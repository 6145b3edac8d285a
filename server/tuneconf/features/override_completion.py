"""Completion of an override typed outside the config: an item of an override set in
`.vscode/tuneconf.json` (the extension asks with the text typed so far, `tuneconf.server.overrideCompletions`).

A Hydra config: before `=`, the config groups (folders of the search path; `model/` lists the groups
below `model`) and the keys of the composed config (`model.` lists the keys below `model`; `hydra.` Hydra's
own settings); after `group=`, the group's options; after `key=`, the key's current value. A typed `+`,
`++` or `~` and a `group@package` are kept. A torchtune config: the keys of the document and their values.

Each item replaces the whole typed text (`insertText` is the override up to the cursor); the extension
builds the editor's items from these plain dicts."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tuneconf.document.tree import Mapping, Node, Scalar, deref
from tuneconf.document.tree import Sequence as SequenceNode

if TYPE_CHECKING:
    from tuneconf.hydra.workspace import Place
    from tuneconf.project import ConfigView, Project

Children = Callable[[Any], dict[str, Any] | None]
"""A node's named children, None for a leaf (composed data: dicts; a document: our tree's mappings)."""
ValueOf = Callable[[Any], str | None]
"""A leaf as the value of an override, None when it cannot be written as one."""
MAX_ITEMS = 1000
MAX_VALUE_CHARS = 200
"""A current value longer than this (a big mapping) is not offered."""
PREFIXES = ("++", "+", "~")
_PLAIN = re.compile(r"[A-Za-z_/:$%*?|][A-Za-z0-9_/.:$%*?|+@-]*")
"""A string Hydra's grammar reads as itself without quotes (and no number, bool or null)."""
_WORDS = ("true", "false", "null", "nan", "inf", "-inf", "+inf")
_GROUP = re.compile(r"[A-Za-z0-9_][\w.-]*(?:/[A-Za-z0-9_][\w.-]*)*")
"""A config group's name as typed (no `..`, no absolute path: only folders of the search path are listed)."""


@dataclass(frozen=True)
class Typed:
    """The override typed so far, cut into its parts."""

    prefix: str
    """"", "+", "++" or "~"."""
    key: str
    """The key (`model.lr`) or group (`model/net`), without prefix and package."""
    package: str | None
    """What follows `@` in `group@package`; None when no `@` is typed."""
    value: str | None
    """What follows the first `=`; None before it."""


@dataclass(frozen=True)
class Item:
    label: str
    kind: str
    """"key", "group", "option" or "value"."""
    detail: str
    insert_text: str

    def as_json(self) -> dict[str, str]:
        return {"label": self.label, "kind": self.kind, "detail": self.detail, "insertText": self.insert_text}


def split_typed(typed: str) -> Typed:
    """`+db@backup=my` → Typed("+", "db", "backup", "my")."""
    prefix = next((p for p in PREFIXES if typed.startswith(p)), "")
    rest = typed[len(prefix) :]
    key_part, equals, value = rest.partition("=")
    key, at, package = key_part.partition("@")
    return Typed(prefix, key, package if at else None, value if equals else None)


def override_completions(
    project: Project, view: ConfigView, typed: str, overrides: Sequence[str] = ()
) -> list[dict[str, str]]:
    """The completions of one override whose text up to the cursor is `typed`, for the config of `view`;
    `overrides`: the set's other overrides (a Hydra config is composed with them first)."""
    parts = split_typed(typed)
    hydra = view.ctx.hydra
    if hydra is not None and hydra.place is not None:
        items = _hydra_items(project, hydra.place, parts, overrides)
    else:
        items = _key_items(parts, view.parsed.root, _tree_children, _tree_value)
    return [item.as_json() for item in items[:MAX_ITEMS]]


def _hydra_items(project: Project, place: Place, typed: Typed, overrides: Sequence[str]) -> list[Item]:
    from tuneconf.hydra.compose import options

    data = _composed(project, place, overrides)
    search = place.root.search
    version = place.root.version_base if place.root.version_base != "None" else None
    if typed.value is not None:
        found = options(search, typed.key, version) if _is_group(typed.key) else []
        if found:
            return _option_items(typed, found, _choice(project, place, typed.key, overrides))
        if typed.package is not None or typed.key == "hydra" or _is_hydra_key(typed.key):
            return []
        return _key_items(typed, data, _dict_children, _dict_value)
    if typed.package is not None:
        return []  # a package is the user's to name
    parent = typed.key.rpartition("/")[0]
    items = _group_items(typed, search, version) if "." not in typed.key and (not parent or _is_group(parent)) else []
    if "/" not in typed.key:
        if _is_hydra_key(typed.key):
            items += _hydra_key_items(typed)
        else:
            items += _key_items(typed, data, _dict_children, _dict_value)
            if "." not in typed.key:
                items.append(Item("hydra", "key", "Hydra's own settings (hydra.run.dir, ...)", typed.prefix + "hydra"))
    return items


def _composed(project: Project, place: Place, overrides: Sequence[str]) -> dict[str, Any]:
    """The composed config that the override applies to: the primary's (a group file: one that includes it)."""
    if place.group == "":
        return project.hydra.compose(place.root, place.option, tuple(overrides)).data
    composition = project.hydra.composition_for(place)
    return composition.data if composition is not None else {}


def _choice(project: Project, place: Place, group: str, overrides: Sequence[str]) -> str | None:
    if place.group != "":
        return None
    return project.hydra.compose(place.root, place.option, tuple(overrides)).choices.get(group)


def _group_items(typed: Typed, search: Sequence[Any], version: str | None) -> list[Item]:
    from tuneconf.hydra.compose import groups, options

    parent = typed.key.rpartition("/")[0]
    items = []
    for name in groups(search, parent):
        path = f"{parent}/{name}" if parent else name
        if path == "hydra" or path.startswith("hydra/"):
            continue
        found = options(search, path, version)
        shown = ", ".join(found[:6]) + (", ..." if len(found) > 6 else "")
        detail = f"config group: {shown}" if found else "config group"
        items.append(Item(path, "group", detail, typed.prefix + path))
    return items


def _option_items(typed: Typed, found: Sequence[str], chosen: str | None) -> list[Item]:
    package = f"@{typed.package}" if typed.package is not None else ""
    head = f"{typed.prefix}{typed.key}{package}="
    return [
        Item(option, "option", f"option of {typed.key}" + (" (chosen)" if option == chosen else ""), head + option)
        for option in found
    ]


def _is_hydra_key(key: str) -> bool:
    """A key below Hydra's own section (`hydra.run.dir`), which the composed config leaves out."""
    return key.startswith("hydra.")


def _is_group(name: str) -> bool:
    return _GROUP.fullmatch(name) is not None and ".." not in name


def _hydra_key_items(typed: Typed) -> list[Item]:
    from tuneconf.hydra.keys import children

    parent = typed.key.rpartition(".")[0]
    if not parent:
        return []  # `hydra` itself is offered beside the config's keys
    return [
        Item(f"{parent}.{name}", "key", doc, f"{typed.prefix}{parent}.{name}") for name, doc in children(parent[6:])
    ]


def _key_items(
    typed: Typed,
    root: Any,
    children: Children,
    value_of: ValueOf,
) -> list[Item]:
    """The keys below the typed key's parent (before `=`), or the key's current value (after it)."""
    if typed.value is not None:
        node = _walk(root, typed.key.split("."), children)
        text = value_of(node) if node is not None else None
        if text is None or len(text) > MAX_VALUE_CHARS:
            return []
        return [Item(text, "value", "current value", f"{typed.prefix}{typed.key}={text}")]
    parent = typed.key.rpartition(".")[0]
    below = _walk(root, parent.split(".") if parent else [], children)
    named = children(below) if below is not None else None
    items = []
    for name, child in (named or {}).items():
        if not name or "." in name or "=" in name or name.strip() != name:
            continue
        path = f"{parent}.{name}" if parent else name
        items.append(Item(path, "key", _describe(child, children, value_of), typed.prefix + path))
    return items


def _walk(root: Any, segments: Sequence[str], children: Children) -> Any:
    node = root
    for segment in segments:
        named = children(node)
        if named is None or segment not in named:
            return None
        node = named[segment]
    return node


def _describe(node: Any, children: Children, value_of: ValueOf) -> str:
    named = children(node)
    if named is not None:
        return f"{len(named)} keys"
    text = value_of(node)
    if text is None:
        return ""
    return text if len(text) <= 60 else text[:57] + "..."


def _dict_children(value: Any) -> dict[str, Any] | None:
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else None


def _dict_value(value: Any) -> str | None:
    """A composed value as Hydra's override grammar writes it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, str):
        return value if _PLAIN.fullmatch(value) and value.lower() not in _WORDS else _quoted(value)
    if isinstance(value, list):
        items = [_dict_value(v) for v in value]
        return None if None in items else "[" + ",".join(i for i in items if i is not None) + "]"
    if isinstance(value, dict):
        pairs = [(str(k), _dict_value(v)) for k, v in value.items()]
        if any(v is None or not _PLAIN.fullmatch(k) for k, v in pairs):
            return None
        return "{" + ",".join(f"{k}:{v}" for k, v in pairs) + "}"
    return None


def _float(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


def _quoted(text: str) -> str:
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    return "'" + text.replace("'", "\\'") + "'"


def _tree_children(node: Any) -> dict[str, Any] | None:
    found = deref(node)
    if not isinstance(found, Mapping):
        return None
    return {pair.name: pair.value for pair in found.pairs if pair.name is not None}


def _tree_value(node: Node | None) -> str | None:
    """A document's value as `key=value` on torchtune's command line (YAML, by OmegaConf.from_dotlist)."""
    found = deref(node)
    if isinstance(found, Scalar):
        if found.style is None:
            return found.text
        quoted = found.style in ("'", '"') and "\n" not in found.text and "\\" not in found.text
        if not quoted or ("'" in found.text and '"' in found.text):
            return None
        return f"'{found.text}'" if "'" not in found.text else f'"{found.text}"'
    if isinstance(found, SequenceNode):
        items = [_tree_value(item) for item in found.items]
        return None if None in items else "[" + ",".join(i for i in items if i is not None) + "]"
    return None
