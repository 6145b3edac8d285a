"""Code lenses at the top of a config: Run recipe, Debug recipe, Check, Effective config."""

from __future__ import annotations

from lsprotocol import types

from tuneconf.command_ids import CHECK_CONFIG, DEBUG_RECIPE, RUN_RECIPE, SHOW_EFFECTIVE_CONFIG
from tuneconf.document.parse import ParsedConfig
from tuneconf.hydra.workspace import HydraInfo
from tuneconf.recipes.catalog import RecipeInfo


def code_lenses(
    doc: ParsedConfig,
    uri: str,
    recipe: RecipeInfo | None,
    client_commands: frozenset[str],
    hydra: HydraInfo | None = None,
) -> list[types.CodeLens]:
    """The lenses whose commands the client implements (the VS Code extension names them at initialize;
    other editors run `tuneconf run` / `tuneconf check` instead). A Hydra config: Run and Debug on a
    primary config (its entry point runs it), Check and Effective config on every file."""
    line = first_key_line(doc)
    top = types.Range(start=types.Position(line=line, character=0), end=types.Position(line=line, character=0))
    if hydra is not None:
        return [types.CodeLens(range=top, command=c) for c in _hydra(uri, hydra) if c.command in client_commands]
    if recipe is None:
        run = types.Command(title="Run recipe: unknown (add a tune run header)", command=RUN_RECIPE, arguments=[uri])
    else:
        # how it is known: a guess (a header, a launch command found in the workspace) says so
        title = f"Run {recipe.choice.name} ({recipe.choice.how})"
        run = types.Command(title=title, command=RUN_RECIPE, arguments=[uri])
    commands = [
        run,
        types.Command(title="Debug", command=DEBUG_RECIPE, arguments=[uri]),
        types.Command(title="Check", command=CHECK_CONFIG, arguments=[uri]),
        types.Command(title="Effective config", command=SHOW_EFFECTIVE_CONFIG, arguments=[uri]),
    ]
    return [types.CodeLens(range=top, command=command) for command in commands if command.command in client_commands]


def _hydra(uri: str, hydra: HydraInfo) -> list[types.Command]:
    place = hydra.place
    commands = []
    entry = place.root.entry_for(place.option) if place is not None and not place.group else None
    if entry is not None:
        commands += [
            types.Command(title=f"Run {entry.file.name}", command=RUN_RECIPE, arguments=[uri]),
            types.Command(title="Debug", command=DEBUG_RECIPE, arguments=[uri]),
        ]
    return [
        *commands,
        types.Command(title="Check", command=CHECK_CONFIG, arguments=[uri]),
        types.Command(title="Effective config", command=SHOW_EFFECTIVE_CONFIG, arguments=[uri]),
    ]


def first_key_line(doc: ParsedConfig) -> int:
    mapping = doc.mapping
    if mapping is not None and mapping.pairs:
        return max(mapping.pairs[0].key.span.start_line, 0)
    return 0
