"""Handlers for inlay hints (to be written)."""

from __future__ import annotations

from tuneconf.lsp.session import TuneconfServer


def register(server: TuneconfServer) -> None:
    """Register this family's handlers on the server (nothing yet)."""
