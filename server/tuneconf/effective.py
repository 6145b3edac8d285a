"""The effective config: the YAML with overrides applied, printed as torchtune's `tune cat` prints
a config, optionally with interpolations resolved by OmegaConf itself (value by value, so one that
cannot resolve stays as written and is listed at the top).

OmegaConf is asked only for values whose cost interpolation/bounds.py finds small, and for no more
than MAX_TOTAL_STEPS in all: a value beyond stays as written, listed as too deep or too large."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tuneconf.document.parse import ParsedConfig
from tuneconf.document.values import ExpansionLimitError, to_python
from tuneconf.findings import Finding, Severity
from tuneconf.interpolation.bounds import UNNAMED, Bounds, Path, plain_key, refusal
from tuneconf.overrides import merge

if TYPE_CHECKING:
    from tuneconf.hydra.workspace import HydraWorkspace, Place
    from tuneconf.project import ConfigView, Project

MAX_TOTAL_STEPS = 4_000
"""Values OmegaConf visits for all of one config (about a second at worst), on top of each value's bounds."""
MAX_TOTAL_CHARS = 2_000_000
"""Characters the resolved values may add up to (4,000 copies of one long value would be 400 MB)."""


@dataclass
class Effective:
    text: str
    findings: list[Finding] = field(default_factory=list)
    error: str = ""
    unresolved: list[str] = field(default_factory=list)
    too_large: bool = False
    """The error is that the config expands to more than OmegaConf loads (document/values.py)."""


@dataclass
class Prepared:
    """The plain values of the config with its overrides, or why there are none (an Effective)."""

    plain: Any
    failed: Effective | None = None
    findings: list[Finding] = field(default_factory=list)


def effective_yaml(doc: ParsedConfig, overrides: list[str], resolve: bool = False) -> Effective:
    prepared = prepare(doc, overrides)
    return render(prepared, resolve)


def prepare(doc: ParsedConfig, overrides: list[str]) -> Prepared:
    """Overrides merged and values expanded: cheap and bounded (document/values.py), but it parses, so
    in the server it runs on the event loop; `render` may run on a thread."""
    merged = merge(doc, overrides)
    errors = [f for f in merged.findings if f.severity is Severity.ERROR]
    if errors:
        return Prepared(None, Effective("", merged.findings, errors[0].message))
    try:
        plain = to_python(merged.doc.root) or {}
    except ExpansionLimitError as exc:
        return Prepared(None, Effective("", merged.findings, str(exc), too_large=True))
    return Prepared(plain, None, merged.findings)


def prepare_view(project: Project, view: ConfigView, overrides: list[str]) -> Prepared:
    """`prepare` for a document: a Hydra config's composed config (composing reads files, cached by
    their stamps: a few ms), else its own tree with the overrides merged."""
    place = view.ctx.hydra.place if view.ctx.hydra is not None else None
    if place is not None:
        return hydra_prepared(project.hydra, place, overrides)
    return prepare(view.parsed, overrides)


def hydra_prepared(workspace: HydraWorkspace, place: Place, overrides: list[str]) -> Prepared:
    """A Hydra config's effective config: its primary composed as Hydra would with `overrides` (a
    group option: the composition that includes it), with the composition's errors."""
    from tuneconf.hydra.override_check import override_findings

    findings = override_findings(workspace, place, overrides) if overrides else []
    if place.group:
        composed = workspace.composition_for(place)
    else:
        composed = workspace.compose(place.root, place.option, [o for o in overrides if not o.startswith("-")])
    if composed is None:
        message = f"no primary config of {place.root.folder} selects {place.name}"
        return Prepared(None, Effective("", findings, message), findings)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if errors or composed.problems:
        message = errors[0].message if errors else composed.problems[0].message
        return Prepared(None, Effective("", findings, message), findings)
    return Prepared(composed.data, None, findings)


def render(prepared: Prepared, resolve: bool) -> Effective:
    """The effective config as YAML; only OmegaConf and interpolation/ run here (no parsing)."""
    from omegaconf import OmegaConf  # imported on demand: ~0.13 s, not needed to check configs

    if prepared.failed is not None:
        return prepared.failed
    plain = prepared.plain
    try:
        config = OmegaConf.create(plain)
    except Exception as exc:  # what OmegaConf itself refuses to hold
        return Effective("", prepared.findings, f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
    unresolved: list[str] = []
    if resolve:
        plain = _Resolution(config, plain, unresolved).value(plain, (), "")
    text = OmegaConf.to_yaml(OmegaConf.create(plain) if resolve else config)
    header = "".join(f"# not resolved: {line}\n" for line in unresolved)
    return Effective(header + text, prepared.findings, unresolved=unresolved)


def effective_view(prepared: Prepared, resolve: bool = True) -> str:
    """The text of the editor's Effective config view: the config, or a `# tuneconf:` comment."""
    result = render(prepared, resolve)
    return result.text if not result.error else f"# tuneconf: {result.error}\n"


class _Resolution:
    """Each interpolation of a config resolved by OmegaConf where its bounds allow, within one budget."""

    def __init__(self, config: Any, plain: Any, unresolved: list[str]) -> None:
        self.config = config
        self.bounds = Bounds(plain)
        self.unresolved = unresolved
        self.spent = 0
        self.chars = 0

    def value(self, value: Any, path: Path, dotted: str | None) -> Any:
        """`value` resolved where it may be; `dotted`: its key for OmegaConf.select (None: none names it)."""
        if isinstance(value, dict):
            return {k: self.value(v, (*path, k), _child(dotted, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v, (*path, i), f"{dotted}[{i}]" if dotted else None) for i, v in enumerate(value)]
        if not isinstance(value, str) or "${" not in value:
            return value
        cost = self.bounds.cost(path, value)
        reason = refusal(cost) if dotted is not None else UNNAMED
        if reason is None and self.spent + cost.steps > MAX_TOTAL_STEPS:
            reason = f"too large: the config's interpolations take more than {MAX_TOTAL_STEPS:,} steps in all"
        if reason is None and self.chars + cost.chars > MAX_TOTAL_CHARS:
            reason = f"too large: the config's resolved values come to more than {MAX_TOTAL_CHARS:,} characters"
        if dotted is None or reason is not None:
            self.unresolved.append(f"{dotted or '.'.join(map(str, path))}: {reason}")
            return value
        self.spent += cost.steps
        self.chars += cost.chars
        try:
            return select_resolved(self.config, dotted)
        except Exception as exc:
            self.unresolved.append(f"{dotted}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
        return value


def _child(dotted: str | None, key: Any) -> str | None:
    """The dotted name of a mapping's value for OmegaConf.select; None where it would find another value
    (interpolation/bounds.py plain_key)."""
    if dotted is None or not plain_key(key):
        return None
    return f"{dotted}.{key}" if dotted else str(key)


def select_resolved(config: Any, path: str) -> Any:
    """The plain value at dotted `path` of an OmegaConf `config`, resolved; raises what OmegaConf raises.
    Unbounded: callers ask interpolation/bounds.py first."""
    from omegaconf import OmegaConf

    result = OmegaConf.select(config, path, throw_on_resolution_failure=True)
    return OmegaConf.to_container(result, resolve=True) if OmegaConf.is_config(result) else result
