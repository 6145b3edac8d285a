"""The analysed project: its settings, the index of its environment, its recipe catalog, and the
analysis of each document by (uri, version) → parsed config, context, findings.

Pure: the LSP shell and the CLI both drive it. Nothing here knows about pygls (whose own
`ls.workspace` is the editor's text documents; this is `ls.project`).
"""

from __future__ import annotations

import itertools
import logging
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

from tuneconf.context import AnalysisContext
from tuneconf.diagnostics import run_checks
from tuneconf.document.components import looks_like_config, matches_globs
from tuneconf.document.parse import ParsedConfig, parse
from tuneconf.document.templates import Template, checked, stand_ins
from tuneconf.files import read_text, yaml_files
from tuneconf.findings import Finding, placed
from tuneconf.pyproject import with_project
from tuneconf.settings import Settings

if TYPE_CHECKING:  # imported where first used: a server's first publish needs none of them (start-up)
    from tuneconf.hydra.workspace import HydraInfo, HydraWorkspace
    from tuneconf.index.service import Index
    from tuneconf.overrides import Merged
    from tuneconf.recipes.catalog import Catalog

log = logging.getLogger(__name__)
MAX_SCANNED_FILES = 2000
REQUEST_WAIT_S = 0.25
STAT_BUDGET_S = 5.0
KEYSTROKE_STAT_BUDGET_S = 0.05
WARMING = "warming:"
"""A pending request of a document analysed before the project is warm (see `Project.warm_up`)."""
QUICK_FAMILIES = ("syntax", "structure")
"""What a document gets before the project is warm: the findings that need neither the environment nor
the recipes (which a cold start reads in the background: the environment probe and the registry's recipes
take most of a second on a slow machine; the first publish should not wait for them)."""
OPEN_STAT_BUDGET_S = 1.0
"""Path checks wait this long for the file system: the CLI a while, the server a keystroke's worth, and
on a document's first analysis (just opened: its paths were never asked, and a background thread parsing
a large module can hold Python for tens of milliseconds) up to a second, so it opens with its answers."""


@dataclass
class ConfigView:
    """One version of one document, analysed lazily."""

    uri: str
    version: int | None
    parsed: ParsedConfig
    is_config: bool
    ctx: AnalysisContext
    template: Template | None = None
    """Jinja placeholders: `parsed` is the text with stand-ins (document/templates.py)."""
    quick: bool = False
    """Analysed before the project was warm: only QUICK_FAMILIES, and checked again once it is."""
    _findings: list[Finding] | None = field(default=None, repr=False)

    def findings(self) -> list[Finding]:
        if self._findings is None:
            self.ctx.pending.clear()
            only = QUICK_FAMILIES if self.quick else None
            self._findings = self.templated(run_checks(self.parsed, self.ctx, only)) if self.is_config else []
            self.ctx.forget_unused_sections()
            if self.quick:
                self.ctx.pending.add(WARMING)
        return self._findings

    def templated(self, findings: list[Finding]) -> list[Finding]:
        """Without the findings a placeholder caused, with the template's one information."""
        return checked(self.template, findings) if self.template is not None else findings

    def forget_findings(self) -> None:
        self._findings = None


