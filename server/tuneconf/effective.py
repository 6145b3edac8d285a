"""The effective config: the YAML with overrides applied, printed as torchtune's `tune cat` prints
a config, optionally with interpolations resolved by OmegaConf itself."""

from __future__ import annotations

from dataclasses import dataclass, field

from tuneconf.document.parse import ParsedConfig
from tuneconf.document.values import to_python
from tuneconf.findings import Finding, Severity
from tuneconf.overrides import merge


@dataclass
class Effective:
    text: str
    findings: list[Finding] = field(default_factory=list)
    error: str = ""


def effective_yaml(doc: ParsedConfig, overrides: list[str], resolve: bool = False) -> Effective:
    from omegaconf import OmegaConf  # imported on demand: ~0.13 s, not needed to check configs

    merged = merge(doc, overrides)
    errors = [f for f in merged.findings if f.severity is Severity.ERROR]
    if errors:
        return Effective("", merged.findings, errors[0].message)
    try:
        config = OmegaConf.create(to_python(merged.doc.root) or {})
        text = OmegaConf.to_yaml(config, resolve=resolve)
    except Exception as exc:  # OmegaConf's own message: an unknown key, a missing env var, a cycle
        return Effective("", merged.findings, f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
    return Effective(text, merged.findings)
