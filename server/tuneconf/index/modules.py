"""Finding a module's file on the search path, as Python's path finder would, without importing it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tuneconf.index.environment import Environment

_EXT_SUFFIXES = (".so", ".pyd")


@dataclass(frozen=True)
class ModuleFile:
    name: str
    """Full dotted name."""
    path: Path | None
    """The source (.py), stub (.pyi) or compiled file; None for a namespace package."""
    package_dirs: tuple[Path, ...]
    """Where its submodules live (empty for a plain module)."""
    compiled: bool = False

    @property
    def is_package(self) -> bool:
        return bool(self.package_dirs)


class ModuleFinder:
    def __init__(self, env: Environment) -> None:
        self.env = env
        self._cache: dict[str, ModuleFile | None] = {}
        self.local_roots: list[Path] = []
        """Folders `tune run` may run from besides the workspace folders (a config's own folder):
        searched after the environment, for regular modules and packages only (a plain folder of
        configs there is no evidence of a namespace package)."""

    def add_local_root(self, folder: Path) -> bool:
        """Search `folder` too; True when it is new (then names not found before may be found)."""
        if folder in self.local_roots or folder in self.env.search_path or not folder.is_dir():
            return False
        self.local_roots.append(folder)
        self._cache = {name: found for name, found in self._cache.items() if found is not None}
        return True

    def find(self, name: str) -> ModuleFile | None:
        if name in self._cache:
            return self._cache[name]
        parent, _, last = name.rpartition(".")
        found: ModuleFile | None = None
        if last.isidentifier():
            if not parent:
                found = self._find_in(name, last, self._roots(last))
                if found is None and self.local_roots:
                    found = self._find_in(name, last, self.local_roots, namespaces=False)
            else:
                outer = self.find(parent)
                if outer is not None and outer.package_dirs:
                    found = self._find_in(name, last, list(outer.package_dirs))
        self._cache[name] = found
        return found

    def submodules(self, module: ModuleFile) -> list[str]:
        """Names of the submodules and subpackages of a package, from the file system."""
        names: set[str] = set()
        for folder in module.package_dirs:
            try:
                entries = list(folder.iterdir())
            except OSError:
                continue
            for entry in entries:
                stem = entry.name.split(".", 1)[0]
                if not stem.isidentifier() or stem in ("__init__", "__pycache__"):
                    continue
                if (
                    (entry.is_dir() and not entry.name.startswith(".") and "." not in entry.name)
                    or entry.suffix in (".py", ".pyi")
                    or entry.name.endswith(_EXT_SUFFIXES)
                ):
                    names.add(stem)
        return sorted(names)

    def top_level_names(self) -> list[str]:
        names: set[str] = set(self.env.editable)
        for root in [*self.env.search_path, *self.local_roots]:
            local = root in self.local_roots
            try:
                for entry in root.iterdir():
                    stem = entry.name.split(".", 1)[0]
                    if stem.isidentifier() and (_is_package(entry, local) or entry.suffix in (".py", ".pyi")):
                        names.add(stem)
            except OSError:
                continue
        return sorted(names)

    def _roots(self, top: str) -> list[Path]:
        mapped = self.env.editable.get(top)
        roots = list(self.env.search_path)
        if mapped is not None:
            roots.insert(0, mapped.parent)
        return roots

    def _find_in(self, name: str, last: str, roots: list[Path], namespaces: bool = True) -> ModuleFile | None:
        namespace: list[Path] = []
        for root in roots:
            folder = root / last
            for init in ("__init__.py", "__init__.pyi"):
                if (folder / init).is_file():
                    return ModuleFile(name, folder / init, (folder,))
            for suffix in (".py", ".pyi"):
                if (root / f"{last}{suffix}").is_file():
                    return ModuleFile(name, root / f"{last}{suffix}", ())
            compiled = self._compiled(root, last)
            if compiled is not None:  # (a stub beside it was found above)
                return ModuleFile(name, compiled, (), compiled=True)
            if namespaces and folder.is_dir():
                namespace.append(folder)
        if namespace:
            return ModuleFile(name, None, tuple(namespace))
        return None

    @staticmethod
    def _compiled(root: Path, last: str) -> Path | None:
        try:
            for entry in root.glob(f"{last}.*"):
                if entry.name.endswith(_EXT_SUFFIXES) and entry.name.split(".", 1)[0] == last:
                    return entry
        except OSError:
            return None
        return None


def _is_package(entry: Path, regular_only: bool) -> bool:
    if not entry.is_dir():
        return False
    return not regular_only or (entry / "__init__.py").is_file() or (entry / "__init__.pyi").is_file()
