"""Interpolations in a Hydra config: keys are looked up in the composed config (`${model.lr}` in a group
file names the key another group's file sets), Hydra's resolvers (`now`, `hydra`) and the resolvers the
workspace's code registers are known, and `${hydra:KEY}` must name a key of the hydra section (Hydra
silently gives None for a typo such as `${hydra:runtime.output_dirr}`).

Where the file is in no composition tuneconf can make (no entry point names its root, or it is selected
by no primary), a key is judged in the file alone only where the reference stays inside it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tuneconf.diagnostics.edits import fix
from tuneconf.document.tree import KeyPath
from tuneconf.findings import Finding, Severity
from tuneconf.hydra.discover import UNREAD_NAME
from tuneconf.hydra.keys import HYDRA_RESOLVERS, hydra_key_problem
from tuneconf.hydra.workspace import HydraInfo
from tuneconf.interpolation.grammar import BUILTIN_RESOLVERS, Reference, ResolverCall
from tuneconf.interpolation.resolve import Occurrence, Target, offset_span, target


def known_resolvers(hydra: HydraInfo, configured: tuple[str, ...]) -> set[str]:
    return set(BUILTIN_RESOLVERS) | set(configured) | set(HYDRA_RESOLVERS) | set(hydra.resolvers)


def unknown_resolver(occ: Occurrence, call: ResolverCall, hydra: HydraInfo) -> Finding:
    message = (
        f"Unknown resolver '{call.name}': no OmegaConf.register_new_resolver(\"{call.name}\", ...) in the workspace, "
        "and neither OmegaConf nor Hydra has it: OmegaConf raises UnsupportedInterpolationType when the value is "
        "read. Register it before the config is read, or add it to tuneconf.resolvers if a library registers it."
    )
    guess = _closest(call.name, sorted(known_resolvers(hydra, ()) - {UNREAD_NAME}))
    span = offset_span(occ.scalar, call.name_start, call.name_end)
    fixes = [fix(f"Change to '{guess}'", (span, guess), preferred=True)] if guess else []
    if UNREAD_NAME in hydra.resolvers:  # the workspace registers resolvers under names computed at run time
        message = f"Resolver '{call.name}' is not registered under this name anywhere tuneconf can read; the workspace "
        message += "also registers resolvers under computed names, which may include it."
        return Finding("unknown-resolver", Severity.WARNING, message, span, data={"fixes": fixes})
    return Finding("unknown-resolver", Severity.ERROR, message, span, data={"fixes": fixes})


def hydra_key(occ: Occurrence, call: ResolverCall) -> Iterator[Finding]:
    """`${hydra:KEY}`: KEY must be a key of Hydra's hydra section."""
    value = str(occ.scalar.value)
    start = call.name_end + 1
    argument = value[start : call.end - 1]
    key = argument.strip()
    if call.name != "hydra" or not key or "${" in key or "," in key:
        return
    problem = hydra_key_problem(key)
    if problem is None:
        return
    index, guess = problem
    segments = key.split(".")
    offset = start + (len(argument) - len(argument.lstrip())) + sum(len(s) + 1 for s in segments[:index])
    span = offset_span(occ.scalar, offset, offset + len(segments[index]))
    hint = f" Did you mean '{guess}'?" if guess else ""
    message = (
        f"${{hydra:{key}}}: the hydra section has no '{'.'.join(segments[: index + 1])}', and Hydra gives None for "
        f"it without an error.{hint}"
    )
    fixes = [fix(f"Change to '{guess}'", (span, guess), preferred=True)] if guess else []
    yield Finding("unknown-hydra-key", Severity.ERROR, message, span, data={"fixes": fixes})


def reference_target(root: Any, occ: Occurrence, ref: Reference, hydra: HydraInfo) -> Target:
    """What `ref` names: in the file itself where it stays there, else in the composed config. A Target
    with `failed` set only where the key is certainly missing."""
    package = hydra.package
    if ref.dots or not package:
        local = target(root, occ.path, ref)
        if local.failed is None and (ref.dots <= len(occ.path) or not package):
            return local
    composition = hydra.composition()
    if composition is None or composition.problems or any(k is None for k in ref.keys):
        return Target(None)  # no composition, or one Hydra would refuse: what it lacks is not certain
    if not hydra.package_certain():
        return Target(None)  # the file sits elsewhere (group@pkg), or in several places
    position: KeyPath = (*package, *occ.path)
    if ref.dots > len(position):
        return Target(None, failed=0)
    base = position[: -ref.dots] if ref.dots else ()
    node: Any = _at(composition.data, base)
    for index, key in enumerate(ref.keys):
        assert key is not None
        if isinstance(node, dict):
            if key not in node:
                if _set_here(root, package, ref, index):
                    return Target(None)
                return Target(None, failed=index, candidates=tuple(str(k) for k in node))
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return Target(None)  # a value set by interpolation or a structured node: not judged
    return Target(None)


def _set_here(root: Any, package: KeyPath, ref: Reference, index: int) -> bool:
    """The key is in the open document (an edit not yet saved, which the composition reads from disk)."""
    keys = tuple(ref.keys[: index + 1])
    if ref.dots or keys[: len(package)] != package:
        return False
    from tuneconf.interpolation.resolve import node_at_path

    node, _ = node_at_path(root, tuple(str(k) for k in keys[len(package) :]))
    return node is not None


def _at(data: Any, path: KeyPath) -> Any:
    node = data
    for key in path:
        if isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
        else:
            return None
    return node


def _closest(name: str, candidates: list[str]) -> str | None:
    from tuneconf.suggest import closest

    return closest(name, candidates)
