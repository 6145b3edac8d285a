"""The file-system watch: the client tells the server about files created or deleted in the workspace
(workspace/didChangeWatchedFiles, registered dynamically where the client can), and path checks answer
from fresh stats at once instead of after their cache expires (diagnostics/stats.py)."""

from __future__ import annotations

from lsprotocol import types

from tuneconf.files import SKIP_DIRS
from tuneconf.project import path_of

WATCH_ID = "tuneconf-watch"
_HIDDEN_KEPT = frozenset({".vscode"})


def watch_registration() -> types.RegistrationParams:
    """Every file of the workspace folders (VS Code watches them already; paths outside are not
    watched and rely on the cache's expiry)."""
    options = types.DidChangeWatchedFilesRegistrationOptions(
        watchers=[
            types.FileSystemWatcher(glob_pattern="**/*", kind=types.WatchKind.Create | types.WatchKind.Delete),
            # a config edited outside the editor (a `git checkout`): the workspace index reads it again; a
            # Python file changed: Hydra's entry points, call sites and resolvers may have changed
            types.FileSystemWatcher(glob_pattern="**/*.{yaml,yml,py}", kind=types.WatchKind.Change),
        ]
    )
    registration = types.Registration(WATCH_ID, types.WORKSPACE_DID_CHANGE_WATCHED_FILES, options)
    return types.RegistrationParams(registrations=[registration])


def relevant(change: types.FileEvent) -> bool:
    """A file created or deleted outside the folders nobody checks (.git, node_modules, caches, venvs)."""
    if change.type == types.FileChangeType.Changed or not change.uri.startswith("file:"):
        return False
    parts = path_of(change.uri).replace("\\", "/").split("/")
    return not any(p in SKIP_DIRS or (p.startswith(".") and p not in _HIDDEN_KEPT) for p in parts[:-1])
