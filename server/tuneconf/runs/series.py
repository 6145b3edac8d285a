"""The Run view's data, sent incrementally: one `Tail` per log file keeps its LogReader (only new bytes are
parsed) and remembers, for each byte offset it stopped at, how long each series was; a client that says
which offset it has (`since`) gets only the points logged after it. A file that was replaced, shrank or
restarted (steps went back: the points the client has are no longer all true) is sent whole again with
`reset`. A TensorBoard folder (runs/tensorboard.py) is read whole by the user's interpreter when its
event files changed: its points are sent whole (reset) after each such read, nothing while it did not.

Numbers travel as compact arrays: the new steps once, and per scalar its values (and its own steps only
where they differ from the shared ones). NaN and infinities become null: JSON has no word for them."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tuneconf.index.environment import resolve_interpreter
from tuneconf.runs.history import (
    RUNNING_WINDOW_S,
    Run,
    board_run,
    event_folders,
    log_files,
    open_files,
    runs_of,
    summary,
)
from tuneconf.runs.loggers import LoggerTarget
from tuneconf.runs.logs import LogReader, Metrics
from tuneconf.runs.tensorboard import Boards, missing_note, signature

MAX_MARKS = 64
"""Offsets remembered per file: a client further behind than that is sent the file whole."""
MAX_TAILS = 64
"""Log files kept open for reading (least recently asked dropped)."""
START_SLACK_S = 1.0
"""A log named `log_<time>.txt` belongs to a run started at `after` when its time is at most this earlier:
the name is whole seconds, and torchtune names the log seconds after the launch (once the recipe set up),
so one second of slack is enough, and a run launched right after another never takes that one's log."""


@dataclass(frozen=True)
class _Mark:
    generation: int
    steps: int
    lengths: dict[str, tuple[int, float | None]]
    """Per scalar: how many points, and the value of the last one (a step logged again changes it)."""


class Tail:
    """One DiskLogger file as the Run view reads it: the reader, and what each offset it stopped at held."""

    def __init__(self, path: Path) -> None:
        self.reader = LogReader(path)
        self.lock = threading.Lock()
        self.generation = 0
        """Bumped when the points already sent may be wrong: the file was replaced or a run restarted in it."""
        self.marks: OrderedDict[int, _Mark] = OrderedDict()

    def update(self) -> None:
        """Read what was appended (raises OSError) and remember the new offset."""
        before, restarts = self.reader.metrics, self.reader.metrics.restarts
        self.reader.read()
        metrics = self.reader.metrics
        if metrics is not before or metrics.restarts != restarts:
            self.generation += 1
            self.marks.clear()
        self.marks[self.reader.offset] = _Mark(self.generation, len(metrics.steps), _lengths(metrics))
        self.marks.move_to_end(self.reader.offset)
        while len(self.marks) > MAX_MARKS:
            self.marks.popitem(last=False)

    def points_since(self, offset: int | None, generation: int | None) -> dict[str, Any]:
        """The points logged after `offset` (as read in `generation`); all of them, with reset, when that
        offset is not one this tail stopped at in this generation."""
        mark = self.marks.get(offset) if offset is not None else None
        if mark is not None and mark.generation != generation:
            mark = None
        metrics = self.reader.metrics
        first = mark.steps if mark is not None else 0
        shared = metrics.steps[first:]
        series: dict[str, Any] = {}
        for name, found in metrics.series.items():
            start = _start(found.steps, found.values, mark.lengths.get(name) if mark else None)
            if start >= len(found.values):
                continue
            steps = found.steps[start:]
            entry: dict[str, Any] = {"values": [v if math.isfinite(v) else None for v in found.values[start:]]}
            if steps != shared:
                entry["steps"] = steps
            series[name] = entry
        return {
            "reset": mark is None,
            "offset": self.reader.offset,
            "generation": self.generation,
            "steps": shared,
            "series": series,
        }