class Project:
    def __init__(
        self,
        settings: Settings | None = None,
        folders: list[Path] | None = None,
        blocking: bool = True,
        cache_dir: Path | None = None,
    ) -> None:
        self.folders = folders or []
        self._client_settings = settings or Settings()
        self.settings = with_project(self._client_settings, self.folders)
        """The client's (or the CLI's) settings, completed by `[tool.tuneconf]` in pyproject.toml."""
        self.blocking = blocking
        """Blocking (the CLI) resolves dotpaths on demand; the server never waits on the index."""
        self.cache_dir = cache_dir
        """The index's disk cache (None: the default folder, index/cache.py)."""
        self._index: Index | None = None
        self._catalog: Catalog | None = None
        self._views: dict[str, ConfigView] = {}
        self._building = threading.RLock()
        """Held while the index or the catalog is made (the warm-up thread and a request may both ask)."""
        self._warm: int | None = None
        self._generation = 0
        self._hydra: HydraWorkspace | None = None
        self._hydra_key: tuple[object, ...] = ()

    @property
    def index(self) -> Index:
        """The index of the target environment, probed on first use."""
        with self._building:
            if self._index is None:
                from tuneconf.index.cache import DiskCache, default_directory
                from tuneconf.index.environment import probe
                from tuneconf.index.service import Index

                env = probe(self.settings.interpreter or None, self.folders)
                self._index = Index(env, DiskCache(self.cache_dir or default_directory(), env.key))
            return self._index

    def configure(self, settings: Settings) -> None:
        """New settings. The same ones (VS Code sends them right after start) change nothing; only another
        interpreter, recipe globs or Hydra settings make the project cold again (the index, the catalog or
        the Hydra projects are read anew, on the warm-up thread)."""
        with self._building:
            self._client_settings = settings
            settings = with_project(settings, self.folders)
            if settings == self.settings:
                return
            # what warm-up reads again: the environment, the recipes, the Hydra projects (a workspace scan)
            cold = _warm_inputs(settings) != _warm_inputs(self.settings)
            if settings.interpreter != self.settings.interpreter:
                self._index = None
            if (settings.interpreter, settings.recipes) != (self.settings.interpreter, self.settings.recipes):
                self._catalog = None
            if cold:
                self._generation += 1
            self.settings = settings
            self._views.clear()

    @property
    def catalog(self) -> Catalog:
        """The recipes of the target environment and the workspace."""
        with self._building:
            if self._catalog is None or self._catalog.finder is not self.index.finder:
                from tuneconf.recipes.catalog import Catalog

                self._catalog = Catalog(self.index.finder, self.folders, dict(self.settings.recipes))
            return self._catalog

    @property
    def hydra(self) -> HydraWorkspace:
        """The workspace's Hydra projects (entry points, config roots, call sites, compositions)."""
        with self._building:
            key = (tuple(self.folders), self.settings.hydra_roots)
            if self._hydra is None or self._hydra_key != key:  # folders or roots changed: read anew
                from tuneconf.hydra.workspace import HydraWorkspace

                self._hydra, self._hydra_key = HydraWorkspace(*key), key
            return self._hydra

    def hydra_info(self, uri: str, text: str) -> HydraInfo | None:
        """The Hydra facts of a document, when it is a Hydra config (tuneconf.hydra on)."""
        if not self.settings.hydra or not uri.startswith("file:") or uri.endswith((".py", ".pyi")):
            return None
        try:
            return self.hydra.info(Path(path_of(uri)), text, self.settings.component_keys)
        except Exception:  # Hydra facts must never stop the analysis of a document
            log.exception("reading the Hydra project of %s failed", uri)
            return None

    @property
    def warm(self) -> bool:
        """Whether a document's full analysis is ready to run at keystroke cost (always, in the CLI)."""
        return self.blocking or self._warm == self._generation

    def warm_up(self) -> None:
        """Probe the environment, load the recipe registry and read what its recipes read and supply:
        what every full analysis needs first (the server runs this on a background thread at start).
        Warm afterwards even if it failed: the full analysis then runs (and fails, logged) on demand."""
        generation = self._generation
        try:
            self.catalog.registry_supplies()
            if self.settings.hydra:
                self.hydra.roots()
        finally:
            self._warm = generation

    def context(self) -> AnalysisContext:
        """Checks never wait for the index in the server (they re-run once it knows more); requests
        (completion, hover, definition) wait a moment for a background resolution to let go."""
        index = self.index
        check_wait: bool | float = self.blocking
        request_wait: bool | float = True if self.blocking else REQUEST_WAIT_S
        return AnalysisContext(
            settings=self.settings,
            resolver=lambda dotpath: index.resolve(dotpath, check_wait),
            waiting_resolver=lambda dotpath: index.resolve(dotpath, request_wait),
            listing=lambda module: index.listing(module, request_wait),
            names=lambda package: index.names(package, self.blocking),
            dependencies=lambda dotpath: index.dependencies(dotpath, self.blocking),
            interpreter=index.env.interpreter,
            workspace=tuple(self.folders),
        )

    def view(self, uri: str, version: int | None, text: str, config: bool = False, quick: bool = False) -> ConfigView:
        """The analysis of this version of the document (cached until the next version). `config`:
        analyse it as a config even when nothing marks it as one (an explicit check or run); such a
        view does not take the place of the document's own. `quick`: while the project is not warm,
        a view with the findings that need neither the environment nor the recipes (not cached)."""
        if quick and not self.warm:
            template = stand_ins(text)
            parsed = parse(template.text if template is not None else text)
            ctx = AnalysisContext(settings=self.settings)
            return ConfigView(uri, version, parsed, self.is_config(uri, text) or config, ctx, template, quick=True)
        hit = self._views.get(uri)
        if hit is not None and version is not None and hit.version == version and (hit.is_config or not config):
            return hit
        marked = self.is_config(uri, text)
        ctx = self.context()
        if hit is not None:
            ctx.memo = hit.ctx.memo  # section results carry over to the next version
        hydra = self.hydra_info(uri, text) if (marked or config or self._hydra_marked(uri, text)) else None
        marked = marked or hydra is not None
        if hydra is not None:
            self._hydra_context(ctx, hydra, Path(path_of(uri)))
        elif marked or config:
            path = Path(path_of(uri)) if uri.startswith("file:") else None
            if path is not None:  # `tune run` puts the folder it runs from on sys.path: its modules resolve
                for folder in [path.parent, *self.catalog.launches.run_folders(path)]:
                    self.index.add_local_root(folder, True if self.blocking else REQUEST_WAIT_S)
            ctx.recipe = self.catalog.for_config(text, path)
            ctx.registry = self.catalog.registry
            ctx.run_folder = folder_of(path, self.folders) if path is not None else None
            keystroke = KEYSTROKE_STAT_BUDGET_S if hit is not None else OPEN_STAT_BUDGET_S
            ctx.stat_budget_s = STAT_BUDGET_S if self.blocking else keystroke
            ctx.supplies = ctx.recipe.supplies if ctx.recipe is not None else self.catalog.registry_supplies()
        template = stand_ins(text)
        parsed = parse(template.text if template is not None else text)
        view = ConfigView(uri, version, parsed, marked or config, ctx, template)
        if marked or not config:
            self._views[uri] = view
        return view

    def hydra_files_changed(self, paths: Sequence[str], refreshed: Callable[[], None] | None = None) -> bool:
        """Files saved, created or deleted: True when Hydra configs must be checked again (their
        compositions, entry points or call sites may have changed). `refreshed`: the server's; a
        workspace rescan then runs on a thread, which calls it when done (check the documents again)."""

        def forget() -> None:
            for view in self.views():
                if view.ctx.hydra is not None:
                    view.ctx.hydra.forget()

        def done() -> None:
            forget()
            if refreshed is not None:
                refreshed()

        if self._hydra is None:
            return False
        if not self._hydra.changed([Path(p).resolve() for p in paths], done if refreshed is not None else None):
            return False
        forget()
        return True

    def _hydra_marked(self, uri: str, text: str) -> bool:
        """A YAML file under a Hydra config root (a group option has no `_target_` of its own)."""
        if not self.settings.hydra or not uri.startswith("file:") or not uri.endswith((".yaml", ".yml")):
            return False
        return self.hydra.place(Path(path_of(uri))) is not None

    def _hydra_context(self, ctx: AnalysisContext, hydra: HydraInfo, path: Path) -> None:
        """A Hydra config: `_target_` is a component key, no torchtune recipe runs it, and modules
        resolve from the entry points' folders (`python src/train.py` puts src/ on sys.path)."""
        import dataclasses

        keys = ctx.settings.component_keys
        ctx.settings = dataclasses.replace(ctx.settings, component_keys=(*keys, "_target_"))
        ctx.hydra = hydra
        wait: bool | float = True if self.blocking else REQUEST_WAIT_S
        roots = [entry.file.parent for entry in hydra.place.root.entries] if hydra.place is not None else []
        for folder in dict.fromkeys([path.parent, *roots]):
            self.index.add_local_root(folder, wait)
        ctx.run_folder = folder_of(path, self.folders)
        keystroke = KEYSTROKE_STAT_BUDGET_S if ctx.memo else OPEN_STAT_BUDGET_S
        ctx.stat_budget_s = STAT_BUDGET_S if self.blocking else keystroke

    def findings_with(self, view: ConfigView, overrides: list[str], merged: Merged | None = None) -> list[Finding]:
        """The findings of the config as `tune run ... OVERRIDES` would run it (`merged`: the overrides
        already merged into it)."""
        if not overrides:
            return view.findings()
        hydra = view.ctx.hydra
        if hydra is not None and hydra.place is not None:  # Hydra's grammar, checked by composing with them
            from tuneconf.hydra.override_check import override_findings

            found = view.findings() + override_findings(self.hydra, hydra.place, overrides)
            return sorted(found, key=lambda f: (f.file or "", f.span.start, f.code))
        from tuneconf.overrides import merge

        merged = merged if merged is not None else merge(view.parsed, overrides)
        found = view.templated(run_checks(merged.doc, view.ctx)) + [placed(f) for f in merged.findings]
        return sorted(found, key=lambda f: (f.file or "", f.span.start, f.code))

    def views(self) -> list[ConfigView]:
        return list(self._views.values())

    def save(self) -> None:
        """Write what the index learnt to its disk cache."""
        if self._index is not None and self._index.cache is not None:
            self._index.cache.flush()

    def forget(self, uri: str) -> None:
        self._views.pop(uri, None)

    def is_config(self, uri: str, text: str) -> bool:
        """torchtune-style YAML: a component key, a `tune run` header, or a match of `tuneconf.files`."""
        if uri.endswith((".py", ".pyi")):  # a client attaching the server to Python files: Python is Pylance's
            return False
        keys = (*self.settings.component_keys, "_target_") if self.settings.hydra else self.settings.component_keys
        if looks_like_config(text, keys):
            return True
        if not self.settings.files:
            return False
        path = path_of(uri)
        relative = [str(Path(path).relative_to(f)) for f in self.folders if _inside(path, f)]
        return matches_globs(path, relative, self.settings.files)

    def workspace_dotpaths(self) -> list[str]:
        """The dotpaths named in the workspace's YAML files: what to index first."""
        pattern = dotpath_pattern(self.settings.component_keys + self.settings.dotpath_keys)
        found: dict[str, None] = {}
        for file in self._yaml_files():
            text, _ = read_text(file)  # regular files only: a FIFO or /dev/zero must not stall the scan
            if text is not None:
                found.update(dict.fromkeys(pattern.findall(text)))
        return list(found)

    def _yaml_files(self) -> Iterator[Path]:
        files = (file for folder in self.folders for file in yaml_files(folder, _unlisted))
        return itertools.islice(files, MAX_SCANNED_FILES)


