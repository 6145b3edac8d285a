"""The Hydra family: what only a Hydra config can get wrong. `_target_` keys Hydra reserves and the
arguments its `instantiate` passes (hydra_components.py), the defaults list and `# @package` headers
(hydra_defaults.py), and the sweeper's parameters here: `hydra.sweeper.params` (basic and Optuna
sweepers) must name keys of the composed config, or config groups.

Codes: see hydra_components.py and hydra_defaults.py; unknown-sweep-key.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tuneconf.context import AnalysisContext
from tuneconf.diagnostics import hydra_components, hydra_defaults
from tuneconf.diagnostics.edits import fix
from tuneconf.document.parse import ParsedConfig
from tuneconf.document.tree import Mapping, Scalar, deref
from tuneconf.findings import Finding, Severity
from tuneconf.suggest import closest


def check(doc: ParsedConfig, ctx: AnalysisContext) -> Iterator[Finding]:
    if ctx.hydra is None:
        return
    yield from hydra_components.check(doc, ctx)
    yield from hydra_defaults.check(doc, ctx)
    yield from _sweep_params(doc, ctx)


def _sweep_params(doc: ParsedConfig, ctx: AnalysisContext) -> Iterator[Finding]:
    hydra = ctx.hydra
    if hydra is None or hydra.place is None or hydra.package or doc.mapping is None:
        return
    section = deref(doc.mapping.value_of("hydra"))
    sweeper = deref(section.value_of("sweeper")) if isinstance(section, Mapping) else None
    params = deref(sweeper.value_of("params")) if isinstance(sweeper, Mapping) else None
    if not isinstance(params, Mapping):
        return
    composition = hydra.composition()
    if composition is None:
        return
    for pair in params.pairs:
        key = pair.name
        if key is None or not isinstance(pair.key, Scalar) or key.startswith(("+", "~", "hydra.")) or "${" in key:
            continue  # added keys; Hydra's own section (its launcher's and sweeper's keys depend on plugins)
        if key in composition.choices or _has(composition.data, key.split(".")):
            continue
        parent, _, last = key.rpartition(".")
        node = _get(composition.data, parent.split(".")) if parent else composition.data
        candidates = [str(k) for k in node] if isinstance(node, dict) else []
        if not parent:
            candidates += list(composition.choices)
        guess = closest(last, candidates)
        hint = f" Did you mean '{guess}'?" if guess else ""
        message = (
            f"The sweeper sweeps '{key}', which the composed config does not have: every job fails with "
            f"\"Could not override '{key}'\" (use +{key}=... to add a key).{hint}"
        )
        fixes = (
            [fix(f"Change to '{guess}'", (pair.key.span, f"{parent}.{guess}" if parent else guess))] if guess else []
        )
        # composed with this file selected: the sweep runs with other choices (an experiment) that may add it
        severity = Severity.WARNING if hydra.selected else Severity.ERROR
        yield Finding("unknown-sweep-key", severity, message, pair.key.span, data={"fixes": fixes})


def _has(data: Any, keys: list[str]) -> bool:
    return _get(data, keys) is not _MISSING


_MISSING = object()


def _get(data: Any, keys: list[str]) -> Any:
    node = data
    for key in keys:
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return _MISSING
    return node
