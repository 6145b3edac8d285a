"""The config against its recipe: keys it must have, keys nothing reads, arguments the recipe
supplies (so the config must not, and need not), and configs written for another kind of recipe.

A guessed recipe (a `# tune run` header, a launch command in the workspace, a `.py` beside the config)
is first weighed by its fit (recipes/evidence.py: Fit): a good fit is checked as a known recipe, its
messages saying where the recipe came from; a borderline one gives warnings worded "if run with X"; a
poor one gives no per-key findings, only one warning that the config may not be run by it, with fixes
that name a recipe that fits better.

Without a recipe to check against (a guess not graded good, or one that cannot be read), a component's
required argument is still an error when the config does not set it and no recipe that might run the
config passes it itself (`RecipeInfo.supplies`, recipes/supplied.py): only at the paths those recipes
instantiate, since elsewhere nothing is known of who instantiates the component, or with what.

Codes: missing-key, unused-key, missing-argument, supplied-argument, recipe-mismatch, recipe-fit.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tuneconf.context import AnalysisContext
from tuneconf.diagnostics.edits import Fix, fix, insert_pairs, remove_pair, text_span
from tuneconf.diagnostics.interpolations import document_occurrences
from tuneconf.document.components import Component, component_of, iter_components
from tuneconf.document.parse import ParsedConfig
from tuneconf.document.tree import KeyPath, Mapping, Pair, Scalar, Span
from tuneconf.findings import Finding, Severity
from tuneconf.index.records import Parameter, ParamKind, Symbol
from tuneconf.recipes.analysis import ITEM, RecipeUsage
from tuneconf.recipes.catalog import RecipeInfo
from tuneconf.recipes.evidence import BORDERLINE, POOR, Fit, measure, referenced_keys
from tuneconf.recipes.registry import tune_runs
from tuneconf.suggest import closest

_LORA_KEYS = ("lora_rank", "lora_alpha", "lora_attn_modules")
_WORD = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True)
class _Voice:
    """How findings name the recipe, and how sure they are: a known recipe by its name; a guess that fits
    by its name and where it came from; a borderline guess as warnings, "If run with X (from ...): "."""

    name: str
    prefix: str = ""
    demoted: bool = False

    def severity(self, severity: Severity) -> Severity:
        return Severity.WARNING if self.demoted else severity


def check(doc: ParsedConfig, ctx: AnalysisContext) -> Iterator[Finding]:
    info = ctx.recipe
    top = doc.mapping
    if top is None or doc.syntax:
        return
    if info is None or info.usage is None or info.usage.error:
        yield from _recipe_free(doc, ctx)
        return
    referenced = referenced_keys(document_occurrences(doc, ctx))
    keys = [n for n in top.names() if n is not None]
    fit = None if info.choice.known else measure(info.usage, keys, referenced)
    if fit is not None and fit.grade == POOR:
        yield _poor_fit(doc, top, info, fit, referenced)
        yield from _recipe_free(doc, ctx)
        return
    voice = _voice(info, fit)
    yield from _missing_keys(doc, top, info, voice)
    yield from _unused_keys(doc, info, ctx, voice, referenced)
    family = f"recipe-arguments:{id(info.usage)}:{id(info.supplies)}:{voice}"
    yield from ctx.per_section(family, doc, lambda pair: _section_arguments(doc, pair, info, ctx, voice), local=True)
    yield from _mismatch(top, info, ctx, voice)


def _voice(info: RecipeInfo, fit: Fit | None) -> _Voice:
    name, how = info.choice.name, info.choice.how
    if fit is None:
        return _Voice(name)
    if fit.grade == BORDERLINE:
        return _Voice(name, f"If run with {name} ({how}): ", demoted=True)
    return _Voice(f"{name}, {how},")


def _section_arguments(
    doc: ParsedConfig, pair: Pair, info: RecipeInfo, ctx: AnalysisContext, voice: _Voice
) -> Iterator[Finding]:
    assert info.usage is not None
    for component, symbol in _resolved(pair, ctx):
        certain: list[Parameter] = []
        if voice.demoted and info.supplies is not None:
            certain = certainly_missing(component, symbol, info.supplies)
            if certain:
                yield _certain(doc, component, symbol, certain)
        yield from _arguments(doc, component, symbol, info.usage, voice, frozenset(p.name for p in certain))


def _resolved(pair: Pair, ctx: AnalysisContext) -> Iterator[tuple[Component, Symbol]]:
    """The components in a top-level section whose signature is known."""
    for found in iter_components(pair.value, ctx.settings.component_keys):
        component = Component((pair.name or "", *found.path), found.mapping, found.dotpath)
        resolution = ctx.resolve_or_defer(str(component.dotpath.value))
        symbol = resolution.symbol if resolution is not None else None
        if symbol is not None and symbol.parameters is not None:
            yield component, symbol


def _recipe_free(doc: ParsedConfig, ctx: AnalysisContext) -> Iterator[Finding]:
    """Required arguments no recipe that might run the config supplies, without a recipe to check against."""
    supplies = ctx.supplies
    if supplies is None:
        return

    def compute(pair: Pair) -> Iterator[Finding]:
        for component, symbol in _resolved(pair, ctx):
            missing = certainly_missing(component, symbol, supplies)
            if missing:
                yield _certain(doc, component, symbol, missing)

    yield from ctx.per_section(f"recipe-free:{id(supplies)}", doc, compute, local=True)


def certainly_missing(component: Component, symbol: Symbol, supplies: RecipeUsage) -> list[Parameter]:
    """The required parameters of the component that the config does not set and that no recipe in
    `supplies` passes at its path; none where a recipe there unpacks arguments, where no recipe
    instantiates that path, or where the mapping's keys are not all plain (a merge key `<<`)."""
    path = tuple(ITEM if isinstance(p, int) else p for p in component.path)
    if not path or path not in {i.path for i in supplies.instantiations}:
        return []
    names = component.mapping.names()
    if "<<" in names or any(p.name is None for p in component.mapping.pairs):
        return []
    supplied, unknown = supplied_arguments(supplies, path, symbol)
    if unknown:
        return []
    present = set(names)
    return [p for p in symbol.parameters or () if p.required and p.name not in present and p.name not in supplied]


