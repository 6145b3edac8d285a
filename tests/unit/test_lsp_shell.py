"""A failing feature is logged and answered empty; it never takes the server down."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tuneconf.lsp.server import guarded
from tuneconf.project import workspace_folder


def test_a_handler_that_raises_answers_its_default_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    @guarded([])
    def broken(_ls: object, _params: object) -> list[int]:
        raise ValueError("boom")

    with caplog.at_level(logging.ERROR, logger="tuneconf"):
        assert broken(None, None) == []
    assert "broken failed" in caplog.text and "boom" in caplog.text


def test_workspace_folders_that_name_no_folder_are_left_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert workspace_folder("file://.") == workspace_folder("file:.") == tmp_path.resolve()
    assert workspace_folder(tmp_path.as_uri()) == tmp_path.resolve()
    assert workspace_folder("file:///no/such/folder") is None and workspace_folder("untitled:1") is None
    assert workspace_folder("") is None
