"""A disk cache of our extracted records (not griffe's JSON, which does not round-trip torch).

One file per (cache format, interpreter, import path); each entry records the files it was read
from with their mtime and size, and is used only while they are unchanged. That covers upgrades
of a package (its files change) and editable installs (their files change as you edit).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from tuneconf.index.names import NameIndex
from tuneconf.index.records import Forward, Location, Parameter, ParamKind, Resolution, Status, Symbol, TypeSpec

log = logging.getLogger(__name__)
FORMAT = 7  # 6: a class with a base that cannot be read has an unknown signature; 7: built-in modules are compiled
NAMES_FORMAT = 1


def default_directory() -> Path:
    configured = os.environ.get("TUNECONF_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "tuneconf"


class DiskCache:
    def __init__(self, directory: Path | None, env_key: str) -> None:
        digest = hashlib.sha256(f"{FORMAT}\0{env_key}".encode()).hexdigest()[:20]
        self.file = (directory / f"index-v{FORMAT}-{digest}.json") if directory is not None else None
        self._names_stem = (directory / f"names-v{NAMES_FORMAT}-{digest}") if directory is not None else None
        self._entries: dict[str, Any] | None = None
        self._dirty = False
        self._lock = threading.Lock()

    def get(self, dotpath: str) -> Resolution | None:
        entry = self._load().get(dotpath)
        if entry is None or not _fresh(entry["deps"]):
            return None
        try:
            return _resolution(entry["record"])
        except (KeyError, TypeError, ValueError):
            return None

    def put(self, resolution: Resolution, deps: list[Path]) -> None:
        if resolution.status in (Status.NOT_INSTALLED, Status.UNREADABLE) or self.file is None:
            return
        stamps = [_stamp(p) for p in deps]
        if any(s is None for s in stamps):
            return
        with self._lock:
            self._load()[resolution.dotpath] = {"deps": stamps, "record": _plain(resolution)}
            self._dirty = True

    def get_names(self, package: str) -> NameIndex | None:
        """A package's public names (index/names.py), while none of the files and folders read changed."""
        file = self._names_file(package)
        try:
            data = json.loads(file.read_text(encoding="utf-8")) if file is not None and file.is_file() else None
            if data is None or data.get("format") != NAMES_FORMAT or not _fresh(data["deps"]):
                return None
            return NameIndex(package, [(path, target) for path, target in data["entries"]], data["complete"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("ignoring an unreadable names cache %s: %s", file, exc)
            return None

    def put_names(self, names: NameIndex, deps: list[Path]) -> None:
        stamps = [_stamp(p) for p in deps]
        file = self._names_file(names.package)
        if file is None or not stamps or any(s is None for s in stamps):
            return  # (read from nothing: it could never go stale)
        data = {"format": NAMES_FORMAT, "deps": stamps, "entries": names.entries, "complete": names.complete}
        _write(file, json.dumps(data, separators=(",", ":")))

    def get_imports(self, module: str, path: Path) -> list[Any] | None:
        """A module's import lines (index/imports.py), while its file is unchanged."""
        entry = self._load().get(f"imports:{module}:{path}")
        if entry is None or not _fresh(entry["deps"]):
            return None
        record = entry.get("record")
        return record if isinstance(record, list) else None

    def put_imports(self, module: str, path: Path, lines: list[Any]) -> None:
        stamp = _stamp(path)
        if stamp is None or self.file is None:
            return
        with self._lock:
            self._load()[f"imports:{module}:{path}"] = {"deps": [stamp], "record": lines}
            self._dirty = True

    def _names_file(self, package: str) -> Path | None:
        return (
            None if self._names_stem is None else self._names_stem.with_name(f"{self._names_stem.name}-{package}.json")
        )

    def flush(self) -> None:
        """Write the cache if it changed (atomically: a crash leaves the old file)."""
        if self.file is None or not self._dirty:
            return
        with self._lock:
            data = json.dumps({"format": FORMAT, "entries": self._entries}, separators=(",", ":"))
            self._dirty = False
        _write(self.file, data)

    def _load(self) -> dict[str, Any]:
        if self._entries is None:
            self._entries = {}
            if self.file is not None and self.file.is_file():
                try:
                    data = json.loads(self.file.read_text(encoding="utf-8"))
                    if data.get("format") == FORMAT:
                        self._entries = data["entries"]
                except (OSError, ValueError, KeyError, TypeError) as exc:
                    log.warning("ignoring an unreadable index cache %s: %s", self.file, exc)
        return self._entries


def _write(file: Path, data: str) -> None:
    """Write atomically: a crash, or another server writing too, leaves a whole file."""
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".index-")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(data)
        os.replace(tmp, file)
    except OSError as exc:
        log.warning("cannot write the index cache %s: %s", file, exc)


def _stamp(path: Path) -> list[Any] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return [str(path), stat.st_mtime_ns, stat.st_size]


def _fresh(deps: list[list[Any]]) -> bool:
    return all(_stamp(Path(file)) == [file, mtime, size] for file, mtime, size in deps)


def _plain(resolution: Resolution) -> dict[str, Any]:
    symbol = resolution.symbol
    return {
        "dotpath": resolution.dotpath,
        "status": resolution.status.value,
        "segment": resolution.segment,
        "candidates": list(resolution.candidates),
        "message": resolution.message,
        "symbol": None if symbol is None else _plain_symbol(symbol),
    }


def _plain_symbol(symbol: Symbol) -> dict[str, Any]:
    return {
        "path": symbol.path,
        "target": symbol.target,
        "kind": symbol.kind,
        "callable": symbol.callable,
        "parameters": None if symbol.parameters is None else [_plain_param(p) for p in symbol.parameters],
        "doc": symbol.doc,
        "location": None if symbol.location is None else [symbol.location.file, symbol.location.line],
        "note": symbol.note,
        "forwards": [_plain_forward(f) for f in symbol.forwards],
        "accepts": list(symbol.accepts),
    }


def _plain_forward(forward: Forward) -> list[Any]:
    when = None if forward.when is None else list(forward.when)
    keywords = [list(k) for k in forward.keywords]
    return [forward.target, list(forward.passed), list(forward.positional), keywords, when]


def _plain_param(param: Parameter) -> dict[str, Any]:
    return {
        "name": param.name,
        "kind": param.kind.value,
        "annotation": param.annotation,
        "default": param.default,
        "doc": param.doc,
        "type": _plain_type(param.type),
        "line": param.line,
    }


def _plain_type(spec: TypeSpec) -> list[Any]:
    return [spec.kind, [_plain_type(a) for a in spec.args], list(spec.values), spec.name]


def _resolution(data: dict[str, Any]) -> Resolution:
    symbol = data["symbol"]
    return Resolution(
        data["dotpath"],
        Status(data["status"]),
        None if symbol is None else _symbol(symbol),
        data["segment"],
        tuple(data["candidates"]),
        data["message"],
    )


def _symbol(data: dict[str, Any]) -> Symbol:
    params = data["parameters"]
    location = data["location"]
    return Symbol(
        data["path"],
        data["target"],
        data["kind"],
        data["callable"],
        None if params is None else tuple(_param(p) for p in params),
        data["doc"],
        None if location is None else Location(location[0], location[1]),
        data["note"],
        tuple(_forward(f) for f in data["forwards"]),
        tuple(data["accepts"]),
    )


def _forward(data: list[Any]) -> Forward:
    target, passed, positional, keywords, when = data
    pairs = tuple((k, v) for k, v in keywords)
    return Forward(target, tuple(passed), tuple(positional), pairs, None if when is None else (when[0], when[1]))


def _param(data: dict[str, Any]) -> Parameter:
    return Parameter(
        data["name"],
        ParamKind(data["kind"]),
        data["annotation"],
        data["default"],
        data["doc"],
        _type(data["type"]),
        data["line"],
    )


def _type(data: list[Any]) -> TypeSpec:
    kind, args, values, name = data
    return TypeSpec(kind, tuple(_type(a) for a in args), tuple(values), name)
