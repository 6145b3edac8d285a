"""`tuneconf show`: the effective config (tune cat, with overrides), optionally resolved."""

from __future__ import annotations

import sys
from pathlib import Path

from tuneconf.cli import exits
from tuneconf.cli.targets import one_config
from tuneconf.document.parse import parse
from tuneconf.effective import Effective, effective_yaml
from tuneconf.findings import finding_line, placed
from tuneconf.settings import Settings


def show_command(targets: list[str], resolve: bool) -> int:
    target = one_config(targets, "show")
    if target is None:
        return exits.USAGE
    path, text, overrides = target
    result = _hydra(path, text, overrides, resolve) or effective_yaml(parse(text), overrides, resolve)
    for finding in map(placed, result.findings):
        print(finding_line(finding, str(path)), file=sys.stderr)
    if result.error:
        print(f"tuneconf: cannot show {path}: {result.error}", file=sys.stderr)
        return exits.USAGE if result.too_large else exits.FINDINGS
    sys.stdout.write(result.text)
    for line in result.unresolved:
        print(f"tuneconf: not resolved: {line}", file=sys.stderr)
    return exits.FINDINGS if result.unresolved else exits.OK


def _hydra(path: Path, text: str, overrides: list[str], resolve: bool) -> Effective | None:
    """A config in a Hydra project: the composed config (its primary with the overrides)."""
    from tuneconf.effective import hydra_prepared, render
    from tuneconf.project import Project

    project = Project(Settings(), [Path.cwd()])
    hydra = project.hydra_info(path.resolve().as_uri(), text)
    if hydra is None or hydra.place is None:
        return None
    return render(hydra_prepared(project.hydra, hydra.place, overrides), resolve)
