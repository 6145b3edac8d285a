"""Where a YAML file sits in a Hydra project (Root, Place) and what one Hydra config's checks and features
consult (HydraInfo); hydra/workspace.py finds them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tuneconf.hydra.callsites import CallSites
    from tuneconf.hydra.compose import Composition
    from tuneconf.hydra.defaults import Header
    from tuneconf.hydra.discover import EntryPoint

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Root:
    """A Hydra config folder: the folders searched for configs (itself first), the primary configs the
    entry points name, and those entry points."""

    folder: Path
    search: tuple[Path, ...]
    primaries: tuple[str, ...]
    entries: tuple[EntryPoint, ...] = ()
    version_base: str | None = None
    config_store: bool = False
    """The project's code uses Hydra's ConfigStore: groups and options may exist that are no files."""

    def relative(self, file: Path) -> str:
        """`file` as its config path under the first search folder holding it ("model/small.yaml")."""
        for folder in self.search:
            if file.is_relative_to(folder):
                return str(file.relative_to(folder))
        return file.name

    def entry_for(self, primary: str) -> EntryPoint | None:
        for entry in self.entries:
            if entry.config_name == primary:
                return entry
        return self.entries[0] if self.entries else None


@dataclass(frozen=True)
class Place:
    """Where a YAML file sits in a Hydra project."""

    root: Root
    file: Path
    group: str
    """The config group ("" for a file directly in the root folder): `model/net` for conf/model/net/a.yaml."""
    option: str
    """The file's name without its suffix: the option of its group (or the primary config's name)."""
    package: tuple[str, ...]
    """Where its content lands in the composed config, by Hydra's default rule and its `# @package` header."""
    header: Header | None = None

    @property
    def primary(self) -> bool:
        return self.group == "" and self.option in self.root.primaries

    @property
    def name(self) -> str:
        return f"{self.group}/{self.option}" if self.group else self.option


@dataclass
class HydraInfo:
    """What the checks and features of one Hydra config consult (AnalysisContext.hydra)."""

    place: Place | None
    """None: a `_target_` config outside any known Hydra root (then only its own content is known)."""
    sites: CallSites | None = None
    resolvers: frozenset[str] = frozenset()
    version_base: str | None = None
    _compose: Callable[[], tuple[Composition | None, bool]] | None = field(default=None, repr=False)
    _composition: Any = field(default=None, repr=False)
    _composed: bool = field(default=False, repr=False)
    _selected: bool = field(default=False, repr=False)

    @property
    def selected(self) -> bool:
        """The file is in no primary's own composition: it was composed selected by an override, so what
        the other groups choose is one choice among several (findings that depend on them are not certain)."""
        self.composition()
        return self._selected

    @property
    def package(self) -> tuple[str, ...]:
        return self.place.package if self.place is not None else ()

    def describe(self) -> str:
        """Where the config sits, for the outline: "primary config of src/train.py", "option small of
        group model", "a _target_ config outside any Hydra config folder"."""
        place = self.place
        if place is None:
            return "a _target_ config outside any Hydra config folder"
        if place.group:
            return f"option {place.option} of group {place.group}"
        entry = place.root.entry_for(place.option)
        return f"primary config of {entry.file.name}" if entry is not None else "top-level config"

    def package_certain(self) -> bool:
        """The composition puts this file's keys at `package` and nowhere else (`group@pkg` entries can
        place a group option elsewhere, or twice): paths computed from the package are then right."""
        composition = self.composition()
        if composition is None or self.place is None:
            return False
        package, file = self.place.package, self.place.file
        mine = [path for path, files in composition.origins.items() if file in files]
        return bool(mine) and all(tuple(path[: len(package)]) == package for path in mine)

    def forget(self) -> None:
        """Compose again when next asked (a file of the project changed on disk)."""
        self._composed = False
        self._composition = None

    def composition(self) -> Composition | None:
        """The composed primary config that includes this file (computed once per analysis)."""
        if not self._composed:
            self._composed = True
            try:
                if self._compose is not None:
                    self._composition, self._selected = self._compose()
            except Exception:  # a composition problem must never stop the checks
                log.exception("composition failed")
                self._composition = None
        result: Composition | None = self._composition
        return result


def package_of(group: str, header: Header | None) -> tuple[str, ...]:
    """Hydra 1.1+'s package of a group option: the header's, else the group's path, dotted."""
    value = header.value.strip() if header is not None else "_group_"
    dotted_group = group.replace("/", ".")
    parts: list[str] = []
    for segment in value.split("."):
        if segment == "_global_":
            continue
        if segment == "_group_":
            parts.extend(p for p in dotted_group.split(".") if p)
        elif segment:
            parts.append(segment)
    return tuple(parts)
