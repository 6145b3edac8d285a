"""Every config of the workspace at a glance: its top-level keys and the components it names, each with
where it is written, and the argument keys beside each component. Workspace symbols and the Python side's
references and "used in N configs" lenses (features/workspace_symbols.py, features/python_refs.py) read it.

Built once on a background thread, then kept fresh one file at a time: a file event re-reads that file, and
an open document's text (fresher than the disk) takes the place of the file while it is open. Plain data:
nothing here knows about the server. A record costs one compose of the file (document/compose.py via
compose_tolerant, no section cache: the workspace's thousand files must not evict the editor's sections,
and a background thread must not share that cache with the event loop).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tuneconf.document.components import iter_components
from tuneconf.document.templates import stand_ins
from tuneconf.document.tolerant import compose_tolerant, split_lines
from tuneconf.document.tree import KeyPath, Span
from tuneconf.document.tree import Mapping as MapNode
from tuneconf.files import read_text, yaml_files
from tuneconf.project import path_of

MAX_FILES = 5000
"""Files a scan reads at most (a workspace holding a dataset of YAML files must not stall the server)."""
MAX_CONFIG_BYTES = 2_000_000
"""Larger files are not configs anyone writes by hand (document/parse.py does not parse them either)."""
PROGRESS_EVERY = 100


@dataclass(frozen=True, slots=True)
class Named:
    """A key or a dotpath, and where it is written (code points)."""

    name: str
    span: Span


@dataclass(frozen=True, slots=True)
class Use:
    """One component of a config: the dotpath it names, where, and the argument keys beside it."""

    dotpath: str
    span: Span
    """The dotpath's value (what a reference points at)."""
    path: KeyPath
    """Where the component sits (("optimizer",), ("dataset", 0))."""
    arguments: tuple[Named, ...]


@dataclass(frozen=True, slots=True)
class ConfigRecord:
    uri: str
    relative: str
    """The path shown to the user: relative to its workspace folder, else absolute."""
    keys: tuple[Named, ...]
    uses: tuple[Use, ...]
    wide_lines: Mapping[int, str]
    """The text of each line with characters beyond ASCII: columns are converted to the client's units
    with it (on an ASCII line a code point is a unit in every encoding)."""
    version: int | None = None
    """The open document's version this record was read from; None: read from disk."""


@dataclass(frozen=True)
class Scope:
    """What makes a YAML file one of the workspace's configs (Project.is_config, its folders and keys)."""

    folders: tuple[Path, ...]
    component_keys: tuple[str, ...]
    is_config: Callable[[str, str], bool]


def extract(uri: str, relative: str, text: str, keys: Iterable[str], version: int | None = None) -> ConfigRecord:
    """The record of one config's text: a compose of the whole text (the broken lines left out)."""
    template = stand_ins(text)
    composed, _ = compose_tolerant(template.text if template is not None else text)
    root = composed.root if composed is not None else None
    lines = split_lines(text)  # LSP's line breaks only (str.splitlines also breaks at \x0c, \x85, \u2028)
    wide = {n: line for n, line in enumerate(lines) if not line.isascii()}
    if not isinstance(root, MapNode):
        return ConfigRecord(uri, relative, (), (), wide, version)
    top = tuple(Named(p.name, p.key.span) for p in root.pairs if p.name is not None)
    keys = tuple(keys)
    uses = []
    for component in iter_components(root, keys):
        written = component.dotpath
        if not isinstance(written.value, str) or not written.text.strip():
            continue
        arguments = tuple(
            Named(p.name, p.key.span) for p in component.mapping.pairs if p.name is not None and p.name not in keys
        )
        uses.append(Use(written.text.strip(), written.span, component.path, arguments))
    return ConfigRecord(uri, relative, top, tuple(uses), wide, version)


def relative_to(path: Path, folders: Iterable[Path]) -> str:
    for folder in folders:
        try:
            return path.relative_to(folder).as_posix()
        except ValueError:
            continue
    return str(path)


def read_record(path: Path, scope: Scope) -> ConfigRecord | None:
    """The record of a file on disk; None when it cannot be read or is not a config."""
    text, _ = read_text(path, MAX_CONFIG_BYTES)
    uri = path.as_uri()
    if text is None or not scope.is_config(uri, text):
        return None
    return extract(uri, relative_to(path, scope.folders), text, scope.component_keys)


@dataclass
class _Derived:
    """What the queries read, computed once per generation of the records."""

    generation: int
    by_dotpath: dict[str, list[tuple[ConfigRecord, Use]]] = field(default_factory=dict)
    by_last_segment: dict[str, list[str]] = field(default_factory=dict)


