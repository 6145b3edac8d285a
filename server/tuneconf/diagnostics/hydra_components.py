"""Hydra's own keys on `_target_` components, and their required arguments as Hydra's `instantiate`
calls them (hydra/_internal/instantiate/_instantiate2.py, Hydra 1.3):

- `_partial_: true` makes a `functools.partial`: required arguments may be left out (and `???` ones are
  skipped); `_recursive_: false` passes the children as config objects, so nothing below is checked
  (the component's own code may instantiate them with more arguments); both must be bools (a TypeError);
- `_convert_` is compared case-insensitively with none / partial / object / all; anything else is
  silently `none` (a warning);
- `_args_` are the positional arguments (ignored when the caller passes positional ones itself).

A required argument is certainly missing only where the project's code is known to instantiate the
node (hydra/callsites.py: `instantiate(cfg.model, net=...)` supplies `net`; nested nodes of an
instantiated one are instantiated with nothing more) and the composed config (every file that merges
into that key) does not set it: a checker that reads only the YAML cries wolf there.

Codes: hydra-flag-type, hydra-convert, hydra-args, missing-argument, not-instantiated (a hint).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tuneconf.context import AnalysisContext
from tuneconf.diagnostics.edits import fix, insert_pairs
from tuneconf.diagnostics.typecheck import describe, mismatch
from tuneconf.document.components import Component, iter_components
from tuneconf.document.parse import ParsedConfig
from tuneconf.document.tree import KeyPath, Mapping, Node, Scalar, Sequence, deref
from tuneconf.findings import Finding, Severity
from tuneconf.index.records import Parameter, ParamKind, Symbol
from tuneconf.recipes.usage import ITEM

RESERVED = frozenset({"_target_", "_args_", "_partial_", "_recursive_", "_convert_"})
CONVERT_MODES = ("none", "partial", "object", "all")
_POSITIONAL = (ParamKind.POSITIONAL_ONLY, ParamKind.POSITIONAL_OR_KEYWORD)


def config_objects(value: Node | None, prefix: KeyPath, ctx: AnalysisContext) -> list[KeyPath]:
    """Paths (in the document) whose children are passed as config objects, not instantiated:
    nodes with `_recursive_: false`, and nodes the project's code instantiates with `_recursive_=False`."""
    found: list[KeyPath] = []
    for component in iter_components(value, ("_target_",)):
        flag = deref(component.mapping.value_of("_recursive_"))
        if isinstance(flag, Scalar) and flag.value is False:
            found.append((*prefix, *component.path))
    hydra = ctx.hydra
    if hydra is not None and hydra.sites is not None:
        package = hydra.package
        for site in hydra.sites.sites:
            if site.recursive is False and tuple(site.path[: len(package)]) == package:
                found.append(tuple(site.path[len(package) :]))
    return found


def uninstantiated_root(ctx: AnalysisContext) -> bool:
    """A `_target_` at the top of a primary config that no known call instantiates as a whole: projects
    such as diffusion_policy build it themselves (`get_class(cfg._target_)(cfg)`), so its top-level keys
    are no arguments."""
    hydra = ctx.hydra
    if hydra is None or hydra.place is None or hydra.package:
        return False
    return hydra.sites is None or not any(site.path == () for site in hydra.sites.sites)


def check(doc: ParsedConfig, ctx: AnalysisContext) -> Iterator[Finding]:
    if ctx.hydra is None or doc.root is None:
        return
    for found in iter_components(doc.root, ("_target_",)):
        component = Component(found.path, found.mapping, found.dotpath)
        yield from _flags(component.mapping)
        yield from _not_instantiated(component.mapping)
        resolution = ctx.resolve_or_defer(str(component.dotpath.value)) if _plain(component.dotpath) else None
        symbol = resolution.symbol if resolution is not None else None
        if symbol is None or symbol.parameters is None or not symbol.callable:
            continue
        yield from _positional(component, symbol, ctx)
        yield from _missing(doc, component, symbol, ctx)


def _plain(scalar: Scalar) -> bool:
    return isinstance(scalar.value, str) and "${" not in scalar.value and scalar.style not in ("|", ">")