def _certain(doc: ParsedConfig, component: Component, symbol: Symbol, missing: list[Parameter]) -> Finding:
    why = "which this config does not set and no torchtune recipe (nor a recipe file found for it) passes itself"
    why += ": the run fails with a missing argument"
    return _missing_argument(doc, component, symbol, missing, why, Severity.ERROR)


def _missing_argument(
    doc: ParsedConfig,
    component: Component,
    symbol: Symbol,
    missing: list[Parameter],
    why: str,
    severity: Severity,
    prefix: str = "",
) -> Finding:
    """`missing-argument` for `missing`, with the fix that adds them as `???`."""
    names = ", ".join(p.name for p in missing)
    message = f"{prefix}{symbol.short_name} needs {names}, {why}. Add them."
    edit = insert_pairs(doc, component.mapping, [(p.name, "???") for p in missing if p.by_keyword])
    fixes = [fix(f"Add {names}", edit)] if edit else []
    return Finding("missing-argument", severity, message, component.dotpath.span, data={"fixes": fixes})


def _missing_keys(doc: ParsedConfig, top: Mapping, info: RecipeInfo, voice: _Voice) -> Iterator[Finding]:
    assert info.usage is not None
    present = set(top.names())
    missing = {k: r for k, r in info.usage.required_keys().items() if k not in present}
    if not missing:
        return
    where = _first_key(top)
    for key, read in missing.items():
        message = (
            f"{voice.prefix}{voice.name} reads '{key}' (recipe line {read.line}), which this config does not set: "
            "the run fails with a missing key. Add it."
        )
        edit = insert_pairs(doc, top, [(key, "???")])
        fixes = [fix(f"Add '{key}: ???'", edit)] if edit else []
        severity = voice.severity(Severity.ERROR)
        yield Finding("missing-key", severity, message, where, data={"fixes": fixes, "key": key})


def _unused_keys(
    doc: ParsedConfig, info: RecipeInfo, ctx: AnalysisContext, voice: _Voice, referenced: frozenset[str]
) -> Iterator[Finding]:
    usage = info.usage
    assert usage is not None
    read = sorted(usage.read_keys())
    present = frozenset(doc.mapping.names()) if doc.mapping is not None else frozenset()
    # A key the config sets already is no guess: renaming onto it would make a duplicate key.
    guesses = [key for key in read if key not in present]
    family = f"unused-key:{id(usage)}:{hash(referenced)}:{hash(present)}:{voice}"

    def compute(pair: Pair) -> Iterator[Finding]:
        return _unused(pair, info, read, guesses, referenced, voice)

    yield from ctx.per_section(family, doc, compute, local=True)


