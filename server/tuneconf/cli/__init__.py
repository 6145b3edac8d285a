"""The command line: `tuneconf serve | check | show | run | schema`. Adapters over the core, like the
LSP shell (tuneconf.lsp); the only code that prints."""

from tuneconf.cli.main import main

__all__ = ["main"]
