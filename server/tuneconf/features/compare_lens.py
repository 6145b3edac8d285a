"""The "Compare with built-in NAME" lens: on a config copied from one of torchtune's built-ins (its `tune cp`
or `tune run --config NAME` header names one, else the built-in with the same model builder, and recipe
where known, that it differs least from: compare.py), above the first key. Its command opens the editor's
diff of the built-in as installed against the document (the client's `tuneconf.compareWithBuiltin`).

No lens on a built-in itself (a file of the installed torchtune's configs), on a config whose model is no
built-in's, or where the client does not implement the command. Cost: ~5 ms a lens request (the
registry's configs with the same builder are read by our own parser), once per document version: code
lenses are asked again after every edit."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from tuneconf.command_ids import COMPARE_WITH_BUILTIN
from tuneconf.compare import CompareError, compare
from tuneconf.features.lenses import first_key_line
from tuneconf.project import ConfigView, path_of
from tuneconf.recipes.registry import Registry

_LAST: dict[str, tuple[object, list[types.CodeLens]]] = {}
"""The lenses of each document's last version (keyed by its parsed tree, which is per version)."""


def compare_lenses(view: ConfigView, registry: Registry, client_commands: frozenset[str]) -> list[types.CodeLens]:
    """The lens, or none (see the module's docstring)."""
    if COMPARE_WITH_BUILTIN not in client_commands:
        return []
    hit = _LAST.get(view.uri)
    if hit is not None and hit[0] is view.parsed:
        return hit[1]
    if len(_LAST) > 64:
        _LAST.clear()
    found = _lenses(view, registry)
    _LAST[view.uri] = (view.parsed, found)
    return found


def _lenses(view: ConfigView, registry: Registry) -> list[types.CodeLens]:
    path = Path(path_of(view.uri)) if view.uri.startswith("file:") else None
    if path is not None and registry.recipes_dir is not None and _inside(path, registry.recipes_dir):
        return []
    recipe = view.ctx.recipe.choice.name if view.ctx.recipe is not None else None
    try:
        found = compare(view.parsed.text, registry, recipe=lambda: recipe)
    except CompareError:
        return []
    uri, line = view.uri, first_key_line(view.parsed)
    changes = len(found.added) + len(found.removed) + len(found.changed)
    differ = "1 key differs" if changes == 1 else f"{changes} keys differ"
    title = f"Compare with built-in {found.builtin.name} ({differ})"
    where = types.Range(types.Position(line, 0), types.Position(line, 0))
    command = types.Command(title=title, command=COMPARE_WITH_BUILTIN, arguments=[uri, found.builtin.name])
    return [types.CodeLens(range=where, command=command)]


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except OSError:
        return False
