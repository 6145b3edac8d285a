"""The prepare step: a `# tuneconf: prepare=script.py` comment names a script to run before the recipe.

It runs code, so it is taken only from a real YAML comment (a line whose first non-blank character
is `#`, not a line inside a multi-line string), only for a file inside the workspace folder (symlinks
resolved), and every plan shows it; the CLI and the editor ask before running it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path

from tuneconf.document.parse import ParsedConfig, parse
from tuneconf.document.tree import Scalar, walk

# [ \t], not \s: under re.M a \s* would run across blank lines from every line start.
_PREPARE = re.compile(r"^[ \t]*#[ \t]*tuneconf:[ \t]*prepare[ \t]*=[ \t]*(\S+)", re.M)


@dataclass(frozen=True)
class Prepare:
    """The prepare step a config asks for: its argv, or why it is refused (one of them, or neither)."""

    argv: list[str] | None = None
    problem: str | None = None


def prepare_step(interpreter: str, config: Path, text: str, workspace: Path) -> Prepare:
    """The config's prepare step (the first `# tuneconf: prepare=PATH` comment line), checked."""
    candidates = _candidates(text)
    if not candidates:
        return Prepare()
    doc = parse(text)
    if doc.too_large or doc.syntax:
        return Prepare(problem="The config's `# tuneconf: prepare=` comment is not used: the YAML does not parse.")
    inside = _string_lines(doc)
    for line, raw in candidates:
        if not inside(line):
            return _checked(interpreter, config, raw, workspace)
    return Prepare()


def _candidates(text: str) -> list[tuple[int, str]]:
    """(0-based line, path) of each line shaped like the comment."""
    found: list[tuple[int, str]] = []
    line, at = 0, 0
    for match in _PREPARE.finditer(text):
        line += text.count("\n", at, match.start())
        at = match.start()
        found.append((line, match.group(1)))
    return found


def _string_lines(doc: ParsedConfig) -> _Inside:
    """Which lines are inside a multi-line scalar (a block scalar, a quoted string going on)."""
    spans = []
    if doc.root is not None:
        for node in walk(doc.root):
            if isinstance(node, Scalar) and node.span.end_line > node.span.start_line:
                last = node.span.end_line if node.span.end_col > 0 else node.span.end_line - 1
                spans.append((node.span.start_line + 1, last))
    spans.sort()
    return _Inside(spans)


class _Inside:
    """Membership in sorted, non-overlapping line ranges [first, last]."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.firsts = [first for first, _ in spans]
        self.spans = spans

    def __call__(self, line: int) -> bool:
        index = bisect.bisect_right(self.firsts, line) - 1
        return index >= 0 and self.spans[index][0] <= line <= self.spans[index][1]


def _checked(interpreter: str, config: Path, raw: str, workspace: Path) -> Prepare:
    if not raw.isprintable():  # control characters would reach the terminal that prints the plan
        return Prepare(problem=f"The prepare script {raw!a} has control characters in its name: not run.")
    try:
        script = (config.parent / raw).resolve()  # an absolute `raw` replaces the folder
        root = workspace.resolve()
    except (OSError, RuntimeError, ValueError) as exc:  # a symlink loop, a NUL byte
        return Prepare(problem=f"The prepare script {raw} cannot be resolved ({exc}): not run.")
    if not script.is_relative_to(root):
        return Prepare(
            problem=f"The prepare script {raw} is outside the workspace folder {root} (it resolves to {script}): "
            "only a script inside the workspace is run."
        )
    if not script.is_file():
        return Prepare(problem=f"The prepare script {raw} does not exist ({script}).")
    return Prepare([interpreter, str(script)])
