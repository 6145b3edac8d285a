"""torchtune 0.6.1's DiskLogger text, read tolerantly and incrementally.

DiskLogger (torchtune/training/metric_logging.py) appends one line per `log_dict` call,
`Step N | name:value name:value \\n`, and one per `log` call, `Step N | name:value\\n` (several lines for
one step). It opens the file in append mode, so a run restarted with the same `filename` continues the
file from a lower step: the later run supersedes what the earlier one logged from that step on.

A `LogReader` keeps the byte offset and the half-written last line: each `read()` parses only the
bytes appended since, so following a live run costs what it wrote. Lines that are not DiskLogger's are
skipped and counted, never fatal. Values are columns per scalar (steps, values) for charts."""

from __future__ import annotations

import math
import os
import re
import stat
from bisect import bisect_left
from dataclasses import dataclass, field
from pathlib import Path

CHUNK = 1 << 22
"""Bytes read at a time (4 MiB): a 100,000-step log is about 10 MB."""
MAX_PENDING = 1 << 16
"""A "line" longer than this without a newline is not DiskLogger's: dropped and counted as corrupt."""
_PREFIX = "Step "
_SEPARATOR = " | "
_TENSOR = re.compile(r"(?<![\w./-])([A-Za-z_][\w./-]*):tensor\(([^,)]{0,64})(?:,[^)]{0,256})?\)")
"""`grad_norm:tensor(0.51, device='cuda:0')`: a tensor the recipe did not turn into a number."""


@dataclass
class Series:
    """One scalar of a run: its value at each step that logged it, steps increasing."""

    steps: list[int] = field(default_factory=list)
    values: list[float] = field(default_factory=list)

    def last(self) -> float | None:
        return self.values[-1] if self.values else None

    def lowest(self) -> float | None:
        finite = [v for v in self.values if not math.isnan(v)]
        return min(finite) if finite else None

    def cut(self, step: int) -> None:
        """Forget the points from `step` on (a restart logs them again)."""
        keep = bisect_left(self.steps, step)
        del self.steps[keep:], self.values[keep:]


@dataclass
class Metrics:
    """What a log file says so far."""

    steps: list[int] = field(default_factory=list)
    """Each logged step once, increasing (a restart's steps replace the ones it logs again)."""
    series: dict[str, Series] = field(default_factory=dict)
    restarts: int = 0
    """Times the step went back: a run appended to the file of an earlier one."""
    corrupt: int = 0
    """Lines skipped: not `Step N | name:value ...`, or too long."""
    skipped_values: int = 0
    """`name:value` pairs whose value is not a number (kept out of the series)."""

    @property
    def last_step(self) -> int | None:
        return self.steps[-1] if self.steps else None

    def add(self, step: int, pairs: list[tuple[str, float]]) -> None:
        """One parsed line: a new step, more scalars of the current one, or a restart."""
        steps = self.steps
        if steps and step < steps[-1]:
            self.restarts += 1
            for series in self.series.values():
                series.cut(step)
            del steps[bisect_left(steps, step) :]
        if not steps or steps[-1] != step:
            steps.append(step)
        for name, value in pairs:
            found = self.series.get(name)
            series = found if found is not None else self.series.setdefault(name, Series())
            if series.steps and series.steps[-1] == step:
                series.values[-1] = value  # logged twice for one step: the later value
            else:
                series.steps.append(step)
                series.values.append(value)


def parse_line(line: str) -> tuple[int, list[tuple[str, float]], int] | None:
    """`Step N | a:1 b:2` → (N, [("a", 1.0), ("b", 2.0)], values that were not numbers); None when the line
    is not DiskLogger's."""
    if not line.startswith(_PREFIX):
        return None
    head, sep, rest = line.partition(_SEPARATOR)
    if not sep:
        return None
    try:
        step = int(head[len(_PREFIX) :])
    except ValueError:
        return None
    if step < 0:
        return None
    pairs: list[tuple[str, float]] = []
    skipped = 0
    if "tensor(" in rest:
        for match in _TENSOR.finditer(rest):
            value = _number(match.group(2))
            if value is None:
                skipped += 1
            else:
                pairs.append((match.group(1), value))
        rest = _TENSOR.sub(" ", rest)
    for token in rest.split():
        name, colon, text = token.partition(":")
        value = _number(text) if colon and name else None
        if value is None:
            skipped += 1
        else:
            pairs.append((name, value))
    if not pairs and skipped:
        return None
    return step, pairs, skipped


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


class LogReader:
    """One DiskLogger file, read from where the last `read()` stopped. A file that shrank or was replaced
    (another inode) is read again from its start."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.pending = b""
        """The last line so far, without its newline: kept until the writer finishes it."""
        self.metrics = Metrics()
        self._inode: tuple[int, int] | None = None

    def read(self) -> int:
        """Parse what was appended since the last read; returns the number of new complete lines.
        Raises OSError when the file cannot be read."""
        # O_NONBLOCK: a FIFO named like a log must not stall the caller; only a regular file is read.
        with os.fdopen(os.open(self.path, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise OSError(f"{self.path} is not a regular file")
            inode = (info.st_dev, info.st_ino)
            if inode != self._inode or info.st_size < self.offset:
                self._reset(inode)
            handle.seek(self.offset)
            lines = 0
            while True:
                chunk = handle.read(CHUNK)
                if not chunk:
                    break
                self.offset += len(chunk)
                lines += self._feed(chunk)
        return lines

    def _reset(self, inode: tuple[int, int]) -> None:
        self.offset = 0
        self.pending = b""
        self.metrics = Metrics()
        self._inode = inode

    def _feed(self, chunk: bytes) -> int:
        data = self.pending + chunk
        end = data.rfind(b"\n")
        if end < 0:
            self.pending = data
            self._drop_overlong()
            return 0
        self.pending = data[end + 1 :]
        self._drop_overlong()
        text = data[:end].decode("utf-8", errors="replace")
        lines = text.split("\n")
        metrics = self.metrics
        for line in lines:
            start = line.rfind(_PREFIX) if line.count(_SEPARATOR) > 1 else 0
            if start > 0:  # a line cut short, then a whole one (a crash, then a restart appending)
                metrics.corrupt += 1
                line = line[start:]
            parsed = parse_line(line.rstrip("\r"))
            if parsed is None:
                if line.strip():
                    metrics.corrupt += 1
                continue
            metrics.add(parsed[0], parsed[1])
            metrics.skipped_values += parsed[2]
        return len(lines)

    def _drop_overlong(self) -> None:
        if len(self.pending) > MAX_PENDING:
            self.pending = b""
            self.metrics.corrupt += 1


def read_log(path: Path) -> Metrics:
    """The whole file at once (raises OSError)."""
    reader = LogReader(path)
    reader.read()
    return reader.metrics
