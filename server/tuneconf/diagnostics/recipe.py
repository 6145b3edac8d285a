"""The config against its recipe: keys it must have, keys nothing reads, arguments the recipe
supplies (so the config must not, and need not), and configs written for another kind of recipe.

Codes: missing-key, unused-key, missing-argument, supplied-argument, recipe-mismatch.
"""

from __future__ import annotations

from collections.abc import Iterator

from tuneconf.context import AnalysisContext
from tuneconf.diagnostics.edits import fix, insert_pairs, remove_pair, text_span
from tuneconf.diagnostics.interpolations import document_occurrences
from tuneconf.document.components import Component, component_of, iter_components
from tuneconf.document.parse import ParsedConfig
from tuneconf.document.tree import KeyPath, Mapping, Pair, Scalar, Span
from tuneconf.findings import Finding, Severity
from tuneconf.index.records import ParamKind, Symbol
from tuneconf.recipes.analysis import ITEM, RecipeUsage
from tuneconf.recipes.catalog import RecipeInfo
from tuneconf.suggest import closest

_LORA_KEYS = ("lora_rank", "lora_alpha", "lora_attn_modules")


def check(doc: ParsedConfig, ctx: AnalysisContext) -> Iterator[Finding]:
    info = ctx.recipe
    top = doc.mapping
    if info is None or info.usage is None or info.usage.error or top is None or doc.syntax:
        return
    yield from _missing_keys(doc, top, info)
    yield from _unused_keys(doc, info, ctx)
    family = f"recipe-arguments:{id(info.usage)}"
    yield from ctx.per_section(family, doc, lambda pair: _section_arguments(doc, pair, info, ctx), local=True)
    yield from _mismatch(top, info, ctx)


def _section_arguments(doc: ParsedConfig, pair: Pair, info: RecipeInfo, ctx: AnalysisContext) -> Iterator[Finding]:
    assert info.usage is not None
    for found in iter_components(pair.value, ctx.settings.component_keys):
        component = Component((pair.name or "", *found.path), found.mapping, found.dotpath)
        resolution = ctx.resolve_or_defer(str(component.dotpath.value))
        symbol = resolution.symbol if resolution is not None else None
        if symbol is not None and symbol.parameters is not None:
            yield from _arguments(doc, component, symbol, info.usage, info.choice.name)


def _missing_keys(doc: ParsedConfig, top: Mapping, info: RecipeInfo) -> Iterator[Finding]:
    assert info.usage is not None
    present = set(top.names())
    missing = {k: r for k, r in info.usage.required_keys().items() if k not in present}
    if not missing:
        return
    where = _first_key(top)
    recipe = info.choice.name
    for key, read in missing.items():
        message = (
            f"{recipe} reads '{key}' (recipe line {read.line}), which this config does not set: "
            "the run fails with a missing key. Add it."
        )
        edit = insert_pairs(doc, top, [(key, "???")])
        fixes = [fix(f"Add '{key}: ???'", edit)] if edit else []
        yield Finding("missing-key", Severity.ERROR, message, where, data={"fixes": fixes, "key": key})


def _unused_keys(doc: ParsedConfig, info: RecipeInfo, ctx: AnalysisContext) -> Iterator[Finding]:
    usage = info.usage
    assert usage is not None
    read = sorted(usage.read_keys())
    occurrences = document_occurrences(doc, ctx)
    referenced = frozenset(str(r.keys[0]) for o in occurrences for r in o.parsed.references if r.keys and r.dots == 0)
    present = frozenset(doc.mapping.names()) if doc.mapping is not None else frozenset()
    # A key the config sets already is no guess: renaming onto it would make a duplicate key.
    guesses = [key for key in read if key not in present]
    family = f"unused-key:{id(usage)}:{hash(referenced)}:{hash(present)}"
    yield from ctx.per_section(family, doc, lambda pair: _unused(pair, info, read, guesses, referenced), local=True)


def _unused(
    pair: Pair, info: RecipeInfo, read: list[str], guesses: list[str], referenced: frozenset[str]
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
    message = f"{info.choice.name} never reads '{name}'.{hint}"
    fixes = []
    if guess and isinstance(pair.key, Scalar):
        fixes.append(fix(f"Rename to '{guess}'", (text_span(pair.key), guess), preferred=True))
    yield Finding("unused-key", Severity.WARNING, message, pair.key.span, data={"fixes": fixes})


def _arguments(
    doc: ParsedConfig, component: Component, symbol: Symbol, usage: RecipeUsage, recipe: str
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
                f"{recipe} passes '{pair.name}' to {symbol.short_name} itself; setting it here too fails with "
                f"\"got multiple values for argument '{pair.name}'\". Remove it."
            )
            fixes = [fix(f"Remove '{pair.name}'", remove_pair(doc, component.mapping, pair), preferred=True)]
            yield Finding("supplied-argument", Severity.ERROR, message, pair.key.span, data={"fixes": fixes})
    if unknown:
        return
    missing = [p for p in params if p.required and p.name not in present and p.name not in supplied]
    if missing:
        names = ", ".join(p.name for p in missing)
        message = f"{symbol.short_name} needs {names}, which neither this config nor {recipe} provides. Add them."
        edit = insert_pairs(doc, component.mapping, [(p.name, "???") for p in missing if p.by_keyword])
        fixes = [fix(f"Add {names}", edit)] if edit else []
        yield Finding("missing-argument", Severity.ERROR, message, component.dotpath.span, data={"fixes": fixes})


def supplied_arguments(usage: RecipeUsage, path: KeyPath, symbol: Symbol) -> tuple[set[str], bool]:
    """The parameters of `symbol` the recipe passes itself when it instantiates the component at
    `path` (positional arguments fill the positional parameters in order), and whether it also
    unpacks arguments it cannot know (`*args`, `**kwargs`)."""
    positional, keywords, unknown = usage.supplied(path)
    kinds = (ParamKind.POSITIONAL_ONLY, ParamKind.POSITIONAL_OR_KEYWORD)
    by_position = [p.name for p in symbol.parameters or () if p.kind in kinds]
    return set(by_position[:positional]) | keywords, unknown


def _mismatch(top: Mapping, info: RecipeInfo, ctx: AnalysisContext) -> Iterator[Finding]:
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
            f"{recipe} is a LoRA recipe (it reads model.{wants_lora[0]}), but {symbol.short_name} is not a LoRA "
            "model. Use a lora_* model builder, or a full-finetune recipe."
        )
        yield Finding("recipe-mismatch", Severity.ERROR, message, component.dotpath.span)
    elif takes_lora and not wants_lora and "lora" not in recipe:
        message = (
            f"{symbol.short_name} is a LoRA model, but {recipe} does not train LoRA adapters (it never reads "
            "model.lora_rank). Use the matching lora_* recipe, or a model without LoRA."
        )
        yield Finding("recipe-mismatch", Severity.WARNING, message, component.dotpath.span)


def _first_key(top: Mapping) -> Span:
    visible = [p for p in top.pairs if p.key.span.start_line >= 0]
    return visible[0].key.span if visible else Span(0, 0, 0, 0)
