"""Components: their dotpaths, their arguments and the types of their values.

Codes: invalid-dotpath, not-installed, unknown-module, unknown-member, unreadable-module,
not-callable, compiled-module, private-dotpath, unexpected-argument, kwargs-argument,
positional-only, wrong-type, component-not-string, stale-argument, missing-dependency; forwarded-argument
(diagnostics/forwarded.py: a key in **kwargs followed to where it lands).
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator

from tuneconf.context import AnalysisContext
from tuneconf.diagnostics import forwarded, hydra_components
from tuneconf.diagnostics.copies import copy_finding
from tuneconf.diagnostics.edits import fix, remove_pair, segment_span, text_span
from tuneconf.diagnostics.typecheck import describe, mismatch
from tuneconf.document.components import Component, component_of, iter_components
from tuneconf.document.parse import ParsedConfig
from tuneconf.document.tree import KeyPath, Mapping, Node, Pair, Scalar, deref, walk
from tuneconf.findings import Finding, Severity
from tuneconf.index.names import Moved
from tuneconf.index.records import ParamKind, Resolution, Status, Symbol, TypeSpec
from tuneconf.index.service import public_path
from tuneconf.interpolation.resolve import dotted, resolve_chain, whole_reference
from tuneconf.suggest import closest

DOTTED = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)+$")


def check(doc: ParsedConfig, ctx: AnalysisContext) -> Iterator[Finding]:
    if doc.mapping is None or component_of(doc.mapping, ctx.settings.component_keys) is not None:
        yield from _section(doc, None, doc.root, ctx)  # a Hydra group option is often one component
        return
    yield from ctx.per_section("components", doc, lambda pair: _section(doc, pair.name, pair.value, ctx))


def _section(doc: ParsedConfig, name: str | None, value: Node | None, ctx: AnalysisContext) -> Iterator[Finding]:
    """The components and bare dotpaths under one top-level key (or the whole document)."""
    prefix: KeyPath = (name,) if name is not None else ()
    opaque = hydra_components.config_objects(value, prefix, ctx) if ctx.hydra is not None else []
    # a primary's top-level `_target_` nobody instantiates: its keys are no arguments (nested nodes still are)
    skip_root = name is None and hydra_components.uninstantiated_root(ctx)
    for found in iter_components(value, ctx.settings.component_keys):
        component = Component((*prefix, *found.path), found.mapping, found.dotpath)
        symbol = yield from _dotpath(component.dotpath, ctx, what="component")
        below = any(component.path[: len(p)] == p and component.path != p for p in opaque)
        below = below or (skip_root and component.path == ())
        if symbol is not None and symbol.callable and symbol.parameters is not None and not below:
            yield from _arguments(doc, component, symbol, ctx)
    names = set(ctx.settings.dotpath_keys)
    if name in names:
        yield from _bare_dotpath(name, value, ctx)
    for mapping in (n for n in walk(value) if isinstance(n, Mapping)) if value is not None else ():
        for pair in mapping.pairs:
            if pair.name in names:
                yield from _bare_dotpath(pair.name or "", pair.value, ctx)


def _bare_dotpath(name: str, node: Node | None, ctx: AnalysisContext) -> Iterator[Finding]:
    """A key whose value is a dotpath the recipe resolves itself (collate_fn, prompt_template)."""
    value = deref(node)
    if isinstance(value, Scalar) and DOTTED.match(str(value.value)):
        yield from _dotpath(value, ctx, what=name)


def _dotpath(scalar: Scalar, ctx: AnalysisContext, what: str) -> Generator[Finding, None, Symbol | None]:
    """Findings for a dotpath; returns (as the generator's value) its Symbol when it resolved."""
    value = scalar.value
    if not isinstance(value, str) or scalar.style in ("|", ">"):
        message = f"The {what} must be a dotted path such as torch.optim.AdamW, not {scalar.text or 'null'}."
        yield Finding("component-not-string", Severity.ERROR, message, scalar.span)
        return None
    if "${" in value:
        return None
    resolution = ctx.resolve_or_defer(value)
    if resolution is None:
        return None
    if resolution.status is not Status.OK:
        if not _object_attribute(resolution):
            yield _unresolved(scalar, resolution, ctx)
        return None
    symbol = resolution.symbol
    assert symbol is not None
    yield from _callable(scalar, symbol)
    yield from _private(scalar, value, ctx)
    yield from _missing_dependency(scalar, symbol, ctx)
    return symbol


def _object_attribute(r: Resolution) -> bool:
    """`torch.__getattribute__` (with Hydra's `_args_: [AdamW]`): an attribute every object has, which
    the module's source does not define."""
    parts = r.dotpath.split(".")
    last = r.segment == len(parts) - 1
    return r.status is Status.UNKNOWN_MEMBER and last and parts[-1].startswith("__") and parts[-1] in dir(object)


def _unresolved(scalar: Scalar, r: Resolution, ctx: AnalysisContext) -> Finding:
    parts = r.dotpath.split(".")
    span = segment_span(scalar, r.segment)
    name = parts[r.segment] if r.segment < len(parts) else r.dotpath
    if r.status is Status.INVALID:
        return Finding("invalid-dotpath", Severity.ERROR, f"Invalid dotpath: {r.message}.", span)
    if r.status is Status.NOT_INSTALLED:
        where = ctx.interpreter or "the selected interpreter"
        message = (
            f"Module '{name}' was not found: not installed in the environment of {where}, and not in the "
            "workspace folders, the config's folder, the folders the workspace's launch commands for it run "
            "from, or PYTHONPATH. If it is your own module, run `tune run` "
            f"from the folder that holds '{name}' or add that folder to PYTHONPATH; if it is a package, "
            "install it there, or point tuneconf.interpreter at the environment that has it."
        )
        return Finding("not-installed", Severity.WARNING, message, span)
    if r.status is Status.UNREADABLE:
        message = f"Cannot check '{r.dotpath}': {r.message or 'a module on the way cannot be read'}."
        return Finding("unreadable-module", Severity.WARNING, message, span)
    copied = copy_finding(scalar, r, ctx.workspace, ctx.interpreter)
    if copied is not None:
        return copied
    moved = _moved(r, ctx)
    if moved is not None:
        return _moved_member(scalar, r.dotpath, moved)
    guess = _closest(name, r.candidates)
    fixes = [_replace_segment(scalar, r.segment, guess)] if guess else []
    hint = f"; did you mean '{guess}'?" if guess else "."
    if r.status is Status.UNKNOWN_MODULE:
        message = f"No module named '{name}'{hint}"
        return Finding("unknown-module", Severity.ERROR, message, span, data={"fixes": fixes})
    parent = ".".join(parts[: r.segment])
    detail = f" ({r.message})" if r.message else ""
    message = f"'{parent}' has no member '{name}'{detail}{hint}"
    return Finding("unknown-member", Severity.ERROR, message, span, data={"fixes": fixes})


def _moved(r: Resolution, ctx: AnalysisContext) -> Moved | None:
    """Where an unknown member's name is defined now in its package (the package's names are read in
    the background: until then, None, and the document is checked again once they are)."""
    if r.status is not Status.UNKNOWN_MEMBER or r.segment < 1:
        return None
    names = ctx.names_or_defer(r.dotpath.split(".", 1)[0])
    return names.moved(r.dotpath) if names is not None else None


def _moved_member(scalar: Scalar, dotpath: str, moved: Moved) -> Finding:
    """The whole dotpath is marked: the fix rewrites all of it. Only a sole home is preferred (and in
    `moved`, which the fix-every-moved-name action applies); several homes are offered side by side."""
    where = dotpath.rsplit(".", 1)[0]
    span = text_span(scalar)
    if moved.unique:
        (home,) = moved.homes
        message = f"{moved.name} is not in {where}; it is {home} now."
        fixes = [fix(f"Change to {home}", (span, home), preferred=True)]
        return Finding("unknown-member", Severity.ERROR, message, scalar.span, data={"fixes": fixes, "moved": home})
    homes = " or ".join(moved.homes)
    note = "pick one" if len(moved.homes) > 1 else f"as far as the part of {dotpath.split('.', 1)[0]} read shows"
    message = f"{moved.name} is not in {where}; it is {homes} now ({note})."
    fixes = [fix(f"Change to {home}", (span, home)) for home in moved.homes]
    return Finding("unknown-member", Severity.ERROR, message, scalar.span, data={"fixes": fixes})


def _replace_segment(scalar: Scalar, index: int, guess: str) -> dict[str, object]:
    return fix(f"Change to '{guess}'", (segment_span(scalar, index), guess), preferred=True)


def _callable(scalar: Scalar, symbol: Symbol) -> Iterator[Finding]:
    if symbol.kind == "compiled":
        message = f"'{symbol.path}' is in a compiled module: signature unknown, so its arguments are not checked."
        yield Finding("compiled-module", Severity.INFORMATION, message, scalar.span)
    elif symbol.kind == "module":
        message = f"'{symbol.path}' is a module, not something to call. Name a function or class inside it."
        yield Finding("not-callable", Severity.ERROR, message, scalar.span)
    elif not symbol.callable:
        message = f"'{symbol.path}' is not a function or class, so it cannot be instantiated."
        yield Finding("not-callable", Severity.ERROR, message, scalar.span)


def _missing_dependency(scalar: Scalar, symbol: Symbol, ctx: AnalysisContext) -> Iterator[Finding]:
    """Importing the component's module needs a package that is not installed (index/imports.py)."""
    if not symbol.callable or symbol.kind == "module":
        return
    checked = ctx.dependencies_or_defer(str(scalar.value))
    if checked is None or checked.missing is None:
        return
    message = (
        f"'{scalar.value}' cannot be created here: importing its module needs a package that is not "
        f"installed: {checked.missing.describe()}."
    )
    yield Finding("missing-dependency", Severity.ERROR, message, scalar.span)


def _private(scalar: Scalar, dotpath: str, ctx: AnalysisContext) -> Iterator[Finding]:
    private = [s for s in dotpath.split(".") if s.startswith("_") and not s.startswith("__")]
    if not private:
        return
    public = public_path(dotpath, ctx.resolve_or_defer)  # candidates the index does not know yet go to ctx.pending
    if public:
        message = f"'{private[0]}' is private; use the public path {public}."
        fixes = [fix(f"Use {public}", (text_span(scalar), public), preferred=True)]
    else:
        message = f"'{private[0]}' is private: it may move or change between releases. Prefer a public path."
        fixes = []
    yield Finding("private-dotpath", Severity.WARNING, message, scalar.span, data={"fixes": fixes})


def _arguments(doc: ParsedConfig, component: Component, symbol: Symbol, ctx: AnalysisContext) -> Iterator[Finding]:
    keys = ctx.settings.component_keys
    skipped = hydra_components.RESERVED if ctx.hydra is not None else frozenset(keys)
    if ctx.hydra is not None and component.path == ():  # a whole file: Hydra removes these before instantiate
        skipped = skipped | {"defaults", "hydra"}
    by_keyword = [p.name for p in symbol.parameters or () if p.by_keyword]
    for pair in component.mapping.pairs:
        name = pair.name
        if name is None or name in keys or name in skipped or (ctx.hydra is not None and name.startswith("__")):
            continue  # Hydra projects keep `__helper` keys for interpolations and drop them before instantiate
        param = symbol.parameter(name)
        if param is None or param.kind in (ParamKind.VAR_POSITIONAL, ParamKind.VAR_KEYWORD):
            yield _unexpected(doc, component, pair, symbol, by_keyword, ctx)
        elif param.kind is ParamKind.POSITIONAL_ONLY:
            message = f"'{name}' is positional-only in {symbol.signature()}: a config key cannot set it."
            yield Finding("positional-only", Severity.ERROR, message, pair.key.span)
        else:
            yield from _value_type(doc, component, pair, param.type, param.annotation, keys)


def _value_type(
    doc: ParsedConfig, component: Component, pair: Pair, spec: TypeSpec, annotation: str | None, keys: tuple[str, ...]
) -> Iterator[Finding]:
    """The value against the annotation; a whole `${key}` is checked as the value it resolves to."""
    value = deref(pair.value)
    via = ""
    if isinstance(value, Scalar) and whole_reference(value) is not None:
        resolved = resolve_chain(doc.root, (*component.path, pair.name or ""), value)
        if resolved is None:
            return
        via, value = f"is {value.value}, which", deref(resolved)
    problem = mismatch(value, spec, keys)
    if problem is None:
        return
    null = isinstance(value, Scalar) and value.value is None
    severity = Severity.WARNING if null else Severity.ERROR
    if via:
        expected, _, got = problem.removeprefix("expects ").partition(", got ")
        problem = f"{via} resolves to {got}; it expects {expected}"
    message = f"'{pair.name}' {problem} (annotation: {annotation or describe(spec)})."
    yield Finding("wrong-type", severity, message, pair.value.span)


def _unexpected(
    doc: ParsedConfig, component: Component, pair: Pair, symbol: Symbol, names: list[str], ctx: AnalysisContext
) -> Finding:
    name = pair.name or ""
    if component.dotpath.span.start_line < 0 <= pair.key.span.start_line:
        return _stale(component, pair, symbol)
    kwargs = symbol.var_keyword
    verdict = forwarded.follow(component, symbol, name, ctx) if kwargs is not None else None
    if verdict is not None:
        names = [] if verdict.severity is Severity.INFORMATION else [*names, *verdict.names]  # it lands: no guess
    present = set(component.mapping.names())
    guess = _closest(name, [n for n in names if n not in present])  # renaming onto a key set already duplicates it
    fixes = []
    if guess:
        assert isinstance(pair.key, Scalar)
        fixes.append(fix(f"Rename to '{guess}'", (text_span(pair.key), guess), preferred=True))
    fixes.append(fix(f"Remove '{name}'", remove_pair(doc, component.mapping, pair)))
    hint = f" Did you mean '{guess}'?" if guess else ""
    if verdict is not None:
        code = {Severity.ERROR: "unexpected-argument", Severity.WARNING: "forwarded-argument"}
        message = f"'{name}' is not a parameter of {symbol.short_name}; {verdict.message}{hint}"
        found = code.get(verdict.severity, "kwargs-argument")
        return Finding(found, verdict.severity, message, pair.key.span, data={"fixes": fixes})
    if kwargs is not None:
        message = (
            f"'{name}' is not a parameter of {symbol.short_name}; it goes into **{kwargs.name}"
            f" (passed on as a keyword).{hint}"
        )
        return Finding("kwargs-argument", Severity.INFORMATION, message, pair.key.span, data={"fixes": fixes})
    message = f"Unexpected argument '{name}' for {symbol.short_name}.{hint or ' Remove it.'}"
    return Finding("unexpected-argument", Severity.ERROR, message, pair.key.span, data={"fixes": fixes})


def _stale(component: Component, pair: Pair, symbol: Symbol) -> Finding:
    """An override swapped the component; the config's arguments for the old one stay (torchtune #2152)."""
    name = pair.name or ""
    where = dotted(component.path)
    removal = f"~{where}.{name}" if where else f"~{name}"
    line = pair.key.span.start_line + 1
    message = (
        f"{symbol.short_name}, set by this override, does not take '{name}', which the config still sets "
        f"(line {line}). Add {removal} to the overrides."
    )
    severity = Severity.INFORMATION if symbol.var_keyword is not None else Severity.ERROR
    return Finding("stale-argument", severity, message, component.dotpath.span, data={"suggest": removal})


def _closest(name: str, candidates: tuple[str, ...] | list[str]) -> str | None:
    return closest(name, [c for c in candidates if not c.startswith("_") or name.startswith("_")])