def _lengths(metrics: Metrics) -> dict[str, tuple[int, float | None]]:
    return {name: (len(s.values), s.values[-1] if s.values else None) for name, s in metrics.series.items()}


def _start(steps: list[int], values: list[float], seen: tuple[int, float | None] | None) -> int:
    """Where the client's copy of a series ends: one point earlier when its last value was logged again."""
    if seen is None:
        return 0
    count, last = seen
    if count == 0 or count > len(values):
        return min(count, len(values))
    same = values[count - 1] == last or (last is not None and math.isnan(last) and math.isnan(values[count - 1]))
    return count if same else count - 1


class Tails:
    """The open log files of a server (LRU of MAX_TAILS), shared by every Run view."""

    def __init__(self) -> None:
        self._tails: OrderedDict[Path, Tail] = OrderedDict()
        self._lock = threading.Lock()
        self.boards = Boards()
        """TensorBoard folders read so far."""

    def get(self, path: Path) -> Tail:
        with self._lock:
            tail = self._tails.get(path)
            if tail is None:
                tail = self._tails[path] = Tail(path)
            self._tails.move_to_end(path)
            while len(self._tails) > MAX_TAILS:
                self._tails.popitem(last=False)
            return tail


def choose_log(target: LoggerTarget, log_file: str | None, after: float | None) -> Path | None:
    """The log the view shows: `log_file` when it is one of the logger's files (TensorBoard: event
    folders), else the newest (started no earlier than `after`, a run's start time, when given)."""
    files = event_folders(target) if target.kind == "tensorboard" else log_files(target)
    if log_file:
        wanted = Path(log_file)
        return next((f for f in files if f == wanted or f.resolve() == wanted.resolve()), None)
    for path in files:
        if after is None or _stamp(path) >= after - START_SLACK_S:
            return path
    return None


def _stamp(path: Path) -> float:
    name = path.name
    if name.startswith("log_") and name.endswith(".txt") and name[4:-4].isdigit():
        return float(name[4:-4])
    if name.startswith("run_"):  # TensorBoardLogger's run_<rank>_<time>
        try:
            return float(name.rsplit("_", 1)[-1])
        except ValueError:
            pass
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def run_series(
    tails: Tails,
    target: LoggerTarget,
    log_file: str | None = None,
    since: dict[str, Any] | None = None,
    after: float | None = None,
    interpreter: str | None = None,
) -> dict[str, Any]:
    """The Run view's answer: the logger, the chosen log and its points after `since` ({file, offset,
    generation}); `waiting` says why there are none yet (no log, an unread logger, W&B's link).
    `interpreter`: the one the runs use, which reads TensorBoard's files (default: tuneconf's)."""
    reply: dict[str, Any] = logger_json(target)
    if target.problem or target.kind not in ("disk", "tensorboard"):
        reply["waiting"] = target.problem or f"{target.component} is not read by the Run view"
        return reply
    path = choose_log(target, log_file, after)
    if path is None:
        reply["waiting"] = f"no {'event files' if target.kind == 'tensorboard' else 'log'} yet in {target.log_dir}"
        return reply
    if target.kind == "tensorboard":
        return _board_series(tails, target, path, since, resolve_interpreter(interpreter), reply)
    tail = tails.get(path)
    with tail.lock:
        try:
            tail.update()
        except OSError as exc:
            reply["waiting"] = f"cannot read {path}: {exc.strerror or exc}"
            return reply
        same = since is not None and since.get("file") == str(path)
        offset = since.get("offset") if same and since is not None else None
        generation = since.get("generation") if same and since is not None else None
        reply.update(tail.points_since(_int(offset), _int(generation)))
        run = summary(tail.reader, target, time.time(), RUNNING_WINDOW_S, open_files())
        reply.update(_run_fields(path, run, tail.reader.metrics))
    return reply


