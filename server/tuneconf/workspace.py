"""The workspace model: documents by (uri, version) → parsed config, findings; settings; folders.

Pure: the LSP shell and the CLI both drive it. Nothing here knows about pygls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from tuneconf.diagnostics import CheckContext, run_checks
from tuneconf.document.components import looks_like_config, matches_globs
from tuneconf.document.parse import ParsedConfig, parse
from tuneconf.findings import Finding
from tuneconf.settings import Settings


@dataclass
class ConfigView:
    """One version of one document, analysed lazily."""

    uri: str
    version: int | None
    parsed: ParsedConfig
    is_config: bool
    ctx: CheckContext
    _findings: list[Finding] | None = field(default=None, repr=False)

    def findings(self) -> list[Finding]:
        if self._findings is None:
            self._findings = run_checks(self.parsed, self.ctx) if self.is_config else []
        return self._findings


class Workspace:
    def __init__(self, settings: Settings | None = None, folders: list[Path] | None = None) -> None:
        self.settings = settings or Settings()
        self.folders = folders or []
        self._views: dict[str, ConfigView] = {}

    def configure(self, settings: Settings) -> None:
        self.settings = settings
        self._views.clear()

    def view(self, uri: str, version: int | None, text: str) -> ConfigView:
        """The analysis of this version of the document (cached until the next version)."""
        hit = self._views.get(uri)
        if hit is not None and version is not None and hit.version == version:
            return hit
        view = ConfigView(uri, version, parse(text), self.is_config(uri, text), CheckContext(self.settings))
        self._views[uri] = view
        return view

    def forget(self, uri: str) -> None:
        self._views.pop(uri, None)

    def is_config(self, uri: str, text: str) -> bool:
        """torchtune-style YAML: a component key, a `tune run` header, or a match of `tuneconf.files`."""
        if looks_like_config(text, self.settings.component_keys):
            return True
        if not self.settings.files:
            return False
        path = path_of(uri)
        relative = [str(Path(path).relative_to(f)) for f in self.folders if _inside(path, f)]
        return matches_globs(path, relative, self.settings.files)


def path_of(uri: str) -> str:
    parsed = urlparse(uri)
    return unquote(parsed.path) if parsed.scheme in ("file", "") else uri


def _inside(path: str, folder: Path) -> bool:
    try:
        Path(path).relative_to(folder)
    except ValueError:
        return False
    return True
