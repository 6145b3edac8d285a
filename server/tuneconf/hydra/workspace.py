"""A workspace's Hydra projects: the config roots (from `@hydra.main` / `initialize` entry points read
with `ast`, `hydra.searchpath`, and the `hydraRoots` setting), where a YAML file sits in them (root,
group, option, package), the resolvers the code registers, what the entry points' code passes when it
instantiates config nodes, and compositions. Everything is cached until `invalidate()` (the server calls
it on file events; the CLI makes one per run)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tuneconf.hydra.callsites import CallSites
    from tuneconf.hydra.compose import Composition
    from tuneconf.hydra.defaults import Header
    from tuneconf.hydra.discover import EntryPoint

from tuneconf.hydra.places import HydraInfo, Place, Root, package_of

__all__ = ["HydraInfo", "HydraWorkspace", "Place", "Root", "package_of"]
log = logging.getLogger(__name__)
YAML_SUFFIXES = (".yaml", ".yml")
MAX_PYTHON_FILES = 2000
UNRESOLVED = Path("/nonexistent/tuneconf-unresolved-searchpath")
"""A `hydra.searchpath` entry tuneconf cannot turn into a folder (then options may come from it)."""


class HydraWorkspace:
    def __init__(self, folders: Sequence[Path], extra_roots: Sequence[str] = ()) -> None:
        self.folders = [f.resolve() for f in folders]
        self.extra_roots = tuple(extra_roots)
        self._lock = threading.RLock()
        self._roots: list[Root] | None = None
        self._resolvers: dict[str, tuple[Path, int]] | None = None
        self._sites: dict[tuple[Path, str], CallSites | None] = {}
        self._compositions: dict[tuple[Any, ...], Composition] = {}

    def changed(self, paths: Sequence[Path], refreshed: Callable[[], None] | None = None) -> bool:
        """Files changed on disk (saved, created, deleted): what depends on them is read again. A YAML
        file: the compositions. A Python file: the call sites and resolvers, and the roots when it may
        declare an entry point; with `refreshed` (the server), those are read again on a thread while the
        old ones keep answering, then `refreshed()` is called (a workspace scan must not hold a keystroke).
        True when anything Hydra knew may have changed now."""
        paths = [p for p in paths if not _ignored(p)]
        python = [p for p in paths if p.suffix == ".py"]
        yaml = [p for p in paths if p.suffix in YAML_SUFFIXES]
        if not python and not yaml:
            return False
        with self._lock:
            self._compositions.clear()
            if not python:
                return True
            self._sites.clear()
            entries = {e.file for root in self._roots or [] for e in root.entries}
            roots = any(p in entries or _declares_entry(p) for p in python)
            if refreshed is None:
                self.invalidate()  # the next question scans again (the CLI, tests)
                return True
        threading.Thread(target=self._refresh, args=(roots, refreshed), name="tuneconf-hydra", daemon=True).start()
        return True

    def _refresh(self, roots: bool, refreshed: Callable[[], None]) -> None:
        try:
            found = self._scan()
        except Exception:
            log.exception("rescanning the Hydra projects failed")
            return
        with self._lock:
            self._roots, self._resolvers = found if roots or self._roots is None else (self._roots, found[1])
            self._sites.clear()
            self._compositions.clear()
        refreshed()

    def invalidate(self) -> None:
        """A Python or YAML file changed: entry points, resolvers, call sites and compositions anew."""
        with self._lock:
            self._roots = None
            self._resolvers = None
            self._sites.clear()
            self._compositions.clear()

    def roots(self) -> list[Root]:
        with self._lock:
            if self._roots is None:
                self._roots, self._resolvers = self._scan()
            return self._roots

    def _scan(self) -> tuple[list[Root], dict[str, tuple[Path, int]]]:
        """One pass over the workspace's Python files (hydra/discover.py: scan): the roots with their entry
        points, and the resolvers the code registers."""
        from tuneconf.hydra.discover import scan

        scans = [scan(folder, MAX_PYTHON_FILES) for folder in self.folders]
        store = any(found.config_store for found in scans)
        resolvers: dict[str, tuple[Path, int]] = {}
        by_folder: dict[Path, list[EntryPoint]] = {}
        for found in scans:
            for name, where in found.resolvers.items():
                resolvers.setdefault(name, where)
            for entry in found.entries:
                if entry.config_dir is not None and entry.config_dir.is_dir():
                    by_folder.setdefault(entry.config_dir.resolve(), []).append(entry)
        for folder in self.folders:
            for name in self.extra_roots:
                candidate = (folder / name).resolve()
                if candidate.is_dir():
                    by_folder.setdefault(candidate, [])
        return [self._root(folder, entries, store) for folder, entries in by_folder.items()], resolvers

    def _root(self, folder: Path, entries: list[EntryPoint], store: bool) -> Root:
        primaries = tuple(dict.fromkeys(e.config_name for e in entries if e.config_name))
        bases = [e.version_base for e in entries if e.version_base is not None]
        search = [folder, *self._searchpath(folder, primaries)]
        store = store or UNRESOLVED in search  # options may come from where we cannot read
        search = [f for f in search if f != UNRESOLVED]
        # an entry point without version_base runs with Hydra 1.1's rules (and a warning)
        base = bases[0] if bases else ("1.1" if entries else None)
        return Root(folder, tuple(dict.fromkeys(search)), primaries, tuple(entries), base, store)

    def _searchpath(self, folder: Path, primaries: Sequence[str]) -> list[Path]:
        from tuneconf.hydra.discover import searchpath_roots

        found: list[Path] = []
        for primary in primaries:
            for value in _searchpath_values(_config_file(folder, primary)):
                folders = searchpath_roots([value], folder, self.folders)
                found.extend(folders or [UNRESOLVED])  # pkg:// of an installed package, an interpolation
        return found

    def place(self, path: Path, header: Header | None = None) -> Place | None:
        """Where `path` sits: the innermost root holding it (a file under several: the deepest root)."""
        resolved = path.resolve()
        if resolved.suffix not in YAML_SUFFIXES:
            return None
        best: tuple[Root, Path] | None = None
        for root in self.roots():
            for folder in root.search:
                if resolved.is_relative_to(folder) and (best is None or len(folder.parts) > len(best[1].parts)):
                    best = (root, folder)
        if best is None:
            return None
        root, folder = best
        relative = resolved.relative_to(folder)
        group = "/".join(relative.parts[:-1])
        return Place(root, resolved, group, resolved.stem, package_of(group, header) if group else (), header)

    def resolvers(self) -> dict[str, tuple[Path, int]]:
        """Resolvers the workspace's code registers (`OmegaConf.register_new_resolver("name", ...)`)."""
        with self._lock:
            if self._resolvers is None:
                self._roots, self._resolvers = self._scan()
            return self._resolvers

    def call_sites(self, root: Root, primary: str) -> CallSites | None:
        """What the entry point that composes `primary` (and the code it calls) passes to `instantiate`."""
        from tuneconf.hydra.callsites import call_sites

        entry = root.entry_for(primary)
        if entry is None:
            return None
        key = (entry.file, primary)
        with self._lock:
            if key not in self._sites:
                try:
                    self._sites[key] = call_sites(entry, None, self.folders)
                except Exception:
                    log.exception("reading the call sites of %s failed", entry.file)
                    self._sites[key] = None
            return self._sites[key]

    def compose(
        self, root: Root, primary: str, overrides: Sequence[str] = (), texts: dict[Path, str] | None = None
    ) -> Composition:
        """The primary config composed with `overrides` (Hydra's grammar), cached until invalidated;
        `texts`: editor contents that replace files on disk (then not cached; composing is ~1 ms)."""
        from tuneconf.hydra.compose import compose

        key = (root.folder, primary, tuple(overrides))
        with self._lock:
            hit = self._compositions.get(key) if texts is None else None
            if hit is not None:
                return hit
        parsed = []
        if overrides:
            from tuneconf.hydra.overrides import OverrideError, parse
        for text in overrides:
            try:
                parsed.append(parse(text))
            except OverrideError:
                continue
        result = compose(root.search, primary, parsed, _base(root.version_base), texts)
        if texts is None:
            with self._lock:
                self._compositions[key] = result
        return result

    def composition_for(self, place: Place, text: str | None = None) -> Composition | None:
        return self.selection_for(place, text)[0]

    def selection_for(self, place: Place, text: str | None = None) -> tuple[Composition | None, bool]:
        """A composition that includes `place`'s file: its own (a primary), a primary that includes it,
        else a primary with the file selected by an override (`+group=option`: experiment files), and
        whether it was selected so (then what other groups choose is one choice among several).
        `text`: the file's text in the editor."""
        texts = {place.file: text} if text is not None else None
        if place.group == "":  # a primary config, or another top-level config composed as one
            return self.compose(place.root, place.option, (), texts), False
        for primary in place.root.primaries:
            if _includes(self.compose(place.root, primary), place.file):
                return self.compose(place.root, primary, (), texts), False
        if not place.group or place.group.startswith("hydra"):
            return None, False
        candidates = []
        for primary in place.root.primaries:
            composed = self.compose(place.root, primary)
            sign = "" if place.group in composed.choices else "+"
            selection = [f"{sign}{place.group}={place.option}"]
            selected = self.compose(place.root, primary, selection)
            if _includes(selected, place.file) and not any(p.file != place.file for p in selected.problems):
                candidates.append((len(selected.problems), primary, selection, selected))
        if not candidates:
            return None, True
        _, primary, selection, selected = min(candidates, key=lambda c: c[0])  # a primary it composes with cleanly
        return (self.compose(place.root, primary, selection, texts) if texts is not None else selected), True

    def info(self, path: Path, text: str, component_keys: Sequence[str]) -> HydraInfo | None:
        """The Hydra facts of a YAML document: None when it is neither under a Hydra root nor a
        `_target_` config (then it is no Hydra config)."""
        from tuneconf.document.components import key_pattern
        from tuneconf.hydra.defaults import package_header

        header = package_header(text.splitlines()[:64]) if "@package" in text else None
        place = self.place(path, header)
        if place is None and any(key_pattern(k).search(text) for k in component_keys if k != TARGET):
            return None  # a torchtune config (one that also has a `_target_` somewhere stays one); found early
        if place is None and not key_pattern(TARGET).search(text):
            return None
        resolvers = frozenset(self.resolvers())
        if place is None:
            return HydraInfo(None, None, resolvers)
        root = place.root
        sites = _union([self.call_sites(root, primary) for primary in root.primaries])

        def composition() -> tuple[Composition | None, bool]:
            return self.selection_for(place, text)

        return HydraInfo(place, sites, resolvers, root.version_base, composition)


