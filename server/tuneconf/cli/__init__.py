"""The command line: `tuneconf serve | check | show | run | schema`. Adapters over the core, like the
LSP shell (tuneconf.lsp); the only code that prints."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """`tuneconf ARGS`. A bare `serve` (how editors start it) goes straight to the server, without the
    argument parser and the CLI's modules: start-up is measured against a server that does nothing."""
    raw = list(sys.argv[1:] if argv is None else argv)
    if raw == ["serve"]:
        import gc

        gc.disable()  # the imports allocate ~1M long-lived objects: collecting them while importing is waste
        from tuneconf.lsp.server import serve

        gc.freeze()  # ...and every later collection would walk them again (keystroke latency)
        gc.enable()
        serve()
        return 0
    from tuneconf.cli.app import main as run

    return run(raw)


__all__ = ["main"]
