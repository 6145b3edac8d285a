"""The stat cache the path checks ask on every keystroke: bounded waits, expired answers given at once
while fresh ones are read, and the misses that make the server check again once answers are in."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from lsprotocol import types

from tuneconf.diagnostics import stats
from tuneconf.lsp.watching import relevant


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_an_expired_answer_is_given_at_once_and_refreshed_behind(tmp_path: Path) -> None:
    clock = Clock()
    cache = stats.StatCache(ttl=2.0, clock=clock)
    path = str(tmp_path / "model")
    assert cache.entry(path, time.monotonic() + 5) == stats.MISSING
    (tmp_path / "model").mkdir()
    clock.now = 10.0  # expired: the old answer now, the fresh one read in the background
    assert cache.entry(path, time.monotonic()) == stats.MISSING
    assert cache.settle(5.0)
    found = cache.entry(path, time.monotonic())
    assert found is not None and found.kind == "dir"
    assert cache.misses == 0


def test_a_miss_is_counted_and_settle_waits_for_the_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()

    def slow(path: str) -> stats.Entry:
        release.wait(10)
        return stats.MISSING

    monkeypatch.setattr(stats, "_entry", slow)
    cache = stats.StatCache()
    assert cache.entry("/mnt/slow/x", time.monotonic() + 0.01) is None
    assert cache.misses == 1
    assert not cache.settle(0.05)  # still under way: a hung mount is not waited for long
    release.set()
    assert cache.settle(5.0)
    assert cache.entry("/mnt/slow/x", time.monotonic()) == stats.MISSING


@pytest.mark.parametrize(
    ("uri", "kind", "expected"),
    [
        ("file:///ws/models/tokenizer.model", types.FileChangeType.Created, True),
        ("file:///ws/models/x.safetensors", types.FileChangeType.Deleted, True),
        ("file:///ws/models/x.safetensors", types.FileChangeType.Changed, False),
        ("file:///ws/.git/index.lock", types.FileChangeType.Created, False),
        ("file:///ws/node_modules/a/b.js", types.FileChangeType.Created, False),
        ("file:///ws/.vscode/tuneconf.json", types.FileChangeType.Created, True),
        ("untitled:Untitled-1", types.FileChangeType.Created, False),
    ],
)
def test_which_file_events_make_the_server_check_again(uri: str, kind: types.FileChangeType, expected: bool) -> None:
    assert relevant(types.FileEvent(uri, kind)) is expected
