"""The CLI's positional arguments: config paths first, then `tune run`-style overrides."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tuneconf.files import read_text
from tuneconf.findings import one_line


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
        print(one_line(f"tuneconf: {paths[0]}: {problem}"), file=sys.stderr)
        return None
    return Path(paths[0]), text, overrides
