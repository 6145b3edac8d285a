"""Config files on disk: which folders a scan skips, how YAML files are found, how a file is read."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

SKIP_DIRS = frozenset({".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache", "dist", "build"})
"""Folders no scan enters (besides hidden ones): environments, caches, build outputs."""
MAX_BYTES = 64 * 1024 * 1024


def yaml_files(folder: Path) -> Iterator[Path]:
    """The *.yaml and *.yml files under `folder`, in sorted order, skipping SKIP_DIRS and hidden folders."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            if name.endswith((".yaml", ".yml")):
                yield Path(root) / name


def read_text(file: Path) -> tuple[str | None, str]:
    """The file's text, or None and why it cannot be read (missing, a folder, too big, not UTF-8)."""
    try:
        size = file.stat().st_size
        if size > MAX_BYTES:
            return None, f"too large to check ({size:,} bytes)"
        data = file.read_bytes()
    except FileNotFoundError:
        return None, "no such file or folder"
    except OSError as exc:
        return None, f"cannot read: {exc.strerror or exc}"
    if b"\0" in data:
        return None, "binary file (contains NUL bytes), not a YAML config"
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); torchtune cannot read it"
