"""Property-based fuzzing of the document model: random edits never break the parser or the checks,
every span stays inside the document, and undoing the edits gives back exactly the original findings."""

from __future__ import annotations

import pytest
from edits import apply, base_texts, edits
from hypothesis import given
from hypothesis import strategies as st

from tuneconf.document.parse import parse
from tuneconf.document.tolerant import split_lines
from tuneconf.document.tree import walk
from tuneconf.project import Project
from tuneconf.settings import Settings

TEXTS = base_texts()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return Project(Settings(), [], cache_dir=tmp_path_factory.mktemp("cache"))


def findings(project: Project, text: str) -> list[tuple[object, ...]]:
    view = project.view("file:///fuzz/config.yaml", None, text)
    return [(f.code, f.severity, f.span, f.message, f.file) for f in view.findings()]


def assert_spans_inside(text: str) -> None:
    doc = parse(text)
    lines = split_lines(text.removeprefix("\ufeff"))
    for node in walk(doc.root) if doc.root is not None else []:
        span = node.span
        assert 0 <= span.start_line <= span.end_line <= len(lines), span
        assert span.start <= span.end, span
    for problem in doc.syntax:
        assert 0 <= problem.span.start_line < max(len(lines), 1)


@given(st.sampled_from(range(len(TEXTS))), edits)
def test_random_edits_then_undo(project: Project, which: int, changes: list) -> None:  # type: ignore[type-arg]
    original = TEXTS[which]
    expected = findings(project, original)
    text = original
    for change in changes:
        start, end, new = apply(text, change)
        text = text[:start] + new + text[end:]
        assert_spans_inside(text)
    findings(project, text)  # the checks do not raise on whatever the edits made
    assert findings(project, original) == expected