class WorkspaceIndex:
    """The records by URI. Written by the scan thread and the event loop, read by requests: writes and
    snapshots are under one lock, and records are immutable."""

    def __init__(self) -> None:
        self._records: dict[str, ConfigRecord] = {}
        self._lock = threading.Lock()
        self.generation = 0
        self.ready = False
        """True once the first scan is done (before, the answers are those of the files read so far)."""
        self._derived: _Derived | None = None
        self._scans = 0
        """Scans started: a scan that a newer one overtook drops its result (its scope is stale)."""
        self._touched: dict[str, int] = {}
        """URI → the scan count when a file event or an open document last wrote its record."""

    def scan(self, scope: Scope, progress: Callable[[int, int], None] | None = None) -> int:
        """Read every config of the workspace folders (at most MAX_FILES YAML files); open documents keep
        their records. `progress(done, total)` every PROGRESS_EVERY files. Returns how many configs."""
        with self._lock:
            self._scans += 1
            mine = self._scans
        files = list(itertools.islice((f for d in scope.folders for f in yaml_files(d)), MAX_FILES))
        found: dict[str, ConfigRecord] = {}
        for done, path in enumerate(files, 1):
            record = read_record(path, scope)
            if record is not None:
                found[record.uri] = record
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done, len(files))
        with self._lock:
            if mine != self._scans:  # a newer scan started meanwhile: its result is the one to keep
                return len(found)
            # open documents, and files an event wrote while this scan read, keep their records
            fresher = {u: r for u, r in self._records.items() if r.version is not None or self._touched.get(u) == mine}
            gone = {u for u, at in self._touched.items() if at == mine and u not in self._records}
            self._records = {u: r for u, r in found.items() if u not in gone} | fresher
            self._touched.clear()
            self._changed()
        self.ready = True
        return len(found)

    def refresh(self, path: Path, scope: Scope) -> None:
        """Read one file again (a file event): changed, created or deleted. An open document keeps its record."""
        uri = path.as_uri()
        current = self._records.get(uri)
        if current is not None and current.version is not None:
            return
        self._put(uri, read_record(path, scope) if path.suffix in (".yaml", ".yml") else None)

    def sync_open(self, documents: Mapping[str, tuple[int | None, str]], scope: Scope) -> None:
        """Records from the open YAML documents' text (uri → (version, text)); a document closed since
        goes back to its file on disk."""
        for uri, (version, text) in documents.items():
            current = self._records.get(uri)
            if current is not None and current.version is not None and current.version == version:
                continue
            path = Path(path_of(uri)) if uri.startswith("file:") else None
            relative = relative_to(path, scope.folders) if path is not None else uri
            config = scope.is_config(uri, text)
            self._put(uri, extract(uri, relative, text, scope.component_keys, version or 0) if config else None)
        closed = [uri for uri, r in self._records.items() if r.version is not None and uri not in documents]
        for uri in closed:
            path = Path(path_of(uri))
            self._put(uri, read_record(path, scope) if uri.startswith("file:") else None)

    def records(self) -> list[ConfigRecord]:
        with self._lock:
            return list(self._records.values())

    def uses_of(self, dotpath: str) -> list[tuple[ConfigRecord, Use]]:
        """Where a dotpath is named, as written (resolution is the caller's: features/python_refs.py)."""
        return self._current().by_dotpath.get(dotpath, [])

    def dotpaths_ending(self, name: str) -> list[str]:
        """The distinct dotpaths whose last segment is `name` (`Head` → mypkg.Head, mypkg.models.Head)."""
        return self._current().by_last_segment.get(name, [])

    def _current(self) -> _Derived:
        derived = self._derived
        if derived is not None and derived.generation == self.generation:
            return derived
        with self._lock:
            generation, records = self.generation, list(self._records.values())
        derived = _Derived(generation)
        for record in records:
            for use in record.uses:
                derived.by_dotpath.setdefault(use.dotpath, []).append((record, use))
        for dotpath in derived.by_dotpath:
            derived.by_last_segment.setdefault(dotpath.rsplit(".", 1)[-1], []).append(dotpath)
        self._derived = derived
        return derived

    def _put(self, uri: str, record: ConfigRecord | None) -> None:
        with self._lock:
            self._touched[uri] = self._scans
            if record is None and uri not in self._records:
                return
            if record is None:
                del self._records[uri]
            else:
                self._records[uri] = record
            self._changed()

    def _changed(self) -> None:
        self.generation += 1