def _board_series(
    tails: Tails,
    target: LoggerTarget,
    folder: Path,
    since: dict[str, Any] | None,
    interpreter: str,
    reply: dict[str, Any],
) -> dict[str, Any]:
    """A TensorBoard folder's points: all of them after each new read, none while the client has them."""
    board, generation = tails.boards.read(interpreter, [folder])[folder]
    if board.problem:
        reply["waiting"] = board.problem
        return reply
    offset = sum(size for _, size, _ in signature(folder))
    held = since is not None and since.get("file") == str(folder)
    same = (
        held
        and since is not None
        and _int(since.get("offset")) == offset
        and _int(since.get("generation")) == generation
    )
    metrics = board.metrics
    reply.update(reset=not same, offset=offset, generation=generation, steps=[], series={})
    if not same:
        reply.update(steps=metrics.steps, series=_whole(metrics))
    run = board_run(folder, target, time.time(), RUNNING_WINDOW_S, open_files(), board)
    reply.update(_run_fields(folder, run, metrics))
    return reply


def _run_fields(path: Path, run: Run, metrics: Metrics) -> dict[str, Any]:
    """What a reply says of the run it reads (a DiskLogger file or a TensorBoard folder)."""
    return {
        "file": str(path),
        "started": run.started,
        "modified": run.modified,
        "state": run.state,
        "lastStep": metrics.last_step,
        "stepCount": len(metrics.steps),
        "corrupt": metrics.corrupt,
        "restarts": metrics.restarts,
    }


def _whole(metrics: Metrics) -> dict[str, Any]:
    series: dict[str, Any] = {}
    for name, found in metrics.series.items():
        entry: dict[str, Any] = {"values": [v if math.isfinite(v) else None for v in found.values]}
        if found.steps != metrics.steps:
            entry["steps"] = found.steps
        series[name] = entry
    return series


def logger_json(target: LoggerTarget) -> dict[str, Any]:
    reply: dict[str, Any] = {
        "logger": {
            "kind": target.kind,
            "component": target.component,
            "logDir": str(target.log_dir) if target.log_dir is not None else None,
            "problem": target.problem,
        },
        "expectedSteps": target.expected_steps,
        "logEvery": target.log_every,
    }
    if target.link is not None:
        reply["link"] = {"label": target.link.label, "url": target.link.url}
    return reply


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def runs_json(tails: Tails, target: LoggerTarget, interpreter: str | None = None) -> dict[str, Any]:
    """The runs of a config for the Runs tree, newest first: each DiskLogger file read incrementally
    through `tails` (a second listing parses only what was appended); TensorBoard folders read by
    `interpreter` (only those whose event files changed since the last listing)."""
    reply = logger_json(target)
    if target.problem:
        reply["runs"] = []
        return reply
    now, held = time.time(), open_files()
    runs: list[Run] = []
    for path in log_files(target):
        tail = tails.get(path)
        with tail.lock:
            try:
                tail.update()
            except OSError as exc:
                runs.append(Run(path, _stamp(path), 0.0, 0, "unknown", None, exc.strerror or str(exc)))
                continue
            runs.append(summary(tail.reader, target, now, RUNNING_WINDOW_S, held))
    if target.kind == "tensorboard":
        python = resolve_interpreter(interpreter)
        read = tails.boards.read(python, event_folders(target))
        boards = {folder: board for folder, (board, _) in read.items()}
        runs.extend(runs_of(target, now, boards=boards))
        if any(board.missing for board in boards.values()):
            reply["note"] = missing_note(python)
    reply["runs"] = [run_json(run) for run in runs]
    return reply


def run_json(run: Run) -> dict[str, Any]:
    return {
        "file": str(run.path),
        "started": run.started,
        "modified": run.modified,
        "state": run.state,
        "steps": run.steps,
        "lastStep": run.last_step,
        "lastLoss": _finite(run.loss()),
        "lowestLoss": _finite(run.loss(lowest=True)),
        "problem": run.problem,
    }


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None
