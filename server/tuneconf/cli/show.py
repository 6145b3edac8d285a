"""`tuneconf show`: the effective config (tune cat, with overrides), optionally resolved."""

from __future__ import annotations

import sys

from tuneconf.cli import exits
from tuneconf.cli.targets import one_config
from tuneconf.document.parse import parse
from tuneconf.effective import effective_yaml
from tuneconf.findings import finding_line, placed


def show_command(targets: list[str], resolve: bool) -> int:
    target = one_config(targets, "show")
    if target is None:
        return exits.USAGE
    path, text, overrides = target
    result = effective_yaml(parse(text), overrides, resolve)
    for finding in map(placed, result.findings):
        print(finding_line(finding, str(path)), file=sys.stderr)
    if result.error:
        print(f"tuneconf: cannot show {path}: {result.error}", file=sys.stderr)
        return exits.USAGE if result.too_large else exits.FINDINGS
    sys.stdout.write(result.text)
    for line in result.unresolved:
        print(f"tuneconf: not resolved: {line}", file=sys.stderr)
    return exits.FINDINGS if result.unresolved else exits.OK
