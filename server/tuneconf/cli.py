"""The command line: `tuneconf serve`, `tuneconf check`. An adapter over the same core as the server."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tuneconf import __version__
from tuneconf.report import FORMATS, FileReport, render

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"tuneconf: {message} (see tuneconf --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tuneconf", description="Language server and checker for torchtune-style YAML configs.")
    parser.add_argument("--version", action="version", version=f"tuneconf {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    commands.add_parser("serve", help="speak the Language Server Protocol over stdio")
    check = commands.add_parser("check", help="check config files and folders")
    check.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    check.add_argument("targets", nargs="+", metavar="PATH|OVERRIDE", help="files, folders, then key=value overrides")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        from tuneconf.server import serve

        serve()
        return EXIT_OK
    return check_command(args.targets, args.format)


def check_command(targets: list[str], fmt: str) -> int:
    from tuneconf.checking import check_paths, split_targets

    paths, overrides = split_targets(targets)
    if overrides:
        print(
            f"tuneconf: overrides are not supported yet: {' '.join(overrides)} (is it a path? no such file or folder)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if not paths:
        print("tuneconf: no config files or folders given", file=sys.stderr)
        return EXIT_USAGE
    reports: list[FileReport] = check_paths([Path(p) for p in paths], progress=sys.stderr)
    text = render(reports, fmt)
    if text:
        sys.stdout.write(text)
    if any(r.unreadable for r in reports):
        for report in reports:
            if report.unreadable:
                print(f"tuneconf: {report.path}: {report.unreadable}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_FINDINGS if any(r.has_errors for r in reports) else EXIT_OK
