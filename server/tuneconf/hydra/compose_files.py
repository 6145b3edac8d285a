"""The config files of a Hydra search path, as Hydra's file config source sees them, loaded once per version.

A config path (`db/mysql`) names `<root>/db/mysql.yaml` in the first root that has it (`.yml` too for
version_base 1.1); a group is a folder in any root, and its options are the union of the roots' config
files. A file is read once per (mtime, size): its text parsed with our parser (defaults list and header
with spans) and its values loaded with OmegaConf, as Hydra loads them, interpolations unresolved.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException
from yaml import YAMLError

from tuneconf.document.parse import ParsedConfig, parse
from tuneconf.document.tree import Span
from tuneconf.document.values import check_expansion
from tuneconf.files import read_text
from tuneconf.hydra.defaults import Entry, coded_problems, entries, package_header

CACHE_SIZE = 1024


@dataclass
class LoadedConfig:
    """One config file as Hydra loads it."""

    path: Path
    doc: ParsedConfig
    content: Any
    """Its values without the top-level `defaults` (a dict for a mapping, None when it could not be loaded)."""
    entries: list[Entry]
    header: str | None
    """The `# @package` value."""
    has_content: bool
    """Hydra's `_has_config_content`: a key other than `defaults` whose value is not `???`."""
    problems: list[tuple[Span | None, str, str]] = field(default_factory=list)
    """(span, code, message): why Hydra would refuse to load it (YAML errors, defaults entries, header)."""


_cache: OrderedDict[tuple[str, int, int], LoadedConfig] = OrderedDict()
_lock = threading.Lock()


def load_file(path: Path, config_path: str, text: str | None = None) -> LoadedConfig:
    """The file at `path` (read from disk unless `text` is given), cached by (path, mtime, size)."""
    if text is not None:
        return _load(path, config_path, text)
    try:
        stat = path.stat()
    except OSError as exc:
        return _failed(path, f"Could not read {path.name}: {exc.strerror}")
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    text, problem = read_text(path)  # a regular file within the size every config read has
    if text is None:
        return _failed(path, f"Could not read {path.name}: {problem}")
    loaded = _load(path, config_path, text)
    with _lock:
        _cache[key] = loaded
        if len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return loaded


def _failed(path: Path, message: str) -> LoadedConfig:
    return LoadedConfig(path, parse(""), None, [], None, False, [(None, "load-error", message)])


def _load(path: Path, config_path: str, text: str) -> LoadedConfig:
    doc = parse(text)
    header = package_header(doc.lines)
    found: list[tuple[Span | None, str, str]] = list(coded_problems(doc, config_path))
    content: Any = None
    try:
        check_expansion(doc.root)  # within OmegaConf's node limit and tuneconf's own (an alias bomb)
        cfg = OmegaConf.create(text) if text.strip() else OmegaConf.create()
        content = OmegaConf.to_container(cfg, resolve=False)
    except (OmegaConfBaseException, YAMLError, ValueError, TypeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        found.append((None, "load-error", f"Error loading '{config_path}': {first}"))
    has_content = False
    if isinstance(content, dict):
        content.pop("defaults", None)
        has_content = any(v != "???" for v in content.values())
    listed = entries(doc) or []
    return LoadedConfig(path, doc, content, listed, header.value if header else None, has_content, found)


class Repository:
    """The configs and groups under a search path (roots in order; the first root with a config wins)."""

    def __init__(
        self,
        roots: Sequence[Path],
        version_base: tuple[int, int],
        texts: Mapping[Path, str] | None = None,
    ) -> None:
        self.roots = [Path(r) for r in roots]
        self.version_base = version_base
        self.texts = dict(texts or {})
        self._files: dict[str, Path | None] = {}

    def normalize(self, config_path: str) -> str:
        """Hydra's file name for a config path: `.yaml` added unless present (`.yml` kept before 1.2)."""
        if config_path.endswith(".yaml"):
            return config_path
        if self.version_base < (1, 2) and config_path.endswith(".yml"):
            return config_path
        return config_path + ".yaml"

    def config_file(self, config_path: str) -> Path | None:
        """The file of a config path, from the first root that has it."""
        if config_path in self._files:
            return self._files[config_path]
        name = self.normalize(config_path)
        found = None
        for root in self.roots:
            candidate = root / name
            if candidate in self.texts or os.path.isfile(candidate):
                found = candidate
                break
        self._files[config_path] = found
        return found

    def group_exists(self, group: str) -> bool:
        """True when some root has the folder `group`."""
        return any(os.path.isdir(root / group) for root in self.roots)

    def group_options(self, group: str) -> list[str]:
        """The options of a group in all roots, sorted, as Hydra lists them."""
        names: set[str] = set()
        for root in self.roots:
            folder = root / group
            if not os.path.isdir(folder):
                continue
            for entry in os.listdir(folder):
                if entry in ("__pycache__", "__init__.py"):
                    continue
                normalized = self.normalize(f"{group}/{entry}" if group else entry)
                if os.path.isfile(root / normalized):
                    names.add(entry[: entry.rfind(".")] if "." in entry else entry)
        return sorted(names)

    def subgroups(self, group: str) -> list[str]:
        """The sub-folders of a group in all roots, sorted."""
        names: set[str] = set()
        for root in self.roots:
            folder = root / group
            if os.path.isdir(folder):
                names.update(e for e in os.listdir(folder) if e != "__pycache__" and os.path.isdir(folder / e))
        return sorted(names)

    def load(self, config_path: str) -> LoadedConfig | None:
        """The config at `config_path`, or None when no root has it."""
        path = self.config_file(config_path)
        if path is None:
            return None
        return load_file(path, config_path, self.texts.get(path))

    def describe(self) -> str:
        """The search path as Hydra lists it in its errors (its own package and structured configs aside)."""
        return "\n".join(f"\tprovider=main, path=file://{root}" for root in self.roots)
