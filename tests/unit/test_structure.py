"""Document-level diagnostics: codes, ranges and messages that say what to do."""

from __future__ import annotations

import pytest

from text_marks import unmark
from tuneconf.context import AnalysisContext
from tuneconf.diagnostics import run_checks
from tuneconf.document.parse import parse
from tuneconf.findings import Severity


def findings(text: str) -> list[tuple[str, tuple[int, int, int, int]]]:
    return [(f.code, tuple(f.span)) for f in run_checks(parse(text), AnalysisContext())]


@pytest.mark.parametrize(
    ("marked", "code"),
    [
        ("lr: 1\nepochs: 2\n«lr»: 3\n", "duplicate-key"),
        ("opt:\n  lr: 1\n  «'lr'»: 2\n", "duplicate-key"),
        ("«[1, 2]»\n", "top-level-not-mapping"),
        ("«just text»\n", "top-level-not-mapping"),
        ("a: 1\n«---»\nb: 2\n", "not-loadable"),
        ("a: «*missing»\n", "not-loadable"),
        ("a: «!!timestamp 2001-12-14»\n", "not-loadable"),
        ("«~»: 1\n", "not-loadable"),
        ("a: «=»\n", "not-loadable"),
        ("a: «x\x85»y\n".replace("«x\x85»", "x«\x85»"), "odd-line-break"),
    ],
)
def test_each_document_problem_has_its_code_and_range(marked: str, code: str) -> None:
    text, (span,), _ = unmark(marked)
    assert findings(text) == [(code, tuple(span))]


def test_duplicate_key_points_back_to_the_first_one() -> None:
    (finding,) = run_checks(parse("lr: 1\nlr: 2\n"), AnalysisContext())
    assert finding.severity is Severity.ERROR
    assert "first on line 1" in finding.message and "Remove one" in finding.message
    assert finding.related[0].span.start_line == 0


def test_more_nodes_than_omegaconf_allows_is_an_error_that_says_how_to_raise_the_limit() -> None:
    text = "".join(f"k{i}: {i}\n" for i in range(6000))
    (finding,) = run_checks(parse(text), AnalysisContext())
    assert finding.code == "not-loadable"
    assert "OMEGACONF_MAX_YAML_EXPANDED_NODES" in finding.message


def test_an_alias_bomb_is_caught_quickly() -> None:
    rows = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    rows += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    (finding,) = run_checks(parse("\n".join(rows) + "\n"), AnalysisContext())
    assert finding.code == "not-loadable"