def _flags(mapping: Mapping) -> Iterator[Finding]:
    for key in ("_partial_", "_recursive_"):
        pair = mapping.get(key)
        value = deref(pair.value) if pair is not None else None
        if pair is None or not isinstance(value, Scalar) or isinstance(value.value, bool) or _opaque(value):
            continue
        message = f"Hydra's {key} must be true or false, not {value.text or 'null'}: instantiate raises a TypeError."
        yield Finding("hydra-flag-type", Severity.ERROR, message, pair.value.span)
    pair = mapping.get("_convert_")
    value = deref(pair.value) if pair is not None else None
    known = isinstance(value, Scalar) and isinstance(value.value, str) and value.value.lower() in CONVERT_MODES
    if pair is None or not isinstance(value, Scalar) or _opaque(value) or known:
        return
    message = (
        f"_convert_ {value.text or 'null'} is none of {', '.join(CONVERT_MODES)}: Hydra silently treats it "
        "as none (the children stay DictConfig and ListConfig)."
    )
    fixes = [fix(f"Change to '{mode}'", (value.span, mode)) for mode in CONVERT_MODES]
    yield Finding("hydra-convert", Severity.WARNING, message, value.span, data={"fixes": fixes})


def _not_instantiated(mapping: Mapping) -> Iterator[Finding]:
    """A hint on `_recursive_: false`: why the children's arguments are not checked."""
    pair = mapping.get("_recursive_")
    value = deref(pair.value) if pair is not None else None
    if pair is None or not isinstance(value, Scalar) or value.value is not False:
        return
    nested = [p.name for p in mapping.pairs if isinstance(deref(p.value), (Mapping, Sequence))]
    if nested:
        message = (
            f"_recursive_: false: {', '.join(str(n) for n in nested)} reach the component as config objects, not "
            "instantiated, so tuneconf does not check their arguments (the component may instantiate them itself)."
        )
        yield Finding("not-instantiated", Severity.HINT, message, pair.key.span)


def _opaque(value: Scalar) -> bool:
    return isinstance(value.value, str) and ("${" in value.value or value.value == "???")


def _positional(component: Component, symbol: Symbol, ctx: AnalysisContext) -> Iterator[Finding]:
    """`_args_` against the signature: how many, duplicates of keyword keys, and their types."""
    pair = component.mapping.get("_args_")
    if pair is None or _caller_positional(component, ctx):
        return  # Hydra drops `_args_` when the caller passes positional arguments itself
    args = deref(pair.value)
    if not isinstance(args, Sequence):
        if isinstance(args, Mapping) or (isinstance(args, Scalar) and not _opaque(args)):
            message = "_args_ must be a list: Hydra raises InstantiationException (Unsupported _args_ type)."
            yield Finding("hydra-args", Severity.ERROR, message, pair.value.span)
        return
    params = [p for p in symbol.parameters or () if p.kind in _POSITIONAL]
    variadic = any(p.kind is ParamKind.VAR_POSITIONAL for p in symbol.parameters or ())
    if len(args.items) > len(params) and not variadic:
        extra = args.items[len(params)]
        message = (
            f"{symbol.short_name} takes {len(params)} positional argument{'s' if len(params) != 1 else ''}; "
            f"_args_ gives {len(args.items)}."
        )
        yield Finding("hydra-args", Severity.ERROR, message, extra.span)
    present = set(component.mapping.names())
    for item, param in zip(args.items, params):
        if param.name in present:
            message = f"_args_ and the key '{param.name}' both set {param.name}: Python raises 'got multiple values'."
            yield Finding("hydra-args", Severity.ERROR, message, item.span)
            continue
        problem = mismatch(item, param.type, ctx.settings.component_keys)
        if problem is not None:
            message = (
                f"_args_ item for '{param.name}' {problem} (annotation: {param.annotation or describe(param.type)})."
            )
            yield Finding("wrong-type", Severity.ERROR, message, item.span)


def _caller_positional(component: Component, ctx: AnalysisContext) -> bool:
    hydra = ctx.hydra
    if hydra is None or hydra.sites is None:
        return False
    pattern = tuple(ITEM if isinstance(k, int) else k for k in (*hydra.package, *component.path))
    return any(tuple(s.path) == pattern and (s.positional > 0 or s.unpacked) for s in hydra.sites.sites)


