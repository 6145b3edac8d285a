"""Property-based fuzzing of the code actions: after random edits of real configs (written with CRLF, a
BOM, or an anchor shared through an alias and a merge key), every action offered is safe as OmegaConf
itself judges it (tests/edit_oracle.py): the config still loads, no value outside the edit changes,
and inserted lines end as the file's lines do."""

from __future__ import annotations

import pytest
from edits import apply, base_texts, edits
from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol import types

from edit_oracle import judge
from tuneconf.document.positions import Converter, encoding_of
from tuneconf.features.actions import code_actions
from tuneconf.project import Project
from tuneconf.settings import Settings

TEXTS = base_texts()
EVERYWHERE = types.Range(types.Position(0, 0), types.Position(10**6, 0))
SHARED = "shared_twin: *shared\nshared_merged:\n  <<: *shared\n  extra: 1\n"
# Slips that leave fixes to offer: an argument's name, an interpolated key, a top-level key.
TYPOS = {"lora_rank:": "lora_rnak:", "${output_dir}": "${output_dri}", "\nepochs:": "\nepoch:", "\nseed:": "\nsede:"}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return Project(Settings(), [], cache_dir=tmp_path_factory.mktemp("cache"))


def written(text: str, how: str) -> str:
    for right, wrong in TYPOS.items():
        text = text.replace(right, wrong, 1)
    if how == "crlf":
        return text.replace("\r\n", "\n").replace("\n", "\r\n")
    if how == "anchors" and "\nmodel:\n" in text:
        return text.replace("\nmodel:\n", "\nmodel: &shared\n", 1) + SHARED
    return text


@settings(max_examples=min(settings().max_examples, 300))
@given(st.sampled_from(range(len(TEXTS))), st.sampled_from(["lf", "crlf", "bom", "anchors"]), edits)
def test_every_offered_action_is_safe(project: Project, which: int, how: str, changes: list) -> None:  # type: ignore[type-arg]
    text = written(TEXTS[which], how)
    for change in changes:
        start, end, new = apply(text, change)
        text = text[:start] + new + text[end:]
    if how == "bom":  # added last: a U+FEFF inside the text is no BOM (and no edit puts text before one)
        text = "\ufeff" + text
    view = project.view("file:///fuzz/actions.yaml", None, text)
    conv = Converter(view.parsed.lines, encoding_of(None))
    for action in code_actions(view.uri, view.parsed, view.findings(), EVERYWHERE, conv, view.ctx):
        assert judge(text, action) == []
