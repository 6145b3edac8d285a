"""`tuneconf check`: find configs under paths, read them, run the checks, report like a compiler."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from tuneconf.cli import exits
from tuneconf.cli.report import FileReport, render
from tuneconf.cli.targets import split_targets
from tuneconf.files import read_text, yaml_files
from tuneconf.findings import one_line
from tuneconf.project import Project
from tuneconf.settings import Settings


def check_command(targets: list[str], fmt: str, path_checks: bool = True) -> int:
    paths, overrides = split_targets(targets)
    if not paths:
        print("tuneconf: no config files or folders given", file=sys.stderr)
        return exits.USAGE
    settings = Settings(path_checks=path_checks)
    reports = check_paths([Path(p) for p in paths], settings, progress=sys.stderr, overrides=overrides)
    text = render(reports, fmt)
    if text:
        sys.stdout.write(text)
    unreadable = [r for r in reports if r.unreadable]
    for report in unreadable:
        print(one_line(f"tuneconf: {report.path}: {report.unreadable}"), file=sys.stderr)
    if unreadable:
        return exits.USAGE
    return exits.FINDINGS if any(r.has_errors for r in reports) else exits.OK


def iter_files(path: Path, unlisted: list[FileReport]) -> Iterator[tuple[Path, bool]]:
    """(file, explicit) pairs: a named file is always checked; in folders, *.yaml and *.yml. A folder
    that cannot be listed is added to `unlisted`: its configs would otherwise pass unchecked."""

    def note(error: OSError) -> None:
        unlisted.append(
            FileReport(str(error.filename or path), [], unreadable=f"cannot read: {error.strerror or error}")
        )

    if not path.is_dir():
        yield path, True
        return
    for file in yaml_files(path, onerror=note):
        yield file, False


def check_paths(
    paths: list[Path],
    settings: Settings | None = None,
    progress: TextIO | None = None,
    overrides: list[str] | None = None,
) -> list[FileReport]:
    project = Project(settings or Settings(), [Path.cwd()])
    reports: list[FileReport] = []
    files = [item for path in paths for item in iter_files(path, reports)]
    started = time.monotonic()
    show = progress is not None and progress.isatty()
    for index, (file, explicit) in enumerate(files, 1):
        report = check_file(project, file, explicit, overrides or [])
        if report is not None:
            reports.append(report)
        if show and progress is not None and time.monotonic() - started > 1.0:
            progress.write(f"\rtuneconf: checked {index}/{len(files)} files")
            progress.flush()
    if show and progress is not None and time.monotonic() - started > 1.0:
        progress.write("\n")
    project.save()
    return reports


def check_file(project: Project, file: Path, explicit: bool, overrides: list[str]) -> FileReport | None:
    """The report for one file, or None for YAML in a folder that is not a torchtune config."""
    text, problem = read_text(file)
    if text is None:
        return FileReport(str(file), [], unreadable=problem)
    view = project.view(file.resolve().as_uri(), None, text, config=explicit)
    if not view.is_config:
        return None
    return FileReport(str(file), project.findings_with(view, overrides), lines=view.parsed.lines)