def _unused(
    pair: Pair, info: RecipeInfo, read: list[str], guesses: list[str], referenced: frozenset[str], voice: _Voice
) -> Iterator[Finding]:
    usage = info.usage
    assert usage is not None
    name = pair.name
    if name is None or name in read or name in referenced or pair.key.span.start_line < 0:
        return
    guess = closest(name, guesses)
    if usage.escapes and not guess:
        return  # the recipe hands the config to other code, which may read it
    hint = f" Did you mean '{guess}'?" if guess else " It has no effect; remove it or check the recipe."
    message = f"{voice.prefix}{voice.name} never reads '{name}'.{hint}"
    fixes = []
    if guess and isinstance(pair.key, Scalar):
        fixes.append(fix(f"Rename to '{guess}'", (text_span(pair.key), guess), preferred=True))
    yield Finding("unused-key", Severity.WARNING, message, pair.key.span, data={"fixes": fixes})


def _arguments(
    doc: ParsedConfig,
    component: Component,
    symbol: Symbol,
    usage: RecipeUsage,
    voice: _Voice,
    reported: frozenset[str] = frozenset(),
) -> Iterator[Finding]:
    path = tuple(ITEM if isinstance(p, int) else p for p in component.path)
    if not path or path not in {i.path for i in usage.instantiations}:
        return  # not instantiated by the recipe itself: nothing is known about what it supplies
    supplied, unknown = supplied_arguments(usage, path, symbol)
    params = symbol.parameters or ()
    present = set(component.mapping.names())
    for pair in component.mapping.pairs:
        if pair.name in supplied and pair.key.span.start_line >= 0:
            message = (
                f"{voice.prefix}{voice.name} passes '{pair.name}' to {symbol.short_name} itself; setting it here "
                f"too fails with \"got multiple values for argument '{pair.name}'\". Remove it."
            )
            fixes = [fix(f"Remove '{pair.name}'", remove_pair(doc, component.mapping, pair), preferred=True)]
            severity = voice.severity(Severity.ERROR)
            yield Finding("supplied-argument", severity, message, pair.key.span, data={"fixes": fixes})
    if unknown:
        return
    missing = [p for p in params if p.required and p.name not in present | supplied | reported]
    if missing:
        why = f"which neither this config nor {voice.name} provides"
        yield _missing_argument(doc, component, symbol, missing, why, voice.severity(Severity.ERROR), voice.prefix)


def supplied_arguments(usage: RecipeUsage, path: KeyPath, symbol: Symbol) -> tuple[set[str], bool]:
    """The parameters of `symbol` the recipe passes itself when it instantiates the component at
    `path` (positional arguments fill the positional parameters in order), and whether it also
    unpacks arguments it cannot know (`*args`, `**kwargs`)."""
    positional, keywords, unknown = usage.supplied(path)
    kinds = (ParamKind.POSITIONAL_ONLY, ParamKind.POSITIONAL_OR_KEYWORD)
    by_position = [p.name for p in symbol.parameters or () if p.kind in kinds]
    return set(by_position[:positional]) | keywords, unknown


def _mismatch(top: Mapping, info: RecipeInfo, ctx: AnalysisContext, voice: _Voice) -> Iterator[Finding]:
    """torchtune #1550: a LoRA config run by a full-finetune recipe, or the other way round."""
    usage = info.usage
    assert usage is not None
    component = component_of(top.value_of("model"), ctx.settings.component_keys)
    if component is None:
        return
    resolution = ctx.resolve_or_defer(str(component.dotpath.value))
    symbol = resolution.symbol if resolution is not None else None
    if symbol is None or symbol.parameters is None:
        return
    takes_lora = all(symbol.parameter(k) is not None for k in _LORA_KEYS)
    wants_lora = [k for k in _LORA_KEYS if k in usage.nested_required("model")]
    recipe = info.choice.name
    if wants_lora and not takes_lora:
        message = (
            f"{voice.prefix}{voice.name} is a LoRA recipe (it reads model.{wants_lora[0]}), but "
            f"{symbol.short_name} is not a LoRA model. Use a lora_* model builder, or a full-finetune recipe."
        )
        yield Finding("recipe-mismatch", voice.severity(Severity.ERROR), message, component.dotpath.span)
    elif takes_lora and not wants_lora and "lora" not in recipe:
        message = (
            f"{voice.prefix}{symbol.short_name} is a LoRA model, but {voice.name} does not train LoRA adapters "
            "(it never reads model.lora_rank). Use the matching lora_* recipe, or a model without LoRA."
        )
        yield Finding("recipe-mismatch", Severity.WARNING, message, component.dotpath.span)