TARGET = "_target_"


def _union(found: Sequence[CallSites | None]) -> CallSites | None:
    from tuneconf.hydra.callsites import CallSites

    known = [f for f in found if f is not None]
    if not known:
        return None
    if len(known) == 1:
        return known[0]
    return CallSites(
        sites=[s for k in known for s in k.sites],
        unknown=[u for k in known for u in k.unknown],
        followed=tuple(dict.fromkeys(f for k in known for f in k.followed)),
    )


def _includes(composed: Composition, file: Path) -> bool:
    """The composition read `file` (merged it, or found it cannot be loaded)."""
    return file in composed.files or any(problem.file == file for problem in composed.problems)


def _ignored(path: Path) -> bool:
    """Virtual environments, caches and hidden folders (a `pip install` changes thousands of files)."""
    from tuneconf.files import SKIP_DIRS

    folders = path.parts[:-1]
    return any(p in SKIP_DIRS or p == "site-packages" or (p.startswith(".") and p != ".vscode") for p in folders)


_ENTRY_WORDS = ("main(", "initialize(", "initialize_config_dir(", "initialize_config_module(", "compose(")


def _declares_entry(file: Path) -> bool:
    """A Python file that may declare an entry point (`@hydra.main(`, `initialize(` + `compose(`); a
    deleted or unreadable one may have."""
    from tuneconf.files import read_text

    text, _ = read_text(file)
    return text is None or ("hydra" in text and any(word in text for word in _ENTRY_WORDS))


def _base(version_base: str | None) -> str | None:
    """The version_base composition follows: the entry point's, 1.3 when it names none (Hydra's own
    default then is 1.1 with a warning, but configs written today expect the current rules)."""
    if version_base == "None":
        return None
    return version_base or "1.3"


def _config_file(folder: Path, name: str) -> Path | None:
    for suffix in YAML_SUFFIXES:
        candidate = folder / f"{name.removesuffix('.yaml')}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def _searchpath_values(file: Path | None) -> list[str]:
    """`hydra.searchpath` of a primary config (read with our parser: no OmegaConf on this path)."""
    if file is None:
        return []
    from tuneconf.document.parse import parse
    from tuneconf.document.tree import Mapping, Scalar, Sequence, deref
    from tuneconf.files import read_text

    text, _ = read_text(file)
    if text is None or "searchpath" not in text:
        return []
    top = parse(text).mapping
    hydra = deref(top.value_of("hydra")) if top is not None else None
    found = deref(hydra.value_of("searchpath")) if isinstance(hydra, Mapping) else None
    if not isinstance(found, Sequence):
        return []
    return [str(item.value) for item in map(deref, found.items) if isinstance(item, Scalar) and item.value]
