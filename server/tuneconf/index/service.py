"""The index: dotpath → Resolution, from memory, the disk cache, or the loader (in that order).

Thread-safe: the server resolves in a background thread; checks never wait for it (`wait=False`),
requests wait a moment at most; the CLI simply resolves (`resolve`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from tuneconf.index.cache import DiskCache
from tuneconf.index.environment import Environment
from tuneconf.index.imports import Checked, ImportChecker
from tuneconf.index.imports import requested as imports_requested
from tuneconf.index.loader import Budget, CompiledRef, Loader, Missing, ModuleRef
from tuneconf.index.modules import ModuleFinder
from tuneconf.index.names import NameIndex, build, requested
from tuneconf.index.records import Member, ModuleListing, Resolution, Status
from tuneconf.index.signatures import SymbolBuilder

log = logging.getLogger(__name__)
MAX_DOTPATH = 400
T = TypeVar("T")
Resolver = Callable[[str], "Resolution | None"]


class Index:
    def __init__(self, env: Environment, cache: DiskCache | None = None) -> None:
        self.env = env
        self.finder = ModuleFinder(env)
        self.loader = Loader(self.finder)
        self.builder = SymbolBuilder(self.loader)
        self.imports = ImportChecker(self.finder, cache)
        """Import chains (missing dependencies), with a lock of their own: they take long to read."""
        self.cache = cache
        self._known: dict[str, Resolution] = {}
        self._listings: dict[str, ModuleListing | None] = {}
        self._lock = threading.RLock()
        self._names: dict[str, NameIndex] = {}
        self._names_lock = threading.Lock()
        """Apart from the loader's lock: a package's names take seconds to read, dotpaths must not wait."""

    def resolve(self, dotpath: str, wait: bool | float = True) -> Resolution | None:
        """Resolve `dotpath`. `wait`: True blocks, False never waits, a number waits that many seconds
        for another thread using the loader; None when it did not get the loader."""
        known = self._known.get(dotpath)
        if known is not None:
            return known
        invalid = check_syntax(dotpath)
        if invalid is not None:
            self._known[dotpath] = invalid
            return invalid
        return self._memoised(self._known, dotpath, self._resolve_locked, wait)

    def _memoised(self, table: dict[str, T], key: str, compute: Callable[[str], T], wait: bool | float) -> T | None:
        """`table[key]`, computed with the loader's lock held when not there yet; None when the lock
        was not had within `wait`. Another thread may have computed it while this one waited."""
        if key in table:
            return table[key]
        if not self._acquire(wait):
            return None
        try:
            if key not in table:
                table[key] = compute(key)
            return table[key]
        finally:
            self._lock.release()

    def _acquire(self, wait: bool | float) -> bool:
        if isinstance(wait, bool):
            return self._lock.acquire(blocking=wait)
        return self._lock.acquire(timeout=wait)

    def _resolve_locked(self, dotpath: str) -> Resolution:
        cached = self.cache.get(dotpath) if self.cache is not None else None
        if cached is not None:
            return cached
        self.loader.touched.clear()
        budget = Budget()
        try:
            ref = self.loader.lookup(dotpath, budget)
            result = Resolution(dotpath, Status.OK, self.builder.build(dotpath, ref, budget))
        except Missing as missing:
            result = self._missing(dotpath, missing)
        except RecursionError:
            result = Resolution(dotpath, Status.UNREADABLE, message="resolution went too deep")
        if self.cache is not None:
            self.cache.put(result, sorted(self.loader.touched))
        return result

    def _missing(self, dotpath: str, missing: Missing) -> Resolution:
        # A top-level module found nowhere stays NOT_INSTALLED, with no guess: `tokenizer` is not a
        # misspelt `tokenizers` but a module of the user's that is not on the path we searched.
        candidates = () if missing.status is Status.NOT_INSTALLED else tuple(missing.candidates)
        return Resolution(dotpath, missing.status, None, missing.segment, candidates, missing.message)

    def add_local_root(self, folder: Path, wait: bool | float = True) -> None:
        """Search `folder` (a config's own folder, which `tune run` may run from) for modules found
        nowhere else; what was not found before is looked up again. Not added when the loader was
        not had within `wait` (the next view tries again)."""
        known = folder in self.finder.local_roots or folder in self.env.search_path
        if known or not folder.is_dir() or not self._acquire(wait):  # (a stat, not the lock, per keystroke)
            return
        try:
            if self.finder.add_local_root(folder):
                self.loader.forget_missing()
                self.imports.forget()
                self._known = {d: r for d, r in self._known.items() if r.status is not Status.NOT_INSTALLED}
                self._listings.pop("", None)
        finally:
            self._lock.release()

    def warm(self, dotpaths: Iterable[str], done: Callable[[list[str]], None] | None = None) -> threading.Thread:
        """Resolve `dotpaths` in a background thread, with the public paths of the private ones (the
        checks look those up next); `done` gets those it resolved."""
        todo = [d for d in dict.fromkeys(dotpaths) if d not in self._known]

        def work() -> None:
            finished = []
            for dotpath in todo:
                package, chain = requested(dotpath), imports_requested(dotpath)
                try:
                    if package is not None:
                        self.names(package)
                    elif chain is not None:
                        self.imports.check(chain)
                    else:
                        self.resolve(dotpath)
                        self.public_path(dotpath)  # what the private-dotpath check looks up next
                    finished.append(dotpath)
                except Exception:
                    log.exception("resolving %s failed", dotpath)
                time.sleep(0.001)  # let a request waiting for the loader have it
            if self.cache is not None:
                self.cache.flush()
            if done is not None and finished:
                done(finished)

        thread = threading.Thread(target=work, name="tuneconf-index", daemon=True)
        thread.start()
        return thread

    def names(self, package: str, wait: bool = True) -> NameIndex | None:
        """The public names of a top-level package (index/names.py): from memory, the disk cache, or
        read (torchtune ~0.15 s, torchao ~0.5 s, torch ~3 s). Without `wait`, only what is in memory (None
        otherwise: the check that asked defers to `warm`), as reading even the disk costs a keystroke."""
        known = self._names.get(package)
        if known is not None or not wait:
            return known
        with self._names_lock:
            if package not in self._names:
                self._names[package] = self._read_names(package)
            return self._names[package]

    def dependencies(self, dotpath: str, wait: bool = True) -> Checked | None:
        """Whether importing a resolved callable's module needs a package that is not installed
        (index/imports.py). Without `wait`, only what is known (None otherwise: the check defers)."""
        return self.imports.check(dotpath) if wait else self.imports.known(dotpath)

    def _read_names(self, package: str) -> NameIndex:
        cached = self.cache.get_names(package) if self.cache is not None else None
        if cached is not None:
            return cached
        start = time.monotonic()
        names, deps = build(self.finder, package)
        log.info("read the names of %s in %.2f s (%d)", package, time.monotonic() - start, len(names.entries))
        if self.cache is not None:
            self.cache.put_names(names, deps)
        return names

    def listing(self, module: str, wait: bool | float = True) -> ModuleListing | None:
        """The members and submodules of a module or package (None when it is not one)."""
        return self._memoised(self._listings, module, self._list_locked, wait)

    def top_level(self) -> list[str]:
        return self.finder.top_level_names()

    def _list_locked(self, module: str) -> ModuleListing | None:
        if not module:
            return ModuleListing([Member(n, "module", not n.startswith("_")) for n in self.top_level()])
        try:
            ref = self.loader.lookup(module, Budget())
        except (Missing, RecursionError):
            return None
        if isinstance(ref, CompiledRef) or not isinstance(ref, ModuleRef):
            return None
        return ModuleListing(self._members(ref))

    def _members(self, ref: ModuleRef) -> list[Member]:
        visited = ref.visited
        exports = set(self.loader.exported_names(visited))
        members: dict[str, Member] = {}
        for name, obj in visited.module.members.items() if visited.module is not None else []:
            if "/" in name:
                continue
            if obj.is_alias:
                target = str(getattr(obj, "target_path", ""))
                if name not in exports and not _same_package(target, ref.path):
                    continue  # imports such as typing.List are not the module's own members
                kind = self._alias_kind(target)
            else:
                kind = {"function": "function", "class": "class", "module": "module"}.get(obj.kind.value, "attribute")
            members[name] = Member(name, kind, _public(name, exports))
        for name in self.finder.submodules(visited.file):
            if name not in members:
                members[name] = Member(name, "module", not name.startswith("_"))
        return sorted(members.values(), key=lambda m: m.name)

    def _alias_kind(self, target: str) -> str:
        if self.finder.find(target) is not None:
            return "module"
        last = target.rsplit(".", 1)[-1]
        return "class" if last[:1].isupper() and not last.isupper() else "function"

    def public_path(self, dotpath: str, wait: bool | float = True) -> str | None:
        """A public path naming the same object as a private `dotpath` (the re-export users should use)."""
        return public_path(dotpath, lambda candidate: self.resolve(candidate, wait))


def public_path(dotpath: str, resolve: Resolver) -> str | None:
    """A public path naming the same object as a private `dotpath`, by `resolve` (which may not know
    a candidate yet: then that candidate is passed over)."""
    parts = dotpath.split(".")
    first_private = next((i for i, p in enumerate(parts) if p.startswith("_")), None)
    if first_private is None:
        return None
    resolved = resolve(dotpath)
    if resolved is None or resolved.symbol is None:
        return None
    target = resolved.symbol.target
    for depth in range(first_private, 0, -1):
        candidate = ".".join(parts[:depth] + parts[-1:])
        if candidate == dotpath or any(p.startswith("_") for p in candidate.split(".")):
            continue
        other = resolve(candidate)
        if other is not None and other.symbol is not None and other.symbol.target == target:
            return candidate
    return None


def check_syntax(dotpath: str) -> Resolution | None:
    """A Resolution for dotpaths that cannot be imported at all (empty segments, odd characters)."""
    if not dotpath:
        return Resolution(dotpath, Status.INVALID, message="the dotpath is empty")
    if len(dotpath) > MAX_DOTPATH:
        return Resolution(dotpath, Status.INVALID, message=f"the dotpath is {len(dotpath):,} characters long")
    for index, segment in enumerate(dotpath.split(".")):
        if not segment:
            what = "leading dot (relative imports are not supported)" if index == 0 else "empty segment"
            return Resolution(dotpath, Status.INVALID, segment=index, message=f"the dotpath has a {what}")
        if not segment.isidentifier():
            return Resolution(dotpath, Status.INVALID, segment=index, message=f"'{segment}' is not a Python name")
    return None


def _public(name: str, exports: set[str]) -> bool:
    return name in exports if exports else not name.startswith("_")


def _same_package(target: str, module: str) -> bool:
    return target.split(".", 1)[0] == module.split(".", 1)[0]
