"""The command line: `tuneconf serve | check | show`. An adapter over the same core as the server."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tuneconf import __version__
from tuneconf.report import FORMATS, render

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"tuneconf: {message} (see tuneconf --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tuneconf", description="Language server and checker for torchtune-style YAML configs.")
    parser.add_argument("--version", action="version", version=f"tuneconf {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    commands.add_parser("serve", help="speak the Language Server Protocol over stdio")
    check = commands.add_parser("check", help="check config files and folders, with tune run's overrides")
    check.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    check.add_argument("targets", nargs="+", metavar="PATH|OVERRIDE", help="files, folders, then key=value or ~key")
    run = commands.add_parser("run", help="run the config's recipe with tune run (or print the plan)")
    run.add_argument("--dry-run", action="store_true", help="print the launch plan; exit 0 when runnable, 1 when not")
    run.add_argument("--run-anyway", action="store_true", help="run even when the config has errors")
    run.add_argument("--yes", action="store_true", help="do not ask before overwriting earlier outputs")
    run.add_argument("--nproc-per-node", type=int, help="processes per node (distributed recipes)")
    run.add_argument("--nnodes", type=int, help="number of nodes (multi-node runs)")
    run.add_argument("--node-rank", type=int, help="this node's rank (multi-node runs)")
    run.add_argument("--rdzv-endpoint", help="rendezvous host:port (multi-node runs)")
    run.add_argument("--slurm", action="store_true", help="print a SLURM batch script for the plan instead")
    run.add_argument("targets", nargs="+", metavar="FILE|OVERRIDE", help="one config file, then overrides")
    schema = commands.add_parser("schema", help="print a JSON Schema for a config's components")
    schema.add_argument("targets", nargs=1, metavar="FILE", help="one config file")
    show = commands.add_parser("show", help="print the effective config (tune cat, with overrides)")
    show.add_argument("--resolve", action="store_true", help="resolve ${...} interpolations")
    show.add_argument("targets", nargs="+", metavar="FILE|OVERRIDE", help="one config file, then overrides")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    raw = list(sys.argv[1:] if argv is None else argv)
    args, extra = build_parser().parse_known_args(raw)
    if args.command == "serve":
        from tuneconf.server import serve

        serve()
        return EXIT_OK
    targets = list(args.targets) + _overrides_only(extra)
    if args.command == "show":
        return show_command(targets, args.resolve)
    if args.command == "schema":
        return schema_command(targets[0])
    if args.command == "run":
        from tuneconf.launching import run_command

        return run_command(args, targets)
    return check_command(targets, args.format)


def _overrides_only(extra: list[str]) -> list[str]:
    """`~key` overrides look like nothing argparse knows; anything else unknown is a usage error."""
    unknown = [e for e in extra if not e.startswith("~")]
    if unknown:
        build_parser().error(f"unrecognized arguments: {' '.join(unknown)}")
    return extra


def check_command(targets: list[str], fmt: str) -> int:
    from tuneconf.checking import check_paths, split_targets

    paths, overrides = split_targets(targets)
    if not paths:
        print("tuneconf: no config files or folders given", file=sys.stderr)
        return EXIT_USAGE
    reports = check_paths([Path(p) for p in paths], progress=sys.stderr, overrides=overrides)
    text = render(reports, fmt)
    if text:
        sys.stdout.write(text)
    unreadable = [r for r in reports if r.unreadable]
    for report in unreadable:
        print(f"tuneconf: {report.path}: {report.unreadable}", file=sys.stderr)
    if unreadable:
        return EXIT_USAGE
    return EXIT_FINDINGS if any(r.has_errors for r in reports) else EXIT_OK


def schema_command(target: str) -> int:
    import json

    from tuneconf.checking import read_text
    from tuneconf.schema import config_schema
    from tuneconf.settings import Settings
    from tuneconf.workspace import Workspace

    path = Path(target)
    text, problem = read_text(path)
    if text is None:
        print(f"tuneconf: {target}: {problem}", file=sys.stderr)
        return EXIT_USAGE
    workspace = Workspace(Settings(), [Path.cwd()])
    view = workspace.view(path.resolve().as_uri(), None, text)
    print(json.dumps(config_schema(view.parsed, view.ctx, f"tuneconf schema for {path.name}"), indent=1))
    workspace.save()
    return EXIT_OK


def show_command(targets: list[str], resolve: bool) -> int:
    from tuneconf.checking import one_config
    from tuneconf.document.parse import parse
    from tuneconf.effective import effective_yaml
    from tuneconf.findings import placed
    from tuneconf.report import finding_line

    target = one_config(targets, "show")
    if target is None:
        return EXIT_USAGE
    path, text, overrides = target
    result = effective_yaml(parse(text), overrides, resolve)
    for finding in map(placed, result.findings):
        print(finding_line(finding, str(path)), file=sys.stderr)
    if result.error:
        print(f"tuneconf: cannot show {path}: {result.error}", file=sys.stderr)
        return EXIT_FINDINGS
    sys.stdout.write(result.text)
    for line in result.unresolved:
        print(f"tuneconf: not resolved: {line}", file=sys.stderr)
    return EXIT_FINDINGS if result.unresolved else EXIT_OK