def _missing(doc: ParsedConfig, component: Component, symbol: Symbol, ctx: AnalysisContext) -> Iterator[Finding]:
    hydra = ctx.hydra
    assert hydra is not None
    if _true(component.mapping.value_of("_partial_")) or "<<" in component.mapping.names():
        return
    path = (*hydra.package, *component.path)
    supplied = _supplied(path, doc, component, symbol, ctx)
    if supplied is None:
        return
    composition = hydra.composition()
    if hydra.selected or composition is None or composition.problems or not hydra.package_certain():
        return  # composed with this file chosen by an override: other choices may set the argument
    composed = _at(composition.data, path) if composition is not None else None
    if not isinstance(composed, dict) or composed.get("_target_") != component.dotpath.value:
        return  # another file sets this node's target, or the composition does not reach it
    if composed.get("_partial_") is True:
        return
    present = set(component.mapping.names()) | set(composed)
    missing = [p for p in symbol.parameters or () if p.required and p.name not in present and p.name not in supplied]
    if missing:
        yield _finding(doc, component, symbol, missing)


def _supplied(
    path: KeyPath, doc: ParsedConfig, component: Component, symbol: Symbol, ctx: AnalysisContext
) -> set[str] | None:
    """The parameters the project's code fills when it instantiates the node at `path`; None when no
    known call instantiates it (then nothing is certain)."""
    hydra = ctx.hydra
    assert hydra is not None
    if hydra.sites is None:
        return None
    pattern = tuple(ITEM if isinstance(k, int) else k for k in path)
    exact = [s for s in hydra.sites.sites if tuple(s.path) == pattern]
    names = [p.name for p in symbol.parameters or () if p.kind in _POSITIONAL]
    args = deref(component.mapping.value_of("_args_"))
    given = len(args.items) if isinstance(args, Sequence) else 0
    if exact:
        if any(s.unpacked or s.partial for s in exact):
            return None
        positional = max(s.positional for s in exact)
        return set(names[: max(positional, given if positional == 0 else 0)]) | {k for s in exact for k in s.keywords}
    composition = hydra.composition()
    for site in hydra.sites.sites:
        depth = len(site.path)
        if depth < len(pattern) and tuple(site.path) == pattern[:depth] and site.recursive is not False:
            if composition is None or not _recursive_chain(composition.data, path, depth):
                return None
            return set(names[:given])
    return None


def _recursive_chain(data: dict[str, Any], path: KeyPath, depth: int) -> bool:
    """No `_recursive_: false` on the nodes from the instantiated one down to `path`'s parent."""
    node: Any = data
    for index, key in enumerate(path[:-1]):
        node = _step(node, key)
        if node is None:
            return False
        if index + 1 >= depth and isinstance(node, dict) and node.get("_recursive_") is False:
            return False
    return True


def _at(data: dict[str, Any], path: KeyPath) -> Any:
    node: Any = data
    for key in path:
        node = _step(node, key)
        if node is None:
            return None
    return node


def _step(node: Any, key: str | int) -> Any:
    if isinstance(node, dict):
        return node.get(key)
    if isinstance(node, list) and isinstance(key, int) and key < len(node):
        return node[key]
    return None


def _true(node: Node | None) -> bool:
    value = deref(node)
    return isinstance(value, Scalar) and value.value is True


def _finding(doc: ParsedConfig, component: Component, symbol: Symbol, missing: list[Parameter]) -> Finding:
    names = ", ".join(p.name for p in missing)
    message = (
        f"{symbol.short_name} needs {names}, which the composed config does not set and the code that "
        "instantiates this node does not pass: the run fails with a missing argument. Add them, or "
        "`_partial_: true` if the code completes the call."
    )
    edit = insert_pairs(doc, component.mapping, [(p.name, "???") for p in missing if p.by_keyword])
    fixes = [fix(f"Add {names}", edit)] if edit else []
    return Finding("missing-argument", Severity.ERROR, message, component.dotpath.span, data={"fixes": fixes})
