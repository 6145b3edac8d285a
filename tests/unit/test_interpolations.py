"""Every ${...} form: what resolves, what does not and where the error is (OmegaConf's own grammar)."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf

from builtin import builtin_configs
from text_marks import unmark
from tuneconf.context import AnalysisContext
from tuneconf.diagnostics import run_checks
from tuneconf.document.parse import parse
from tuneconf.interpolation import grammar
from tuneconf.settings import Settings


def findings(text: str, settings: Settings | None = None) -> list[tuple[str, tuple[int, int, int, int]]]:
    ctx = AnalysisContext(settings=settings or Settings())
    return [(f.code, tuple(f.span)) for f in run_checks(parse(text), ctx)]


RESOLVING = """\
out: /tmp
lst: [10, 20]
model:
  name: m
  sub:
    a: ${..name}
    b: ${.a}
    c: ${...out}/x
abs: ${model.sub.a}
idx: ${lst.1}
brk: ${lst[0]}
env: ${oc.env:HOME,/tmp}
sel: ${oc.select:model.name,default}
dec: ${oc.decode:'[1, 2]'}
esc: \\${not.a.key}
dyn: ${model.${key}}
key: name
both: ${out}/${model.name}-${lst.0}
spaced: ${ out }
"""


def test_every_form_that_resolves_is_silent_and_omegaconf_agrees() -> None:
    assert findings(RESOLVING) == []
    resolved = OmegaConf.to_container(OmegaConf.create(RESOLVING), resolve=True)
    assert resolved["model"]["sub"] == {"a": "m", "b": "m", "c": "/tmp/x"}  # type: ignore[index]
    assert (resolved["idx"], resolved["brk"], resolved["dyn"]) == (20, 10, "m")  # type: ignore[index]


@pytest.mark.parametrize(
    ("marked", "code"),
    [
        ("out: 1\nx: ${«outt»}\n", "unknown-interpolation-key"),
        ("m: {a: 1}\nx: ${m.«b»}\n", "unknown-interpolation-key"),
        ("m:\n  a: ${.«b»}\n", "unknown-interpolation-key"),
        ("m:\n  a: ${..«zz»}\n", "unknown-interpolation-key"),
        ("l: [1]\nx: ${l.«3»}\n", "unknown-interpolation-key"),
        ("s: text\nx: ${s.«y»}\n", "unknown-interpolation-key"),
        ("x: «${out»\nout: 1\n", "interpolation-syntax"),
        ("x: a «${}»\n", "interpolation-syntax"),
        ("x: ${«my.res»:1}\n", "unknown-resolver"),
        ("x: «???»\n", "missing-value"),
        ("x: '${«é»}'\n", "unknown-interpolation-key"),
    ],
)
def test_each_problem_has_its_range(marked: str, code: str) -> None:
    text, (span,), _ = unmark(marked)
    assert findings(text) == [(code, tuple(span))]


def test_cycles_and_self_references() -> None:
    text, spans, _ = unmark("a: «${b}»\nb: «${c}»\nc: «${a}»\nd: «${d}»\ne: ${a}\n")
    assert findings(text) == [("interpolation-cycle", tuple(s)) for s in spans]


def test_declared_resolvers_are_known() -> None:
    assert findings("x: ${my.res:1}\n", Settings(resolvers=("my.res",))) == []


def test_bad_input_is_bounded() -> None:
    started = time.monotonic()
    deep = findings("x: " + "${" * 1000 + "a" + "}" * 1000 + "\na: 1\n")
    many = findings("a: 1\n" + "".join(f"k{i}: ${{a}}\n" for i in range(10_000)))
    chain = findings("k0: 1\n" + "".join(f"k{i}: ${{k{i - 1}}}\n" for i in range(1, 1000)))
    assert deep == []  # too deep to analyse: nothing said (a false error is worse than a missed one)
    assert [c for c, _ in many if c != "not-loadable"] == [] and chain == []
    assert time.monotonic() - started < 60  # generous: proves "no hang", not speed


@pytest.mark.parametrize(
    "value",
    ["${" * 60 + "a" + "}" * 60, "${a}" + "x" * 25_000],
    ids=["nested-60", "25k-characters"],
)
def test_what_is_too_big_to_analyse_is_not_called_an_error(value: str) -> None:
    text = f"a: a\nx: '{value}'\n"
    assert findings(text) == []
    assert OmegaConf.create(text).x == value.replace("${" * 60 + "a" + "}" * 60, "a").replace("${a}", "a")


def _all_strings(node: object) -> list[str]:
    if isinstance(node, dict):
        return [s for v in node.values() for s in _all_strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _all_strings(v)]
    return [node] if isinstance(node, str) else []


def test_the_fast_path_agrees_with_omegaconfs_grammar_on_every_builtin_value() -> None:
    values = {s for f in builtin_configs() for s in _all_strings(OmegaConf.to_container(OmegaConf.load(f)))}
    interpolated = [v for v in values if "${" in v]
    assert len(interpolated) >= 5
    assert all(grammar._simple(v) is not None for v in interpolated)  # real values skip ANTLR
    for value in interpolated:
        assert grammar._simple(value) in (None, grammar._antlr(value)), value


@given(st.text(alphabet="${}.ab1_-: /'\"\\[]é", max_size=24))
@settings(max_examples=3000, deadline=None)
def test_the_fast_path_agrees_with_omegaconfs_grammar_on_random_text(text: str) -> None:
    assert grammar._simple(text) in (None, grammar._antlr(text))
