"""`tuneconf runs`: the runs of a config (its metric logger's files), the newest one followed as a progress
line (`--follow`), or an HTML report of their curves (`--html`). Outside VS Code: Neovim, remote machines.
TensorBoard folders are read by this interpreter's `tensorboard` (runs/tensorboard.py); W&B and Comet
runs get their project page's link."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import TextIO

from tuneconf.cli import exits
from tuneconf.cli.targets import one_config
from tuneconf.document.parse import parse
from tuneconf.index.environment import resolve_interpreter
from tuneconf.project import folder_of
from tuneconf.runs.history import Run, event_folders, log_files, runs_of, state_of, writing
from tuneconf.runs.loggers import LoggerTarget, resolve_logger
from tuneconf.runs.logs import LogReader
from tuneconf.runs.report import COLUMNS, html_page, progress, rows
from tuneconf.runs.tensorboard import read_boards

QUIET_S = 5.0
"""`--follow` ends once the file has not grown for this long and no process holds it open any more."""


def runs_command(args: argparse.Namespace, targets: list[str]) -> int:
    target = one_config(targets, "runs")
    if target is None:
        return exits.USAGE
    if not args.follow_timeout > 0:  # NaN too
        print("tuneconf: --follow-timeout must be a positive number of seconds", file=sys.stderr)
        return exits.USAGE
    config, text, overrides = target
    cwd = folder_of(config, [Path.cwd()])  # where `tuneconf run` starts it: relative log_dirs start there
    logger = resolve_logger(parse(text), overrides, cwd)
    if logger.link is not None:  # W&B, Comet: the page is the answer
        print(f"{logger.link.label}: {logger.link.url}")
        print(f"tuneconf: {logger.problem}", file=sys.stderr)
        return exits.OK
    if logger.problem:
        print(f"tuneconf: {config}: no runs to list: {logger.problem}", file=sys.stderr)
        return exits.FINDINGS
    if args.follow and logger.kind != "disk":
        print(f"tuneconf: --follow reads DiskLogger's files; {logger.component}'s are only listed", file=sys.stderr)
        return exits.FINDINGS
    if args.follow:
        return follow(logger, args.follow_timeout)
    boards = read_boards(resolve_interpreter(None), event_folders(logger))
    runs = runs_of(logger, boards=boards)
    notes = _notes(logger, runs, [b.problem for b in boards.values() if b.missing])
    for note in notes:
        print(f"tuneconf: {note}", file=sys.stderr)
    if args.html:
        return _write(Path(args.html), html_page(str(config), runs, notes))
    if runs:
        print_table(runs)
    return exits.OK


def print_table(runs: list[Run], out: TextIO | None = None) -> None:
    out = out or sys.stdout
    table = [list(COLUMNS), *rows(runs)]
    widths = [max(len(row[i]) for row in table) for i in range(len(COLUMNS) - 1)]
    for row in table:
        cells = [cell.ljust(width) for cell, width in zip(row, widths)]
        print("  ".join([*cells, row[-1]]), file=out)


def _notes(logger: LoggerTarget, runs: list[Run], missing: list[str]) -> list[str]:
    """What the table does not say: no runs yet, skipped lines, TensorBoard's reader missing."""
    notes = [] if runs else [f"no runs yet: {logger.component.rpartition('.')[2]} writes to {logger.log_dir}"]
    for run in runs:
        if run.metrics is not None and (run.metrics.corrupt or run.metrics.restarts):
            notes.append(
                f"{run.path.name}: {run.metrics.corrupt} line(s) skipped (not DiskLogger's), "
                f"{run.metrics.restarts} restart(s) appended to the file"
            )
    notes.extend(missing[:1])
    return notes


def _write(path: Path, page: str) -> int:
    try:
        path.write_text(page, encoding="utf-8")
    except OSError as exc:
        print(f"tuneconf: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return exits.USAGE
    print(f"wrote {path}")
    return exits.OK


def follow(logger: LoggerTarget, timeout: float, out: TextIO | None = None) -> int:
    """Print the newest run's progress line as it grows; end on Ctrl-C, when the file has not grown for
    `timeout` seconds, or QUIET_S after the run's process let go of it (where that cannot be told: after
    the last step the config asks for)."""
    out = out or sys.stdout
    interval = min(1.0, timeout / 4)
    live = out.isatty()
    try:
        path = _newest(logger, timeout, interval)
        if path is None:
            print(f"tuneconf: no run appeared in {logger.log_dir} within {timeout:g} s", file=sys.stderr)
            return exits.FINDINGS
        _watch(LogReader(path), logger, timeout, interval, out, live)
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"\ntuneconf: cannot read the log: {exc.strerror or exc}", file=sys.stderr)
        return exits.FINDINGS
    if live:
        out.write("\n")
    return exits.OK


def _newest(logger: LoggerTarget, timeout: float, interval: float) -> Path | None:
    """The newest log file, waiting up to `timeout` seconds for a first one."""
    deadline = time.monotonic() + timeout
    while True:
        files = log_files(logger)
        if files:
            return files[0]
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)


def _watch(reader: LogReader, logger: LoggerTarget, timeout: float, interval: float, out: TextIO, live: bool) -> None:
    """Poll the file's size; read what was appended; stop as `follow` says."""
    print(f"following {reader.path}", file=sys.stderr)
    shown = ""
    grew, size = time.monotonic(), -1
    while True:
        current = os.stat(reader.path).st_size
        if current != size:  # grew (or was replaced): read what is new
            grew, size = time.monotonic(), current
            reader.read()
        line = progress(reader.metrics, logger.expected_steps)
        if line != shown and reader.metrics.last_step is not None:
            out.write(f"\r{line}\x1b[K" if live else f"{line}\n")
            out.flush()
            shown = line
        idle = time.monotonic() - grew
        if idle >= timeout:
            return
        if idle >= min(QUIET_S, timeout):
            held = writing(reader.path)
            if held is False or (held is None and state_of(reader.metrics, logger, idle, 0, None) == "finished"):
                return
        time.sleep(interval)
