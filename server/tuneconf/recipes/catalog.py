"""Recipes known to a project: the registry of the installed torchtune, and what each recipe reads
and supplies (RecipeUsage), cached per recipe file version."""

from __future__ import annotations

import ast
import os
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from tuneconf.files import read_text
from tuneconf.index.modules import ModuleFinder
from tuneconf.recipes.analysis import MAX_RECIPE_BYTES, RecipeUsage, analyse
from tuneconf.recipes.evidence import LaunchScan, beside, fitter, guess_recipe, text_referenced, top_keys
from tuneconf.recipes.library import Library
from tuneconf.recipes.registry import RecipeChoice, Registry, known_recipe, load_registry, named_recipe
from tuneconf.recipes.supplied import combined


@dataclass(frozen=True)
class RecipeInfo:
    choice: RecipeChoice
    usage: RecipeUsage | None
    """None when the recipe file cannot be found (then recipe-level checks are skipped)."""
    others: tuple[tuple[RecipeChoice, RecipeUsage], ...] = ()
    """For a guess, the recipes it might be instead, to suggest the best fit: the recipe files found in
    the workspace (launch commands, beside the config, up to 3 others that fit better), then the
    registry's."""
    supplies: RecipeUsage | None = None
    """For a guess: what any recipe that might run the config passes itself at each config path (the
    registry's recipes, and a custom recipe file guessed), to tell an argument certainly missing; None
    when not known (a known recipe, or a custom recipe that cannot be read or hands the config on)."""


class Catalog:
    def __init__(self, finder: ModuleFinder, folders: list[Path], globs: dict[str, str]) -> None:
        self.finder = finder
        self.folders = folders
        self.globs = globs
        self._registry: Registry | None = None
        self._lock = threading.RLock()
        """The server's warm-up thread and a request may both ask for the registry and what it supplies."""
        self._usages: dict[Path, tuple[int, RecipeUsage]] = {}
        self._constants: dict[str, str | None] = {}
        self._supplies: tuple[tuple[int, ...], RecipeUsage | None] | None = None
        self.launches = LaunchScan(folders)
        self.library = Library(finder, self.constant)
        """torchtune's modules the recipes hand their config to (recipes/library.py), parsed once."""

    @property
    def registry(self) -> Registry:
        with self._lock:
            if self._registry is None:
                self._registry = load_registry(self.finder)
            return self._registry

    def for_config(self, text: str, path: Path | None) -> RecipeInfo | None:
        """The recipe known to run the config, else the best guess (recipes/evidence.py), else None."""
        choice = known_recipe(text, path, self.registry, self.globs, self.folders)
        if choice is not None:
            return RecipeInfo(choice, self.usage_of(choice))
        found = [self.launches.choices(path, self.registry), list(beside(path))] if path is not None else []
        inside = path is not None and any(path.resolve().is_relative_to(f.resolve()) for f in self.folders)
        workspace = self.launches.recipes(path) if path is not None and inside and not any(found) else []
        choice = guess_recipe(text, path, self.registry, self.folders, found, self.usage_of, workspace)
        if choice is None:
            return None
        usage = self.usage_of(choice)
        keys = top_keys(text) if workspace else []
        better = fitter(choice, workspace, keys, self.usage_of, text_referenced(text))[:3] if workspace else []
        others = self._others(choice, path, [*(c for t in found for c in t), *better])
        return RecipeInfo(choice, usage, others, self.supplies_for(choice, usage))

    def registry_usages(self) -> list[RecipeUsage | None]:
        """What each registry recipe reads and supplies (None: its file is missing)."""
        choices = [named_recipe(r.name, "registry", None, self.registry, []) for r in self.registry.recipes]
        return [self.usage_of(c) if c is not None else None for c in choices]

    def registry_supplies(self) -> RecipeUsage | None:
        """What the registry's recipes pass themselves, together (recipes/supplied.py), remembered while
        no recipe file changes; None when one of them cannot be read."""
        with self._lock:
            usages = self.registry_usages()
            stamp = tuple(id(u) for u in usages)
            if self._supplies is None or self._supplies[0] != stamp:
                read = [u for u in usages if u is not None]
                self._supplies = (stamp, combined(read, "<registry>") if len(read) == len(usages) else None)
            return self._supplies[1]

    def supplies_for(self, guess: RecipeChoice, usage: RecipeUsage | None) -> RecipeUsage | None:
        """What a guessed recipe's config may be given by its recipe: the registry's recipes, and a custom
        recipe file guessed (read itself: unreadable, or handing the config on, and nothing is known)."""
        registry = self.registry_supplies()
        if guess.builtin or registry is None:
            return registry
        if usage is None or usage.error or usage.escapes:
            return None
        return combined([registry, usage], "<registry and recipe>")

    def usage_of(self, choice: RecipeChoice) -> RecipeUsage | None:
        return self.usage(choice.file) if choice.file is not None else None

    def _others(
        self, choice: RecipeChoice, path: Path | None, found: list[RecipeChoice]
    ) -> tuple[tuple[RecipeChoice, RecipeUsage], ...]:
        """What a guess might be instead: the recipes found in the workspace, then the registry's."""
        found = found + [
            c for r in self.registry.recipes if (c := named_recipe(r.name, "registry", None, self.registry, []))
        ]
        others: dict[str, tuple[RecipeChoice, RecipeUsage]] = {}
        for other in found:
            usage = self.usage_of(other)
            if other.file is not None and not other.builtin and path is not None:
                # as a `# tuneconf: recipe=` comment in this config names it (resolved from its folder)
                other = replace(other, name=Path(os.path.relpath(other.file, path.parent)).as_posix())
            if other.name != choice.name and other.file != choice.file and usage is not None and not usage.error:
                others.setdefault(other.name, (other, usage))
        return tuple(others.values())

    def usage(self, file: Path) -> RecipeUsage | None:
        try:
            stamp = file.stat().st_mtime_ns
        except OSError:
            return None
        hit = self._usages.get(file)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        usage = analyse(file, self.constant, self.library)
        self._usages[file] = (stamp, usage)
        return usage

    def constant(self, dotpath: str, hops: int = 4) -> str | None:
        """The string a module-level constant holds, following `from .x import NAME` (never importing);
        remembered, as recipes share their constants' modules."""
        if dotpath not in self._constants:
            self._constants[dotpath] = self._read_constant(dotpath, hops)
        return self._constants[dotpath]

    def _read_constant(self, dotpath: str, hops: int) -> str | None:
        module_name, _, name = dotpath.rpartition(".")
        found = self.finder.find(module_name)
        if found is None or found.path is None or found.compiled or hops <= 0:
            return None
        source, _ = read_text(found.path, MAX_RECIPE_BYTES)  # a module of constants is no bigger than a recipe
        if source is None:
            return None
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
                value = node.value
                return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None
            if isinstance(node, ast.ImportFrom) and any((a.asname or a.name) == name for a in node.names):
                alias = next(a for a in node.names if (a.asname or a.name) == name)
                source = _absolute(module_name, node, found.is_package)
                return self.constant(f"{source}.{alias.name}", hops - 1) if source else None
        return None


def _absolute(module: str, node: ast.ImportFrom, is_package: bool) -> str | None:
    if node.level == 0:
        return node.module
    parts = module.split(".")
    base = parts if is_package else parts[:-1]
    if node.level - 1 > len(base):
        return None
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)
