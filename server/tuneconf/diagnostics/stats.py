"""What the file system says about a path, cached and bounded in time: path checks run on every keystroke.

A stat or a folder listing runs on a daemon thread and is waited for until a deadline; past it the answer
is None ("not known yet"), and the check says nothing: a slow or hung network mount never stalls the
server. The answer is kept when it arrives, so a later check finds it; the server checks again once the
answers it missed are in (`settle`, `STAT_REQUEST`). Answers expire after `ttl` seconds: an expired one is
still given at once while a fresh one is read in the background (so a check that once had its answers
always has them), and the file-system watch (lsp/server.py: didChangeWatchedFiles) clears them all.
"""

from __future__ import annotations

import os
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

TTL_S = 2.0
MAX_IN_FLIGHT = 8
"""Stats under way at most; beyond (a mount that hangs every call), further ones are not started."""
STAT_REQUEST = "stats:"
"""A pending entry (AnalysisContext.pending): a check missed answers from the file system; check again
once they are in."""
MAX_LISTED = 5000
"""Entries read at most from one folder (for did-you-mean and "the folder holds")."""


@dataclass(frozen=True)
class Entry:
    """A path as this machine sees it."""

    kind: str
    """file | dir | other | missing"""
    writable: bool = False
    """For a folder: whether this process may create entries in it."""

    @property
    def exists(self) -> bool:
        return self.kind != "missing"


MISSING = Entry("missing")


class StatCache:
    """Stats and folder listings by path, each computed once per `ttl` on a daemon thread."""

    def __init__(self, ttl: float = TTL_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._lock = threading.Lock()
        self._done: dict[tuple[str, str], tuple[float, Any]] = {}
        self._running: dict[tuple[str, str], threading.Event] = {}
        self.misses = 0
        """How often an answer was not there in time (a check compares it before and after)."""

    def entry(self, path: str, deadline: float) -> Entry | None:
        """What `path` is, or None when the file system did not answer before `deadline` (monotonic)."""
        found = self._get(("stat", path), lambda: _entry(path), deadline)
        return found if isinstance(found, Entry) else None

    def listing(self, folder: str, deadline: float) -> tuple[str, ...] | None:
        """The sorted names in `folder` (at most MAX_LISTED; none when it cannot be listed), or None
        when the file system did not answer before `deadline`."""
        found = self._get(("list", folder), lambda: _listing(folder), deadline)
        return found if isinstance(found, tuple) else None

    def kinds(self, folder: str, deadline: float) -> tuple[tuple[str, bool], ...] | None:
        """The sorted names in `folder`, each with whether it is a folder (path completion); as `listing`."""
        found = self._get(("kinds", folder), lambda: _kinds(folder), deadline)
        return found if isinstance(found, tuple) else None

    def clear(self) -> None:
        with self._lock:
            self._done.clear()

    def settle(self, timeout: float) -> bool:
        """Wait until no answer is under way (True), or `timeout` seconds (False: a mount that hangs)."""
        end = time.monotonic() + timeout
        while True:
            with self._lock:
                events = list(self._running.values())
            if not events:
                return True
            if not events[0].wait(max(0.0, end - time.monotonic())):
                return False

    def _get(self, key: tuple[str, str], compute: Callable[[], Any], deadline: float) -> Any:
        with self._lock:
            hit = self._done.get(key)
            if hit is not None and self.clock() - hit[0] < self.ttl:
                return hit[1]
            event = self._running.get(key) or self._start(key, compute)
            if hit is not None:
                return hit[1]  # expired: given at once while the fresh answer is read
        if event is None or not event.wait(max(0.0, deadline - time.monotonic())):
            self.misses += 1
            return None
        with self._lock:
            hit = self._done.get(key)
        return hit[1] if hit is not None else None

    def _start(self, key: tuple[str, str], compute: Callable[[], Any]) -> threading.Event | None:
        """Read `key` on a daemon thread (the lock is held); None when MAX_IN_FLIGHT are under way."""
        if len(self._running) >= MAX_IN_FLIGHT:
            return None
        event = self._running[key] = threading.Event()
        thread = threading.Thread(target=self._run, args=(key, compute, event), daemon=True, name="tuneconf-stat")
        thread.start()
        return event

    def _run(self, key: tuple[str, str], compute: Callable[[], Any], event: threading.Event) -> None:
        try:
            value = compute()
        except Exception:  # an odd file system: say nothing rather than something wrong
            value = None
        with self._lock:
            if value is not None:
                self._done[key] = (self.clock(), value)
            self._running.pop(key, None)
        event.set()


def _entry(path: str) -> Entry:
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return MISSING
    except (OSError, ValueError):
        return Entry("other")  # cannot tell (permissions, a name too long): never reported missing
    if stat.S_ISDIR(mode):
        return Entry("dir", writable=os.access(path, os.W_OK))
    return Entry("file" if stat.S_ISREG(mode) else "other")


def _listing(folder: str) -> tuple[str, ...]:
    names: list[str] = []
    try:
        with os.scandir(folder) as entries:
            for item in entries:
                names.append(item.name)
                if len(names) >= MAX_LISTED:
                    break
    except OSError:
        return ()
    return tuple(sorted(names))


def _kinds(folder: str) -> tuple[tuple[str, bool], ...]:
    found: list[tuple[str, bool]] = []
    try:
        with os.scandir(folder) as entries:
            for item in entries:
                found.append((item.name, _is_dir(item)))
                if len(found) >= MAX_LISTED:
                    break
    except OSError:
        return ()
    return tuple(sorted(found))


def _is_dir(item: os.DirEntry[str]) -> bool:
    try:
        return item.is_dir()  # follows a link, as the run would
    except OSError:
        return False


STATS = StatCache()
"""The process's cache (the server's and the CLI's)."""
