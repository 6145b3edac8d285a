"""A Hydra config's defaults list and `# @package` header, against the config folders on disk and the
composed config (hydra/_internal/defaults_list.py, Hydra 1.3, is what these follow).

- An option that is not in its group: Hydra's "Could not find 'db/oracle'" with the available options
  (a did-you-mean fix); a group that is no folder; a `- config` entry with no file. `optional` entries
  and `hydra/...` groups (Hydra's own and its plugins') are not judged; where the workspace's code uses
  the ConfigStore (options may live there, not in files), these are warnings.
- Two entries choosing different options for one group: "Multiple values for db. To override a value
  use 'override db: mysql'".
- `override` of a group the composed defaults do not have: "Could not override 'db'. No match in the
  defaults list."
- No `_self_` in a primary config whose own keys and its defaults' keys overlap (which wins depends on where
  `_self_` goes; Hydra ≥ 1.1 merges the config's own keys last, and warns of a missing `_self_` in primary
  configs only): a warning.
- Headers: a misspelt directive (`# @pakage`) is ignored by Hydra (the file lands in its group's package):
  an error; `# @package _group_` (Hydra 1.0) is the default since 1.1: a warning under version_base ≥ 1.2;
  an experiment file (its defaults override absolute groups) without `# @package _global_`: an error.

Codes: hydra-defaults, unknown-config-group, unknown-config-option, duplicate-default, unknown-override,
missing-self, hydra-package.
"""

from __future__ import annotations

from collections.abc import Iterator

from tuneconf.context import AnalysisContext
from tuneconf.diagnostics.edits import fix
from tuneconf.document.parse import ParsedConfig
from tuneconf.document.tree import Span
from tuneconf.findings import Finding, Severity
from tuneconf.hydra.defaults import Entry, coded_problems, entries, header_lines
from tuneconf.hydra.workspace import HydraInfo, Place
from tuneconf.suggest import closest

_HEADER = "@package"


def check(doc: ParsedConfig, ctx: AnalysisContext) -> Iterator[Finding]:
    hydra = ctx.hydra
    if hydra is None or hydra.place is None:
        return
    place = hydra.place
    for span, code, message in coded_problems(doc, place.name):
        ignored = code == "unknown-keyword"  # Hydra ignores the word: the entry works without it
        yield Finding("hydra-defaults", Severity.WARNING if ignored else Severity.ERROR, message, span)
    yield from _headers(doc, hydra, place)
    found = entries(doc) or []
    certain = not place.root.config_store
    for entry in found:
        yield from _entry(entry, place, certain)
    yield from _duplicates(found, place)
    yield from _composed(hydra, place, bool(doc.syntax))
    yield from _self(doc, found, hydra, place)


COMPOSED_CODES = {
    "override-unused": "unknown-override",
    "duplicate-self": "hydra-defaults",
    "missing-choice": "missing-choice",
    "override-order": "hydra-defaults",
    "override-in-interpolated": "hydra-defaults",
    "options-interpolation": "hydra-defaults",
    "merge-error": "hydra-merge",
    "load-error": "hydra-merge",
}
"""What composing finds in this file beyond the checks above (hydra/compose*.py, Hydra's own words),
and the code each is reported with."""


def _composed(hydra: HydraInfo, place: Place, syntax: bool) -> Iterator[Finding]:
    """`syntax`: the file has YAML syntax errors, reported with their ranges already (not again here)."""
    composition = hydra.composition()
    if composition is None:
        return
    for problem in composition.problems:
        code = COMPOSED_CODES.get(problem.code)
        if syntax and problem.code == "load-error":
            continue
        if code is not None and problem.file == place.file:
            span = problem.span or Span(0, 0, 0, 0)  # the whole file (it cannot be loaded)
            message = problem.message.split("\nConfig search path")[0]
            if (
                code == "unknown-override"
                and place.package
                and (place.header is None or place.header.value != "_global_")
            ):
                message += (
                    f" (This file has no `# @package _global_`: its entries apply under '{'.'.join(place.package)}'.)"
                )
            if code == "missing-choice":  # `db: ???`: the run names it (db=mysql), as with a `???` value
                message = message.split("\n")[0] + " on the command line (a mandatory choice)."
                yield Finding(code, Severity.INFORMATION, message, span)
                continue
            yield Finding(code, Severity.ERROR, message, span)


