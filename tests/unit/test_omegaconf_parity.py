"""Our typed tree equals what OmegaConf loads: all built-in configs, and a table of edge cases."""

from __future__ import annotations

import io
import math
from typing import Any

import pytest
from omegaconf import OmegaConf

from builtin import builtin_configs
from tuneconf.context import AnalysisContext
from tuneconf.diagnostics import run_checks
from tuneconf.document.parse import parse
from tuneconf.document.scalars import OmegaConfResolver
from tuneconf.document.values import to_python
from tuneconf.findings import Severity


def same(ours: Any, theirs: Any) -> bool:
    """Equal value for value and type for type (so 1 != 1.0 != True)."""
    if type(ours) is not type(theirs):
        return False
    if isinstance(ours, dict):
        return list(ours) == list(theirs) and all(same(ours[k], theirs[k]) for k in ours)
    if isinstance(ours, (list, tuple)):
        return len(ours) == len(theirs) and all(same(a, b) for a, b in zip(ours, theirs))
    if isinstance(ours, float) and math.isnan(ours):
        return math.isnan(theirs)
    return bool(ours == theirs)


def test_all_156_builtin_configs_load_to_the_same_values_and_types() -> None:
    files = builtin_configs()
    assert len(files) == 156
    for file in files:
        doc = parse(file.read_text(encoding="utf-8"))
        assert doc.syntax == [], file
        expected = OmegaConf.to_container(OmegaConf.load(file))
        assert same(to_python(doc.root), expected), file
        assert [f for f in run_checks(doc, AnalysisContext()) if f.severity is Severity.ERROR] == [], file


def test_our_resolver_table_is_omegaconfs() -> None:
    from omegaconf._yaml import get_yaml_loader

    theirs = get_yaml_loader().yaml_implicit_resolvers
    ours = OmegaConfResolver.yaml_implicit_resolvers
    assert {k: [(t, r.pattern) for t, r in v] for k, v in ours.items()} == {
        k: [(t, r.pattern) for t, r in v] for k, v in theirs.items()
    }


EDGE_CASES = [
    "a: yes\nb: On\nc: off\nd: NO\n",
    "a: 2e-5\nb: 1e3\nc: .5\nd: 1.\ne: 5E+3\nf: 1e\ng: 0.5e-3\n",
    "a: 017\nb: 0x1F\nc: 0b101\nd: 1_000\ne: 1:30\nf: +1\ng: 0o17\nh: 190:20:30.15\n",
    "a: .inf\nb: -.inf\nc: .NaN\n",
    "a: null\nb: ~\nc:\nd: NULL\ne: !!null ''\n",
    "a: !!str 3\nb: !!str\nc: !!float 1\nd: '1'\ne: \"true\"\n",
    "a: 2001-12-14\nb: ${x}\nx: 1\nc: '???'\n",
    "a: !!binary aGVsbG8=\n",
    "1: a\n1.5: b\ntrue: c\n=: d\n",
    "1: a\n1: b\n",
    "<<: {a: 1}\nb: 2\n",
    "x: &a {p: 1, q: 2}\ny:\n  <<: *a\n  p: 3\n",
    "x: &a {p: 1}\nz: &b {p: 2, r: 1}\ny:\n  <<: [*a, *b]\n",
    "a: !!omap [x: 1, y: 2]\n",
    "a: !!python/object/apply:pathlib.Path [a, b]\n",
    "a: b\n  c\nd: |\n  line\ne: >-\n  folded\n  text\n",
    "---\na: 1\n",
    "a: 1\n...\n",
    "",
    "# only\n",
    "null\n",
    # OmegaConf refuses these:
    "~: 1\n",
    "[a]: 1\n",
    "a: !!timestamp 2001-12-14\n",
    "a: !!set {x, y}\n",
    "a: =\n",
    "a: !foo x\n",
    "a: 1\n'a': 2\n",
    "a: &x [*x]\n",
    "a: 1\n---\nb: 1\n",
    "a: !!int 1.5\n",
    "a: !!bool maybe\n",
    "a: *nothing\n",
    "a: " + "[" * 120 + "]" * 120 + "\n",
]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_we_report_an_error_exactly_when_omegaconf_cannot_load(text: str) -> None:
    doc = parse(text)
    errors = [f for f in run_checks(doc, AnalysisContext()) if f.severity is Severity.ERROR]
    try:
        expected = OmegaConf.to_container(OmegaConf.load(io.StringIO(text)))
    except Exception:
        assert errors, f"OmegaConf refuses {text!r}; we said nothing"
        return
    assert errors == [], text
    assert same(to_python(doc.root) if doc.root is not None and to_python(doc.root) is not None else {}, expected)
