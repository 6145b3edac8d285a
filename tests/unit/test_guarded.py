"""A failing feature is logged and answered empty; it never takes the server down."""

from __future__ import annotations

import logging

import pytest

from tuneconf.server import guarded


def test_a_handler_that_raises_answers_its_default_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    @guarded([])
    def broken(_ls: object, _params: object) -> list[int]:
        raise ValueError("boom")

    with caplog.at_level(logging.ERROR, logger="tuneconf"):
        assert broken(None, None) == []
    assert "broken failed" in caplog.text and "boom" in caplog.text
