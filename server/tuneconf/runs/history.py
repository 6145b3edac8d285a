"""The runs of a config: each DiskLogger file in its log folder is one run (TensorBoard: each event
folder, its steps when the caller read them: runs/tensorboard.py), with its date, steps, last and
lowest loss and a guessed state.

The state is a guess: `running` while a process of this user holds the file open (Linux's /proc; the
logger keeps it open for the whole run) or, where that cannot be told, while it changed in the last
RUNNING_WINDOW_S seconds; `finished` when it logged the last step the config asks for
(epochs × max_steps_per_epoch); else `unknown` (stopped early, failed, or run with other values)."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tuneconf.runs.loggers import LoggerTarget
from tuneconf.runs.logs import LogReader, Metrics

if TYPE_CHECKING:
    from tuneconf.runs.tensorboard import Board

RUNNING_WINDOW_S = 60.0
MAX_RUNS = 1_000
"""Log files listed per folder, newest first."""
LOSS = "loss"
_STAMP = re.compile(r"log_([0-9]{1,12})\.txt")
_EVENTS = "events.out.tfevents."


@dataclass
class Run:
    path: Path
    """The log file (DiskLogger), or the folder of event files (TensorBoard)."""
    started: float
    """Seconds since the epoch: the time in `log_<time>.txt`, else the first event file's, else the mtime."""
    modified: float
    size: int
    state: str
    metrics: Metrics | None = None
    """None: not parsed (TensorBoard folders not read), or `problem` says why not."""
    problem: str = ""

    @property
    def steps(self) -> int | None:
        return len(self.metrics.steps) if self.metrics is not None else None

    @property
    def last_step(self) -> int | None:
        return self.metrics.last_step if self.metrics is not None else None

    def loss(self, lowest: bool = False) -> float | None:
        series = self.metrics.series.get(LOSS) if self.metrics is not None else None
        if series is None:
            return None
        return series.lowest() if lowest else series.last()


def log_files(target: LoggerTarget) -> list[Path]:
    """DiskLogger's files for `target`, newest first: its fixed `filename`, else every `log_*.txt`."""
    folder = target.log_dir
    if folder is None or target.kind != "disk":
        return []
    if target.filename is not None:
        path = folder / target.filename
        return [path] if path.is_file() else []
    try:
        found = [p for p in folder.iterdir() if p.name.startswith("log_") and p.name.endswith(".txt") and p.is_file()]
    except OSError:
        return []
    return sorted(found, key=_started, reverse=True)[:MAX_RUNS]


def event_folders(target: LoggerTarget) -> list[Path]:
    """TensorBoardLogger's event folders, newest first: `run_<rank>_<time>/` (organize_logs), else log_dir."""
    folder = target.log_dir
    if folder is None or target.kind != "tensorboard":
        return []
    candidates = [folder]
    if target.organize_logs:
        try:
            candidates = [p for p in folder.iterdir() if p.name.startswith("run_") and p.is_dir()]
        except OSError:
            return []
    with_events = [c for c in candidates if _has_events(c)]
    return sorted(with_events, key=_mtime, reverse=True)[:MAX_RUNS]


def runs_of(
    target: LoggerTarget,
    now: float | None = None,
    window: float = RUNNING_WINDOW_S,
    boards: Mapping[Path, Board] | None = None,
) -> list[Run]:
    """The runs `target` wrote, newest first, each DiskLogger file parsed whole; TensorBoard folders with
    what `boards` read of them (else listed without steps)."""
    now = time.time() if now is None else now
    held = open_files()
    runs: list[Run] = []
    for path in log_files(target):
        reader = LogReader(path)
        try:
            reader.read()
        except OSError as exc:
            runs.append(Run(path, _started(path), _mtime(path), 0, "unknown", None, exc.strerror or str(exc)))
            continue
        runs.append(summary(reader, target, now, window, held))
    for folder in event_folders(target):
        board = boards.get(folder) if boards is not None else None
        runs.append(board_run(folder, target, now, window, held, board))
    return runs


def board_run(
    folder: Path, target: LoggerTarget, now: float, window: float, held: set[str] | None, board: Board | None
) -> Run:
    """A TensorBoard event folder as a run: its steps when `board` read them, its state as a log's."""
    prefix = f"{folder.resolve()}{os.sep}{_EVENTS}"
    writing = None if held is None else any(p.startswith(prefix) for p in held)
    modified = _newest_event(folder)
    read = board is not None and not board.problem
    metrics = board.metrics if board is not None and read else Metrics()
    state = state_of(metrics, target, now - modified, window, writing)
    problem = board.problem if board is not None and not board.missing else ""
    size = _events_size(folder)
    return Run(folder, _started(folder), modified, size, state, metrics if read else None, problem)


def summary(reader: LogReader, target: LoggerTarget, now: float, window: float, held: set[str] | None) -> Run:
    """The run a reader has read so far; `held`: the files open in this user's processes (None: unknown)."""
    path = reader.path
    state = state_of(reader.metrics, target, now - _mtime(path), window, _held(path, held))
    return Run(path, _started(path), _mtime(path), reader.offset, state, reader.metrics)


def state_of(metrics: Metrics, target: LoggerTarget, age: float, window: float, writing: bool | None) -> str:
    """running, finished or unknown (see the module's docstring); `age`: seconds since the file changed."""
    if writing:
        return "running"
    last = metrics.last_step
    if target.expected_steps is not None and last is not None and last + target.log_every > target.expected_steps:
        return "finished"
    if writing is None and age < window:
        return "running"
    return "unknown"


def open_files() -> set[str] | None:
    """The files this user's processes hold open (Linux's /proc/<pid>/fd); None where that cannot be read."""
    proc = Path("/proc")
    if not (proc / "self" / "fd").is_dir():
        return None
    uid = os.getuid()
    found: set[str] = set()
    try:
        pids = [e for e in os.scandir(proc) if e.name.isdigit()]
    except OSError:
        return None
    for entry in pids:
        try:
            if entry.stat().st_uid != uid:
                continue
            fds = os.scandir(f"/proc/{entry.name}/fd")
        except OSError:  # the process ended, or is not ours to look at
            continue
        with fds:
            for fd in fds:
                try:
                    found.add(os.readlink(fd.path))
                except OSError:
                    continue
    return found


def writing(path: Path) -> bool | None:
    """Whether a process of this user holds `path` open (None: cannot tell here)."""
    return _held(path, open_files())


def _held(path: Path, held: set[str] | None) -> bool | None:
    if held is None:
        return None
    try:
        return str(path.resolve()) in held
    except OSError:
        return None


def _started(path: Path) -> float:
    match = _STAMP.fullmatch(path.name)
    if match:
        return float(match.group(1))
    stamp = path.name.rsplit("_", 1)[-1] if path.name.startswith("run_") else ""
    try:
        return float(stamp)
    except ValueError:
        return _mtime(path)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _has_events(folder: Path) -> bool:
    try:
        return any(p.name.startswith(_EVENTS) for p in folder.iterdir())
    except OSError:
        return False


def _newest_event(folder: Path) -> float:
    try:
        return max((_mtime(p) for p in folder.iterdir() if p.name.startswith(_EVENTS)), default=0.0)
    except OSError:
        return 0.0


def _events_size(folder: Path) -> int:
    try:
        return sum(p.stat().st_size for p in folder.iterdir() if p.name.startswith(_EVENTS))
    except OSError:
        return 0
