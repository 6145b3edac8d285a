"""What checks may consult beside the document."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tuneconf.index.model import ModuleListing, Resolution
from tuneconf.recipes.catalog import RecipeInfo
from tuneconf.settings import Settings

Resolver = Callable[[str], "Resolution | None"]


def _nothing(_dotpath: str) -> Resolution | None:
    return None


@dataclass
class CheckContext:
    settings: Settings = field(default_factory=Settings)
    resolve: Resolver = _nothing
    """The index: a dotpath's Resolution, or None while it is not known yet (the check skips it)."""
    resolve_now: Resolver = _nothing
    """The index for a request: may wait a moment for the loader (the server never waits long)."""
    public_path: Callable[[str], str | None] = lambda _dotpath: None
    """A public path naming the same object as a private dotpath, when one exists."""
    listing: Callable[[str], ModuleListing | None] = lambda _module: None
    """Members and submodules of a module ("" for the top-level names); None while not known."""
    interpreter: str = ""
    recipe: RecipeInfo | None = None
    """The recipe that runs this config, when known (recipe-level checks need it)."""
    """The interpreter whose environment was searched (for "not installed" messages)."""
    pending: set[str] = field(default_factory=set)
    """Dotpaths a check needed but the index did not know yet; the server resolves them and re-checks."""

    def lookup(self, dotpath: str) -> Resolution | None:
        result = self.resolve(dotpath)
        if result is None:
            self.pending.add(dotpath)
        return result
