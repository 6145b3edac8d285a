"""`tuneconf diff`: what a config changed relative to the built-in it was copied from (compare.py), as
keys added, removed and changed; text or JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tuneconf.cli import exits
from tuneconf.compare import CompareError, Comparison, compare, jsonable
from tuneconf.files import read_text
from tuneconf.findings import one_line
from tuneconf.project import Project
from tuneconf.settings import Settings


def diff_command(config: str, builtin: str | None, fmt: str) -> int:
    path = Path(config)
    text, problem = read_text(path)
    if text is None:
        print(one_line(f"tuneconf: {config}: {problem}"), file=sys.stderr)
        return exits.USAGE
    project = Project(Settings(), [Path.cwd()])

    def recipe() -> str | None:
        found = project.catalog.for_config(text, path.resolve())
        return found.choice.name if found is not None else None

    try:
        result = compare(text, project.catalog.registry, builtin, recipe)
    except CompareError as exc:
        print(one_line(f"tuneconf: cannot compare {config}: {exc}"), file=sys.stderr)
        return exits.USAGE
    if fmt == "json":
        print(json.dumps(result.json(), indent=1))
    else:
        sys.stdout.write(diff_text(result, _arrow()))
    return exits.OK


def diff_text(result: Comparison, arrow: str = "→") -> str:
    """The first line says which built-in and why; then the sections that have keys, one key a line."""
    plain = arrow.isascii()  # the output cannot take other characters either
    lines = [f"compared with {result.builtin.name} ({result.how})"]
    for title, values in (("added", result.added), ("removed", result.removed)):
        if values:
            lines += [f"{title}:", *(f"  {key}: {shown(value, plain)}" for key, value in values.items())]
    if result.changed:
        lines.append("changed:")
        changed = result.changed.items()
        lines += [f"  {key}: {shown(old, plain)} {arrow} {shown(new, plain)}" for key, (old, new) in changed]
    if len(lines) == 1:
        lines.append("no differences")
    return "".join(line + "\n" for line in lines)


def shown(value: Any, ascii_only: bool = False) -> str:
    """One line: JSON, so that `"1"` and `1`, `null` and `"null"` stay apart."""
    return json.dumps(jsonable(value), ensure_ascii=ascii_only)


def _arrow() -> str:
    """→ where the output can encode it, else ->."""
    try:
        "→".encode(sys.stdout.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return "->"
    return "→"