def group_of(entry: Entry, place: Place) -> str | None:
    """The group path an entry names, from the config root (relative entries start at the file's group)."""
    if entry.group is None:
        return None
    if entry.absolute or not place.group:
        return entry.group
    return f"{place.group}/{entry.group}"


def _entry(entry: Entry, place: Place, certain: bool) -> Iterator[Finding]:
    from tuneconf.hydra.compose import find_config, groups, options

    search = place.root.search
    severity = Severity.ERROR if certain else Severity.WARNING
    if entry.config is not None:
        path = entry.config if entry.absolute or not place.group else f"{place.group}/{entry.config}"
        if "${" not in path and find_config(search, path) is None and path != "_self_":
            message = f"Could not load '{path}': no {path}.yaml in the config folders."
            yield Finding("unknown-config-option", severity, message, entry.span)
        return
    group = group_of(entry, place)
    if group is None or entry.optional or entry.null or group.startswith("hydra") or "${" in group:
        return
    parent, _, name = group.rpartition("/")
    if not any((folder / group).is_dir() for folder in search):
        siblings = groups(search, parent)
        guess = closest(name, siblings)
        hint = f" Did you mean '{guess}'?" if guess else ""
        message = (
            f"No config group '{group}': no folder {group}/ in the config folders, so Hydra fails here unless "
            f"the project's code or a library stores the group in Hydra's ConfigStore.{hint}"
        )
        span = entry.key_span or entry.span  # a warning: installed libraries may store whole groups
        yield Finding("unknown-config-group", Severity.WARNING, message, span)
        return
    available = options(search, group)
    for option, span in zip(entry.options, entry.option_spans):
        if "${" in option or option == "???" or find_config(search, f"{group}/{option}") is not None:
            continue
        guess = closest(option, available)
        listed = f" Available options in '{group}': {', '.join(available)}." if available else ""
        hint = f" Did you mean '{guess}'?" if guess else ""
        message = f"Could not find '{group}/{option}'.{listed}{hint}"
        fixes = [fix(f"Change to '{guess}'", (span, guess), preferred=True)] if guess else []
        yield Finding("unknown-config-option", severity, message, span, data={"fixes": fixes})


def _duplicates(found: list[Entry], place: Place) -> Iterator[Finding]:
    chosen: dict[tuple[str, str | None], Entry] = {}
    for entry in found:
        group = group_of(entry, place)
        if group is None or entry.override or entry.is_list:
            continue
        key = (group, entry.package)
        first = chosen.setdefault(key, entry)
        if first is entry or first.options == entry.options:
            continue
        name = group + (f"@{entry.package}" if entry.package else "")
        previous = first.options[0] if first.options else "null"
        message = f"Multiple values for {name}. To override a value use 'override {name}: {previous}'"
        yield Finding("duplicate-default", Severity.ERROR, message, entry.key_span or entry.span)


def _self(doc: ParsedConfig, found: list[Entry], hydra: HydraInfo, place: Place) -> Iterator[Finding]:
    """No `_self_` while the config's own keys and its defaults' keys overlap: which wins is implicit."""
    if not place.primary and place.group != "":
        return  # as Hydra: a group option's own keys going last is the rule experiment files are written for
    if not found or any(e.self_ for e in found) or doc.mapping is None:
        return
    composition = hydra.composition()
    if composition is None or place.file not in composition.files:
        return
    own = [p for p in doc.mapping.pairs if p.name not in (None, "defaults", "hydra")]
    for pair in own:
        prefix = (*place.package, pair.name or "")
        others = {f for path, files in composition.origins.items() if path[: len(prefix)] == prefix for f in files} - {
            place.file
        }
        if others:
            first = sorted(others)[0]
            message = (
                f"No _self_ in the defaults list, and '{pair.name}' is also set by {place.root.relative(first)}: Hydra "
                f"(version_base ≥ 1.1) merges this file's own keys after its defaults, so this file wins. Add "
                "`- _self_` where you want it (last: this file wins; first: the defaults win)."
            )
            defaults = doc.mapping.get("defaults")
            span = defaults.key.span if defaults is not None else pair.key.span
            yield Finding("missing-self", Severity.WARNING, message, span)
            return


