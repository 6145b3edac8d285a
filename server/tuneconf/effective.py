"""The effective config: the YAML with overrides applied, printed as torchtune's `tune cat` prints
a config, optionally with interpolations resolved by OmegaConf itself (value by value, so one that
cannot resolve stays as written and is listed at the top)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tuneconf.document.parse import ParsedConfig
from tuneconf.document.values import to_python
from tuneconf.findings import Finding, Severity
from tuneconf.overrides import merge


@dataclass
class Effective:
    text: str
    findings: list[Finding] = field(default_factory=list)
    error: str = ""
    unresolved: list[str] = field(default_factory=list)


def effective_yaml(doc: ParsedConfig, overrides: list[str], resolve: bool = False) -> Effective:
    from omegaconf import OmegaConf  # imported on demand: ~0.13 s, not needed to check configs

    merged = merge(doc, overrides)
    errors = [f for f in merged.findings if f.severity is Severity.ERROR]
    if errors:
        return Effective("", merged.findings, errors[0].message)
    try:
        plain = to_python(merged.doc.root) or {}
        config = OmegaConf.create(plain)
    except Exception as exc:  # what OmegaConf itself refuses to hold
        return Effective("", merged.findings, f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
    unresolved: list[str] = []
    if resolve:
        plain = _resolved(config, plain, "", unresolved)
    text = OmegaConf.to_yaml(OmegaConf.create(plain) if resolve else config)
    header = "".join(f"# not resolved: {line}\n" for line in unresolved)
    return Effective(header + text, merged.findings, unresolved=unresolved)


def _resolved(config: Any, value: Any, path: str, unresolved: list[str]) -> Any:

    if isinstance(value, dict):
        return {k: _resolved(config, v, f"{path}.{k}" if path else str(k), unresolved) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolved(config, v, f"{path}[{i}]", unresolved) for i, v in enumerate(value)]
    if isinstance(value, str) and "${" in value:
        try:
            return select_resolved(config, path)
        except Exception as exc:
            unresolved.append(f"{path}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
    return value


def select_resolved(config: Any, path: str) -> Any:
    """The plain value at dotted `path` of an OmegaConf `config`, resolved; raises what OmegaConf raises."""
    from omegaconf import OmegaConf

    result = OmegaConf.select(config, path, throw_on_resolution_failure=True)
    return OmegaConf.to_container(result, resolve=True) if OmegaConf.is_config(result) else result
