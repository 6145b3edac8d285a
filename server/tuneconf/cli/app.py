"""`tuneconf`'s arguments, and which command runs: serve (the LSP server), check, show, diff, run, runs, schema."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from tuneconf import __version__
from tuneconf.cli import exits
from tuneconf.cli.report import FORMATS


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(exits.USAGE, f"tuneconf: {message} (see tuneconf --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tuneconf", description="Language server and checker for torchtune-style YAML configs.")
    parser.add_argument("--version", action="version", version=f"tuneconf {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    commands.add_parser("serve", help="speak the Language Server Protocol over stdio")
    check = commands.add_parser("check", help="check config files and folders, with tune run's overrides")
    check.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    check.add_argument(
        "--no-path-checks",
        action="store_true",
        help="do not check that the files a run reads exist here (for configs run on another machine)",
    )
    check.add_argument("targets", nargs="+", metavar="PATH|OVERRIDE", help="files, folders, then key=value or ~key")
    run = commands.add_parser("run", help="run the config's recipe with tune run (or print the plan)")
    run.add_argument("--dry-run", action="store_true", help="print the launch plan; exit 0 when runnable, 1 when not")
    run.add_argument("--run-anyway", action="store_true", help="run even when the config has errors")
    run.add_argument(
        "--yes",
        action="store_true",
        help="do not ask before the prepare step or a run with warnings (needed without a terminal)",
    )
    run.add_argument("--nproc-per-node", type=_count(1), help="processes per node (distributed recipes)")
    run.add_argument("--nnodes", type=_count(1), help="number of nodes (multi-node runs)")
    run.add_argument("--node-rank", type=_count(0), help="this node's rank, from 0 (multi-node runs)")
    run.add_argument("--rdzv-endpoint", help="rendezvous host:port (multi-node runs)")
    run.add_argument("--slurm", action="store_true", help="print a SLURM batch script for the plan instead")
    run.add_argument("targets", nargs="+", metavar="FILE|OVERRIDE", help="one config file, then overrides")
    schema = commands.add_parser("schema", help="print a JSON Schema for a config's components")
    schema.add_argument("targets", nargs=1, metavar="FILE", help="one config file")
    runs = commands.add_parser("runs", help="list a config's runs from its metric logger's files, or follow one")
    runs.add_argument("--follow", action="store_true", help="print the newest run's progress as it logs steps")
    runs.add_argument(
        "--follow-timeout", type=float, default=300.0, help="stop following after this many seconds without a step"
    )
    runs.add_argument("--html", metavar="REPORT", help="write the runs and their curves as one self-contained page")
    runs.add_argument("targets", nargs="+", metavar="FILE|OVERRIDE", help="one config file, then overrides")
    diff = commands.add_parser("diff", help="print the keys a config added, removed and changed from its built-in")
    diff.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    diff.add_argument("config", metavar="CONFIG", help="the config file")
    diff.add_argument("builtin", nargs="?", metavar="BUILTIN", help="a built-in config name or a YAML file")
    show = commands.add_parser("show", help="print the effective config (tune cat, with overrides)")
    show.add_argument("--resolve", action="store_true", help="resolve ${...} interpolations")
    show.add_argument("targets", nargs="+", metavar="FILE|OVERRIDE", help="one config file, then overrides")
    return parser


def _count(least: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least `least` (torchrun takes no other count)."""

    def count(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"must be at least {least}, not {value}")
        return value

    return count


def main(argv: Sequence[str] | None = None) -> int:
    raw = list(sys.argv[1:] if argv is None else argv)
    args, extra = build_parser().parse_known_args(raw)
    # Each command imports only what it needs: `serve` starts without the CLI's modules, `check` without pygls.
    if args.command == "serve":
        from tuneconf.lsp.server import serve

        serve()
        return exits.OK
    if args.command == "diff":
        from tuneconf.cli.diff import diff_command

        if extra:
            build_parser().error(f"unrecognized arguments: {' '.join(extra)}")
        return diff_command(args.config, args.builtin, args.format)
    targets = list(args.targets) + _overrides_only(extra)
    if args.command == "show":
        from tuneconf.cli.show import show_command

        return show_command(targets, args.resolve)
    if args.command == "schema":
        from tuneconf.cli.schema import schema_command

        return schema_command(targets[0])
    if args.command == "run":
        from tuneconf.cli.run import run_command

        return run_command(args, targets)
    if args.command == "runs":
        from tuneconf.cli.runs import runs_command

        return runs_command(args, targets)
    from tuneconf.cli.check import check_command

    return check_command(targets, args.format, path_checks=not args.no_path_checks)


def _overrides_only(extra: list[str]) -> list[str]:
    """`~key` overrides look like nothing argparse knows; anything else unknown is a usage error."""
    unknown = [e for e in extra if not e.startswith("~")]
    if unknown:
        build_parser().error(f"unrecognized arguments: {' '.join(unknown)}")
    return extra