def _headers(doc: ParsedConfig, hydra: HydraInfo, place: Place) -> Iterator[Finding]:
    """The `# @KEY VALUE` lines Hydra reads: a misspelt `@package` (Hydra keeps any other key and ignores
    it, so `# @author: me` is fine), and the package's value."""
    for number, line, words in header_lines(doc.lines):
        column = line.find(words[0])
        span = Span(number, column, number, column + len(words[0]))
        if words[0] != _HEADER and closest(words[0], [_HEADER], 0.75) == _HEADER:
            message = (
                f"Hydra reads only `# @package`; '{words[0]}' is ignored, so this file's keys go to the package "
                f"'{'.'.join(place.package) or '_global_'}'."
            )
            fixes = [fix("Change to @package", (span, _HEADER))]
            yield Finding("hydra-package", Severity.ERROR, message, span, data={"fixes": fixes})
        elif words[0] == _HEADER and len(words) == 2:
            start = line.find(words[1], column + len(_HEADER))
            yield from _package_value(words[1], Span(number, start, number, start + len(words[1])), hydra, place)
    yield from _experiment(doc, hydra, place)


def _package_value(value: str, span: Span, hydra: HydraInfo, place: Place) -> Iterator[Finding]:
    base = hydra.version_base
    if value == "_group_" and base not in (None, "None", "1.1") and _version(base) >= (1, 2):
        message = (
            "`# @package _group_` is Hydra 1.0's form; since Hydra 1.1 a group's config goes to its group's "
            "package by default, so this header can go (Hydra warns about it)."
        )
        yield Finding("hydra-package", Severity.WARNING, message, span)
    specials = [part for part in value.split(".") if part.startswith("_") and part.endswith("_")]
    for part in specials:
        guess = closest(part, list(_KEYWORDS), 0.75)
        if part not in _KEYWORDS and guess is not None:  # `_globl_`: a key named so, surely not meant
            message = f"'{part}' is no package keyword: Hydra puts this file's keys under a key named '{part}'. "
            message += f"Did you mean '{guess}'?"
            yield Finding(
                "hydra-package",
                Severity.ERROR,
                message,
                span,
                data={"fixes": [fix(f"Change to {guess}", (span, value.replace(part, guess)))]},
            )


_KEYWORDS = ("_global_", "_group_", "_name_", "_here_")


def _experiment(doc: ParsedConfig, hydra: HydraInfo, place: Place) -> Iterator[Finding]:
    """An experiment file without `# @package _global_` that sets keys of the primary config: they land
    under `experiment.` instead. (One that overrides groups gets Hydra's own "Could not override" from
    the composition; one included as `experiment@_global_` is global.)"""
    if not place.package or place.group.split("/")[0] not in ("experiment", "experiments") or doc.mapping is None:
        return
    composition = hydra.composition()
    if composition is None or any(e.override for e in entries(doc) or []):
        return
    own = {p.name for p in doc.mapping.pairs if p.name not in (None, "defaults")}
    if any(path[:1] and path[0] in own and place.file in files for path, files in composition.origins.items()):
        return  # included at the top (experiment@_global_)
    shared = sorted(k for k in own if k in composition.data and k != place.package[0])
    if not shared:
        return
    message = (
        f"This experiment sets {', '.join(shared)}, keys of the primary config, but has no `# @package _global_`: "
        f"they go under '{'.'.join(place.package)}' instead. Add `# @package _global_` as its first line."
    )
    yield Finding("hydra-package", Severity.ERROR, message, doc.mapping.pairs[0].key.span)


def _version(text: str | None) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in (text or "0").split(".")[:2])
    except ValueError:
        return (0,)