def _first_key(top: Mapping) -> Span:
    visible = [p for p in top.pairs if p.key.span.start_line >= 0]
    return visible[0].key.span if visible else Span(0, 0, 0, 0)


def _poor_fit(doc: ParsedConfig, top: Mapping, info: RecipeInfo, fit: Fit, referenced: frozenset[str]) -> Finding:
    """One warning on the line the guess came from, instead of findings about keys that may be fine."""
    name, choice = info.choice.name, info.choice
    parts = []
    if fit.missing:
        parts.append(f"it lacks {len(fit.missing)} keys {name} reads ({_listed(fit.missing)})")
    if fit.unread:
        parts.append(f"it sets {len(fit.unread)} keys {name} never reads ({_listed(fit.unread)})")
    copied = ""
    if choice.source == "tune run header" and choice.where and not choice.where.endswith((".yaml", ".yml")):
        copied = f" The header runs the built-in config {choice.where}, not this file: `tune cp` copied it."
    message = (
        f"This config may not be run by {name} ({choice.how}): {' and '.join(parts)}.{copied} Name its recipe "
        "with a `# tuneconf: recipe=` comment to check it against that recipe."
    )
    where = _source_line(doc, info) or _first_key(top)
    fixes = _naming_fixes(info, fit, top, doc.text, referenced)
    return Finding("recipe-fit", Severity.WARNING, message, where, data={"fixes": fixes})


def _naming_fixes(info: RecipeInfo, fit: Fit, top: Mapping, text: str, referenced: frozenset[str]) -> list[Fix]:
    """Insert `# tuneconf: recipe=`: the recipe files found in the workspace, the registry's best fit
    (when it fits better than the guess), and the guess itself (to confirm it). Each passes the safety
    gate of features/actions.py: a comment line changes no value."""
    keys = [n for n in top.names() if n is not None]
    found = [(o, measure(u, keys, referenced)) for o, u in info.others]
    # Recipes of one family fit the same keys (single device / distributed, full / LoRA): among equals, the
    # one whose name's words the config uses most (lora_* builders, a copied header's single_device).
    words = frozenset(w.lower() for w in _WORD.findall(text))
    registry = sorted(
        (f.score, -sum(w in words for w in _WORD.findall(o.name)), i, o)
        for i, (o, f) in enumerate(found)
        if o.source == "registry"
    )
    named = [(o, o.how) for o, _ in found if o.source != "registry"]
    if registry and registry[0][0] < fit.score:
        named.append((registry[0][3], "best fit in the registry"))
    if info.choice.builtin or info.choice.source != "launch command":
        # a script's own recipe path is relative to the script; a comment's, to the config or workspace
        named.append((info.choice, f"keep the guess, {info.choice.how}"))
    top_line = Span(0, 0, 0, 0)
    return [
        fix(f"Add '# tuneconf: recipe={o.name}' ({why})", (top_line, f"# tuneconf: recipe={o.name}\n"))
        for o, why in named
    ]


def _source_line(doc: ParsedConfig, info: RecipeInfo) -> Span | None:
    """The header line the recipe was read from."""
    if info.choice.source != "tune run header":
        return None
    wanted = (info.choice.name, info.choice.where)
    for number, line in enumerate(doc.lines):
        if "tune" in line and wanted in tune_runs(line):
            return Span(number, 0, number, len(line.rstrip("\r\n")))
    return None


def _listed(keys: tuple[str, ...], most: int = 4) -> str:
    shown = ", ".join(keys[:most])
    return shown + (f" and {len(keys) - most} more" if len(keys) > most else "")
