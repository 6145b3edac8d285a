"""Config files on disk: which folders a scan skips, how YAML files are found, how a file is read."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

SKIP_DIRS = frozenset({".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache", "dist", "build"})
"""Folders no scan enters (besides hidden ones): environments, caches, build outputs."""
MAX_BYTES = 64 * 1024 * 1024
_CHUNK = 1024 * 1024
# O_NONBLOCK: opening a FIFO must never wait for a writer (it is refused right after); absent on Windows.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def yaml_files(folder: Path, onerror: Callable[[OSError], None] | None = None) -> Iterator[Path]:
    """The *.yaml and *.yml files under `folder`, in sorted order, skipping SKIP_DIRS and hidden folders.
    `onerror` gets the error of each folder that cannot be listed (else it is skipped silently)."""
    for root, dirs, files in os.walk(folder, onerror=onerror):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            if name.endswith((".yaml", ".yml")):
                yield Path(root) / name


_PYTHON_SKIP = SKIP_DIRS | {"site-packages", "dist-packages"}


def python_files(folder: Path, limit: int = 2000) -> Iterator[Path]:
    """Up to `limit` *.py files under `folder` (SKIP_DIRS, hidden folders and site-packages skipped)."""
    count = 0
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in _PYTHON_SKIP and not d.startswith("."))
        for name in sorted(files):
            if name.endswith(".py"):
                yield Path(root) / name
                count += 1
                if count >= limit:
                    return


def read_text(file: Path, limit: int = MAX_BYTES) -> tuple[str | None, str]:
    """The file's text, or None and why it cannot be read (missing, a folder or another file that is not
    a regular one, too big, not UTF-8). Every config file read, by the CLI or a workspace scan, comes here."""
    data, problem = _read_bytes(file, limit)
    if data is None:
        return None, problem
    if b"\0" in data:
        return None, "binary file (contains NUL bytes), not a YAML config"
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); torchtune cannot read it"


def read_bytes(file: Path, limit: int = MAX_BYTES) -> tuple[bytes | None, str]:
    """The file's bytes, or None and why not: a regular file of at most `limit` bytes (see `_read_bytes`)."""
    return _read_bytes(file, limit)


def _read_bytes(file: Path, limit: int) -> tuple[bytes | None, str]:
    """At most `limit` bytes of a regular file (a symlink is followed). A FIFO or device is refused before
    it is opened (reading /dev/zero never ends; a FIFO blocks), and again after, should it be swapped."""
    try:
        problem = _not_regular(os.stat(file).st_mode)
        if problem:
            return None, problem
        fd = os.open(file, _OPEN_FLAGS)
    except FileNotFoundError:
        return None, "no such file or folder"
    except OSError as exc:
        return None, f"cannot read: {exc.strerror or exc}"
    try:
        status = os.fstat(fd)
        problem = _not_regular(status.st_mode)
        if problem or status.st_size > limit:
            return None, problem or f"too large to check ({status.st_size:,} bytes)"
        chunks: list[bytes] = []
        size = 0
        # Read up to one byte past the cap, whatever st_size says (/proc files say 0; a file may grow).
        while size <= limit:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        return None, f"cannot read: {exc.strerror or exc}"
    finally:
        os.close(fd)
    if size > limit:
        return None, f"too large to check (over {limit:,} bytes)"
    return b"".join(chunks), ""


def _not_regular(mode: int) -> str:
    """Why a file of this mode is not read, or "" for a regular file."""
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISDIR(mode):
        return "a folder, not a file"
    kind = next((name for test, name in _KINDS if test(mode)), "")
    return f"not a regular file ({kind})" if kind else "not a regular file"