def _warm_inputs(settings: Settings) -> tuple[object, ...]:
    return settings.interpreter, settings.recipes, settings.hydra, settings.hydra_roots


def dotpath_pattern(keys: Sequence[str]) -> re.Pattern[str]:
    """`KEY: dotted.name` on one line, for any of `keys`; the name is captured."""
    # [ \t], never \s: the value is on the key's line.
    alternatives = "|".join(re.escape(k) for k in keys)
    return re.compile(rf"(?:{alternatives})[ \t]*:[ \t]*['\"]?([A-Za-z_][\w.]*)")


def _unlisted(error: OSError) -> None:
    log.warning("workspace scan: cannot list %s: %s", error.filename, error.strerror or error)


def folder_of(path: Path, folders: list[Path]) -> Path:
    """The workspace folder holding `path` (runs start there), else the file's own folder."""
    resolved = path.resolve()
    for folder in sorted(folders, key=lambda f: len(str(f)), reverse=True):
        if _inside(str(resolved), folder.resolve()):
            return folder.resolve()
    return resolved.parent


def workspace_folder(uri: str) -> Path | None:
    """The folder a workspace URI names; a relative one (`file://.`) against the working directory;
    None, logged, when it names no folder here (`untitled:`, a missing folder)."""
    if not uri:
        return None
    folder = Path(path_of(uri) or ".").resolve() if uri.startswith("file:") else None
    if folder is None or not folder.is_dir():
        log.warning("workspace folder %r is not a folder here; it is left out", uri)
        return None
    return folder


def path_of(uri: str) -> str:
    parsed = urlparse(uri)
    return unquote(parsed.path) if parsed.scheme in ("file", "") else uri


def _inside(path: str, folder: Path) -> bool:
    try:
        Path(path).relative_to(folder)
    except ValueError:
        return False
    return True
