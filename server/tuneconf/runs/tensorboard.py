"""TensorBoardLogger's runs, read through the user's interpreter: event files are protobuf records whose
format is TensorBoard's to keep, so its own reader (`EventAccumulator`, from the `tensorboard` package
torch's SummaryWriter needs anyway) reads them, in a subprocess of the interpreter the runs use (`-I`,
from a private temporary folder, bounded time and output), as launch/gpus.py asks torch. tuneconf never
imports tensorboard itself.

One subprocess reads every folder asked at once (its start and the import cost about a second); a
folder is read again only when one of its event files changed (name, size, mtime): the Run view polls.
A reader that failed (tensorboard not installed) is asked again after RETRY_S, so installing it is seen."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tuneconf.runs.logs import Metrics, Series

READ_TIMEOUT_S = 20.0
MAX_OUTPUT = 64 * 1024 * 1024
"""Bytes of JSON accepted from the reader (a point is about 25)."""
MAX_POINTS = 200_000
"""Points per scalar: a longer one is thinned evenly (its last point kept) by the reader."""
MAX_BOARDS = 64
RETRY_S = 30.0
EVENTS = "events.out.tfevents."

# Run as `python -I -c _SCRIPT MAX_POINTS FOLDER...`; prints {"folders": {folder: {"scalars": {tag:
# [[step, value], ...]}} | {"error": why}}}, or {"missing": bool, "error": why} when the reader cannot be
# imported. Stdlib and tensorboard only.
_SCRIPT = """
import json, sys
try:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
except ImportError as exc:
    name = getattr(exc, "name", None) or ""
    json.dump({"missing": name.split(".")[0] == "tensorboard", "error": f"{type(exc).__name__}: {exc}"}, sys.stdout)
    raise SystemExit(0)
