"""Checking files on disk (the CLI's job): find configs under paths, read them, run the checks."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from tuneconf.report import FileReport
from tuneconf.settings import Settings
from tuneconf.workspace import Workspace

_SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache"}
MAX_BYTES = 64 * 1024 * 1024


def split_targets(targets: list[str]) -> tuple[list[str], list[str]]:
    """Paths first, then overrides (`key=value`, `~key`) that are not existing paths."""
    paths: list[str] = []
    overrides: list[str] = []
    for target in targets:
        is_override = ("=" in target or target.startswith("~")) and not os.path.exists(target)
        (overrides if is_override else paths).append(target)
    return paths, overrides


def one_config(targets: list[str], verb: str) -> tuple[Path, str, list[str]] | None:
    """The single config file of `tuneconf VERB FILE OVERRIDES...`, its text and the overrides; None,
    having said why on stderr, when there is not exactly one readable file."""
    paths, overrides = split_targets(targets)
    if len(paths) != 1:
        print(f"tuneconf: {verb} takes one config file, then overrides", file=sys.stderr)
        return None
    text, problem = read_text(Path(paths[0]))
    if text is None:
        print(f"tuneconf: {paths[0]}: {problem}", file=sys.stderr)
        return None
    return Path(paths[0]), text, overrides


def iter_files(path: Path) -> Iterator[tuple[Path, bool]]:
    """(file, explicit) pairs: a named file is always checked; in folders, *.yaml and *.yml."""
    if not path.is_dir():
        yield path, True
        return
    for folder, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            if name.endswith((".yaml", ".yml")):
                yield Path(folder) / name, False


def check_paths(
    paths: list[Path],
    settings: Settings | None = None,
    progress: TextIO | None = None,
    overrides: list[str] | None = None,
) -> list[FileReport]:
    workspace = Workspace(settings or Settings(), [Path.cwd()])
    files = [item for path in paths for item in iter_files(path)]
    reports: list[FileReport] = []
    started = time.monotonic()
    show = progress is not None and progress.isatty()
    for index, (file, explicit) in enumerate(files, 1):
        report = check_file(workspace, file, explicit, overrides or [])
        if report is not None:
            reports.append(report)
        if show and progress is not None and time.monotonic() - started > 1.0:
            progress.write(f"\rtuneconf: checked {index}/{len(files)} files")
            progress.flush()
    if show and progress is not None and time.monotonic() - started > 1.0:
        progress.write("\n")
    workspace.save()
    return reports


def check_file(workspace: Workspace, file: Path, explicit: bool, overrides: list[str]) -> FileReport | None:
    """The report for one file, or None for YAML in a folder that is not a torchtune config."""
    text, problem = read_text(file)
    if text is None:
        return FileReport(str(file), [], unreadable=problem)
    view = workspace.view(file.resolve().as_uri(), None, text, config=explicit)
    if not view.is_config:
        return None
    return FileReport(str(file), workspace.findings_with(view, overrides), lines=view.parsed.lines)


def read_text(file: Path) -> tuple[str | None, str]:
    """The file's text, or None and why it cannot be read (missing, a folder, too big, not UTF-8)."""
    try:
        size = file.stat().st_size
        if size > MAX_BYTES:
            return None, f"too large to check ({size:,} bytes)"
        data = file.read_bytes()
    except FileNotFoundError:
        return None, "no such file or folder"
    except OSError as exc:
        return None, f"cannot read: {exc.strerror or exc}"
    if b"\0" in data:
        return None, "binary file (contains NUL bytes), not a YAML config"
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); torchtune cannot read it"
