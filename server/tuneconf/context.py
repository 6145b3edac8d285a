"""The analysis context: what checks, completion, hover, definition, actions and the schema consult
beside the document (settings, the index, the recipe), and the per-section memo of check results."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from tuneconf.settings import Settings

if TYPE_CHECKING:  # imported where used: a server's first publish needs none of them (start-up)
    from tuneconf.document.parse import ParsedConfig
    from tuneconf.document.tree import Pair
    from tuneconf.hydra.workspace import HydraInfo
    from tuneconf.index.imports import Checked
    from tuneconf.index.names import NameIndex
    from tuneconf.index.records import ModuleListing, Resolution
    from tuneconf.recipes.analysis import RecipeUsage
    from tuneconf.recipes.catalog import RecipeInfo
    from tuneconf.recipes.registry import Registry

Resolver = Callable[[str], "Resolution | None"]
T = TypeVar("T")


def _nothing(_dotpath: str) -> Resolution | None:
    return None


@dataclass
class AnalysisContext:
    settings: Settings = field(default_factory=Settings)
    resolver: Resolver = _nothing
    """The index as checks use it: a dotpath's Resolution, or None while it is not known yet. Never
    waits in the server (the check is re-run once the index knows more); waits in the CLI."""
    waiting_resolver: Resolver = _nothing
    """The index as requests use it: may wait a moment for a resolution under way (never long)."""
    listing: Callable[[str], ModuleListing | None] = lambda _module: None
    """Members and submodules of a module ("" for the top-level names); None while not known."""
    names: Callable[[str], NameIndex | None] = lambda _package: None
    """The public names of a top-level package (where a moved name lives now); None while not read."""
    dependencies: Callable[[str], Checked | None] = lambda _dotpath: None
    """Whether a resolved callable's import chain lacks a package; None while not read."""
    workspace: tuple[Path, ...] = ()
    """The workspace folders (a copy of an installed package there runs only once installed)."""
    interpreter: str = ""
    """The interpreter whose environment was searched (for "not installed" messages)."""
    recipe: RecipeInfo | None = None
    """The recipe that runs this config, when known (recipe-level checks need it)."""
    supplies: RecipeUsage | None = None
    """What any recipe that might run the config passes itself (the registry's recipes together, plus a
    guessed recipe file): a required argument none of them passes is missing whichever runs it."""
    registry: Registry | None = None
    """The installed torchtune's registry (its built-in configs: where a copied config came from)."""
    run_folder: Path | None = None
    """The folder `tune run` runs from (the workspace folder holding the config): relative paths start there."""
    hydra: HydraInfo | None = None
    """A Hydra config: its place in the Hydra project, call sites, resolvers, composition (hydra/workspace.py)."""
    stat_budget_s: float = 0.05
    """How long path checks may wait for the file system per check run (then they say nothing)."""
    pending: set[str] = field(default_factory=set)
    """Dotpaths a check needed but the index did not know yet; the server resolves them and re-checks."""
    memo: dict[str, dict[int, tuple[Pair, list[Any]]]] = field(default_factory=dict)
    """Results per family and top-level section, kept across versions of a document (see `per_section`)."""
    _used: set[str] = field(default_factory=set)
    _deferred: int = 0
    """How often a check deferred: a section whose check deferred is not memoised, even when what it
    waits for is pending already for another section (then `pending` does not grow)."""

    def resolve_or_defer(self, dotpath: str) -> Resolution | None:
        """For checks: the Resolution, or None with the dotpath noted in `pending` (the server resolves
        it in the background and checks again). Never waits in the server."""
        result = self.resolver(dotpath)
        if result is None:
            self.pending.add(dotpath)
            self._deferred += 1
        return result

    def names_or_defer(self, package: str) -> NameIndex | None:
        """For checks: a package's public names, or None with the request noted in `pending` (read in
        the background with the dotpaths; then the document is checked again)."""
        result = self.names(package)
        if result is None:
            from tuneconf.index.names import request as names_request

            self.pending.add(names_request(package))
            self._deferred += 1
        return result

    def dependencies_or_defer(self, dotpath: str) -> Checked | None:
        """For checks: what importing `dotpath`'s module lacks, or None with the request noted in
        `pending` (read in the background; then the document is checked again)."""
        result = self.dependencies(dotpath)
        if result is None:
            from tuneconf.index.imports import request as imports_request

            self.pending.add(imports_request(dotpath))
            self._deferred += 1
        return result

    def wait_for(self, request: str) -> None:
        """Note in `pending` something a check missed and the server gets in the background (then checks
        again), e.g. the file system's answers (diagnostics/stats.py: STAT_REQUEST)."""
        self.pending.add(request)
        self._deferred += 1

    def resolve_or_wait(self, dotpath: str) -> Resolution | None:
        """For requests (completion, hover, definition, actions): may wait a moment for the index."""
        return self.waiting_resolver(dotpath)

    def per_section(
        self, family: str, doc: ParsedConfig, compute: Callable[[Pair], Iterable[T]], local: bool = False
    ) -> list[T]:
        """`compute` for each top-level section, reusing the last result for a section that did not change.

        An unchanged section is the very same Pair object (the parser caches sections by text and
        line). Results that waited on the index, or (unless `local`) that may depend on other
        sections through an interpolation, are not kept. A family name should carry whatever else
        its results depend on."""
        top = doc.mapping
        last = self.memo.get(family, {})
        kept: dict[int, tuple[Pair, list[Any]]] = {}
        results: list[T] = []
        for pair in top.pairs if top is not None else []:
            hit = last.get(id(pair))
            if hit is None or hit[0] is not pair:
                before = self._deferred
                found = list(compute(pair))
                results.extend(found)
                if self._deferred == before and (local or not _interpolates(doc, pair)):
                    kept[id(pair)] = (pair, found)
                continue
            kept[id(pair)] = hit
            if hit[1]:
                results.extend(hit[1])
        self.memo[family] = kept
        self._used.add(family)
        return results

    def forget_unused_sections(self) -> None:
        """Drop the families this run did not use (the sections that changed are gone already)."""
        for family in [f for f in self.memo if f not in self._used]:
            del self.memo[family]
        self._used = set()


def _interpolates(doc: ParsedConfig, pair: Pair) -> bool:
    first, last = pair.span.start_line, pair.span.end_line
    if first < 0:
        return True  # an override's node: not cached
    return any("${" in line for line in doc.lines[first : last + 1])
