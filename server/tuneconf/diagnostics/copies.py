"""A name the installed package lacks but the workspace's own copy of that package has (a fork).

`tune run` and `config.instantiate` *append* the working folder to sys.path, so a checkout of a fork of
torchtune in the workspace runs only once it is installed (`pip install -e .`); the installed package
is what the index analyses. Whether the user has installed the fork in the environment that will run
is not known here, so such a name is a warning that says both, not an error.
"""

from __future__ import annotations

import re
from pathlib import Path

from tuneconf.diagnostics.edits import segment_span
from tuneconf.document.tree import Scalar
from tuneconf.files import read_text
from tuneconf.findings import Finding, Severity
from tuneconf.index.records import Resolution, Status

MAX_MODULE_BYTES = 1_000_000


def workspace_copy(folders: tuple[Path, ...], dotpath: str, segment: int) -> Path | None:
    """The file or folder of a workspace folder's copy of the dotpath's top-level package that has the
    name at `segment` (a submodule, or a name in its parent module's source); None when none has it."""
    parts = dotpath.split(".")
    if not 1 <= segment < len(parts):
        return None
    for folder in folders:
        root = folder / parts[0]
        if not (root / "__init__.py").is_file():
            continue
        base = root.joinpath(*parts[1:segment])
        found = _has(base, parts[segment])
        if found is not None:
            return found
    return None


def _has(base: Path, name: str) -> Path | None:
    for candidate in (base / name / "__init__.py", base / f"{name}.py"):
        if candidate.is_file():
            return candidate.parent if candidate.name == "__init__.py" else candidate
    source_file = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
    text, _ = read_text(source_file, MAX_MODULE_BYTES) if source_file.is_file() else (None, "")
    if text is not None and re.search(rf"\b{re.escape(name)}\b", text):
        return source_file
    return None


def copy_finding(scalar: Scalar, r: Resolution, folders: tuple[Path, ...], interpreter: str) -> Finding | None:
    """unknown-member / unknown-module as a warning when the workspace's copy of the package has it."""
    if r.status not in (Status.UNKNOWN_MEMBER, Status.UNKNOWN_MODULE):
        return None
    found = workspace_copy(folders, r.dotpath, r.segment)
    if found is None:
        return None
    parts = r.dotpath.split(".")
    where = next((f for f in folders if found.is_relative_to(f)), found.parent)
    shown = found.relative_to(where).as_posix()
    name, python = ".".join(parts[: r.segment + 1]), interpreter or "the selected interpreter"
    message = (
        f"'{name}' is not in the installed {parts[0]} ({python}), but the workspace's own copy has it "
        f"({shown}). That copy runs only once installed (`pip install -e .`): `tune run` puts the working "
        "folder after the installed packages."
    )
    code = "unknown-member" if r.status is Status.UNKNOWN_MEMBER else "unknown-module"
    return Finding(code, Severity.WARNING, message, segment_span(scalar, r.segment))
