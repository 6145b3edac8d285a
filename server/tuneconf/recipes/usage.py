"""What a recipe reads from its config and passes to `config.instantiate` (RecipeUsage): the data that
recipes/analysis.py fills and the recipe checks read."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tuneconf.document.tree import KeyPath

ITEM = "*"


@dataclass(frozen=True)
class Read:
    path: KeyPath
    line: int
    required: bool


@dataclass(frozen=True)
class Instantiate:
    """`config.instantiate(<path>, *positional, **keywords)` somewhere in the recipe."""

    path: KeyPath
    positional: int
    keywords: tuple[str, ...]
    line: int
    unpacked: bool = False
    """`*args` or `**kwargs` at the call: what it supplies is not known."""


@dataclass
class RecipeUsage:
    file: Path
    reads: list[Read] = field(default_factory=list)
    instantiations: list[Instantiate] = field(default_factory=list)
    escapes: bool = False
    """The whole config goes to code that cannot be followed (which may read any key)."""
    error: str = ""

    def required_keys(self) -> dict[str, Read]:
        """Top-level keys read unconditionally, with the first line that reads each."""
        found: dict[str, Read] = {}
        for read in sorted(self.reads, key=lambda r: r.line):
            if read.required and len(read.path) == 1 and read.path[0] not in found:
                found[str(read.path[0])] = read
        return found

    def read_keys(self) -> set[str]:
        return {str(r.path[0]) for r in self.reads if r.path}

    def nested_required(self, top: str) -> dict[str, Read]:
        """Keys read unconditionally under a top-level key (e.g. model.lora_rank)."""
        found: dict[str, Read] = {}
        for read in sorted(self.reads, key=lambda r: r.line):
            if read.required and len(read.path) == 2 and read.path[0] == top and read.path[1] != ITEM:
                found.setdefault(str(read.path[1]), read)
        return found

    def supplied(self, path: KeyPath) -> tuple[int, set[str], bool]:
        """(positional count, keyword names, unknown) the recipe passes when instantiating `path`."""
        sites = [i for i in self.instantiations if i.path == path]
        positional = max((i.positional for i in sites), default=0)
        keywords = {k for i in sites for k in i.keywords}
        return positional, keywords, any(i.unpacked for i in sites)


@dataclass(frozen=True)
class Value:
    """A config path held by a name while the code is read; optional when the read may not happen."""

    path: KeyPath
    optional: bool