limit = int(sys.argv[1])
out = {}
for folder in sys.argv[2:]:
    try:
        acc = EventAccumulator(folder, size_guidance={"scalars": 0})
        acc.Reload()
        scalars = {}
        for tag in acc.Tags().get("scalars", []):
            points = [[e.step, e.value] for e in acc.Scalars(tag)]
            if len(points) > limit:
                stride = -(-len(points) // limit)
                points = points[-1::-stride][::-1]
            scalars[tag] = points
        out[folder] = {"scalars": scalars}
    except Exception as exc:
        out[folder] = {"error": f"{type(exc).__name__}: {exc}"}
json.dump({"folders": out}, sys.stdout)
"""


@dataclass
class Board:
    """One event folder as read, or why it was not."""

    metrics: Metrics = field(default_factory=Metrics)
    problem: str = ""
    missing: bool = False
    """The interpreter has no tensorboard: say how to install it."""


def signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """The folder's event files as (name, size, mtime): a change means new points."""
    found = []
    try:
        for entry in os.scandir(folder):
            if entry.name.startswith(EVENTS) and entry.is_file():
                stat = entry.stat()
                found.append((entry.name, stat.st_size, stat.st_mtime_ns))
    except OSError:
        return ()
    return tuple(sorted(found))


def missing_note(interpreter: str) -> str:
    return f"install tensorboard in {interpreter} to chart TensorBoard runs (pip install tensorboard)"


def read_boards(interpreter: str, folders: list[Path], timeout: float = READ_TIMEOUT_S) -> dict[Path, Board]:
    """Every folder's scalars, read by one subprocess of `interpreter`; a failure is each folder's problem."""
    if not folders:
        return {}
    if not os.path.isabs(interpreter):  # a relative one would depend on the folder it runs from
        return _all(folders, Board(problem=f"the interpreter {interpreter!r} is not an absolute path"))
    with tempfile.TemporaryDirectory(prefix="tuneconf-tensorboard-") as scratch:
        out_path, err_path = Path(scratch, "out.json"), Path(scratch, "err.txt")
        argv = [interpreter, "-I", "-c", _SCRIPT, str(MAX_POINTS), *(str(f) for f in folders)]
        try:
            with out_path.open("wb") as out, err_path.open("wb") as err:
                done = subprocess.run(argv, stdout=out, stderr=err, timeout=timeout, cwd=scratch, env=_env())
            size = out_path.stat().st_size
            if size > MAX_OUTPUT:
                return _all(folders, Board(problem=f"the event files hold more than {MAX_OUTPUT >> 20} MiB of scalars"))
            text = out_path.read_text(encoding="utf-8", errors="replace")
            why = _last_line(err_path)
        except subprocess.TimeoutExpired:
            return _all(folders, Board(problem=f"reading the event files took over {timeout:g} s"))
        except (OSError, subprocess.SubprocessError, ValueError) as exc:
            return _all(folders, Board(problem=f"cannot run {interpreter}: {exc}"))
    return _parse(text, folders, interpreter, done.returncode, why)


def _parse(text: str, folders: list[Path], interpreter: str, code: int, why: str) -> dict[Path, Board]:
    try:
        answer = json.loads(text)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        return _all(folders, Board(problem=f"the event file reader failed (exit code {code}): {why}".rstrip(": ")))
    if "folders" not in answer:
        if answer.get("missing") is True:
            return _all(folders, Board(problem=missing_note(interpreter), missing=True))
        return _all(folders, Board(problem=f"tensorboard cannot be imported in {interpreter}: {answer.get('error')}"))
    found = answer["folders"] if isinstance(answer["folders"], dict) else {}
    boards = {}
    for folder in folders:
        entry = found.get(str(folder))
        if not isinstance(entry, dict) or not isinstance(entry.get("scalars"), dict):
            error = entry.get("error") if isinstance(entry, dict) else "not read"
            boards[folder] = Board(problem=f"cannot read the event files in {folder}: {error}")
        else:
            boards[folder] = Board(metrics_of(entry["scalars"]))
    return boards


def metrics_of(scalars: dict[str, Any]) -> Metrics:
    """The reader's {tag: [[step, value], ...]} as a DiskLogger run's Metrics: each tag its own steps (a
    step written twice keeps its later value), the shared steps every step any tag has."""
    metrics = Metrics()
    every: set[int] = set()
    for tag, points in scalars.items():
        by_step: dict[int, float] = {}
        for point in points if isinstance(points, list) else []:
            if isinstance(point, list) and len(point) == 2 and _is_int(point[0]) and _is_number(point[1]):
                by_step[point[0]] = float(point[1])
        if by_step:
            steps = sorted(by_step)
            metrics.series[str(tag)] = Series(steps, [by_step[s] for s in steps])
            every.update(steps)
    metrics.steps = sorted(every)
    return metrics


@dataclass
class _Entry:
    signature: tuple[tuple[str, int, int], ...]
    board: Board
    generation: int
    read_at: float


class Boards:
    """The event folders read so far, per interpreter (LRU of MAX_BOARDS), shared by every Run view."""

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple[str, Path], _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._reading = threading.Lock()
        """One reader at a time: two polls of one view do not start two subprocesses."""
        self._generation = 0

    def read(self, interpreter: str, folders: list[Path]) -> dict[Path, tuple[Board, int]]:
        """Each folder's board and its generation (bumped whenever it was read again)."""
        with self._reading:
            stale = [f for f in folders if self._stale(interpreter, f)]
            fresh = read_boards(interpreter, stale) if stale else {}
            with self._lock:
                now = time.monotonic()
                for folder, board in fresh.items():
                    self._generation += 1
                    entry = _Entry(signature(folder), board, self._generation, now)
                    self._entries[(interpreter, folder)] = entry
                result = {}
                for folder in folders:
                    entry = self._entries[(interpreter, folder)]
                    self._entries.move_to_end((interpreter, folder))
                    result[folder] = (entry.board, entry.generation)
                while len(self._entries) > MAX_BOARDS:
                    self._entries.popitem(last=False)
                return result

    def _stale(self, interpreter: str, folder: Path) -> bool:
        with self._lock:
            entry = self._entries.get((interpreter, folder))
        if entry is None or entry.signature != signature(folder):
            return True
        return bool(entry.board.problem) and time.monotonic() - entry.read_at > RETRY_S


def _all(folders: list[Path], board: Board) -> dict[Path, Board]:
    return {folder: board for folder in folders}


def _env() -> dict[str, str]:
    env = dict(os.environ)  # -I ignores PYTHON* variables; these two would run code at start without it
    env.pop("PYTHONSTARTUP", None)
    env.pop("PYTHONINSPECT", None)
    return env


def _last_line(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            handle.seek(max(0, path.stat().st_size - 2000))
            lines = handle.read().decode("utf-8", "replace").strip().splitlines()
    except OSError:
        return ""
    return lines[-1] if lines else ""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
