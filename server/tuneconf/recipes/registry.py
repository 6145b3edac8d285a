"""torchtune's recipe registry, read statically from the user's installed torchtune, and the rule
that decides which recipe a config belongs to."""

from __future__ import annotations

import ast
import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path

from tuneconf.index.modules import ModuleFinder

# [ \t], never \s, in a re.M pattern: `^\s*` runs from every line start across all the blank lines below.
_TUNECONF_RECIPE = re.compile(r"^[ \t]*#[ \t]*tuneconf:[ \t]*recipe[ \t]*=[ \t]*(\S+)", re.M)
_TUNE_RUN = re.compile(r"^[ \t]*#.*?\btune[ \t]+run[ \t]+(?P<args>.*)", re.M)
"""A comment line with `tune run`; its arguments are read by `_run_of`, not by the regex (a regex for
flags that may or may not take a value backtracks over every split of them: 2^flags)."""
_FLAG = re.compile(r"--?[\w-]+(?P<value>=\S+)?")
_RECIPE = re.compile(r"[\w./-]+")
_TUNE = re.compile(r"\btune$")


@dataclass(frozen=True)
class RegistryConfig:
    name: str
    file_path: str


@dataclass(frozen=True)
class RegistryRecipe:
    name: str
    file_path: str
    configs: tuple[RegistryConfig, ...]
    supports_distributed: bool


@dataclass
class Registry:
    recipes: list[RegistryRecipe] = field(default_factory=list)
    recipes_dir: Path | None = None
    """site-packages/recipes: the recipe files and configs/ of the installed torchtune."""

    def recipe(self, name: str) -> RegistryRecipe | None:
        return next((r for r in self.recipes if r.name == name), None)

    def by_config(self, config_path: Path) -> RegistryRecipe | None:
        """The registry recipe of a built-in config file (by its path under recipes/configs)."""
        if self.recipes_dir is None:
            return None
        try:
            relative = config_path.resolve().relative_to((self.recipes_dir / "configs").resolve()).as_posix()
        except ValueError:
            return None
        return next((r for r in self.recipes for c in r.configs if c.file_path == relative), None)


def load_registry(finder: ModuleFinder) -> Registry:
    """Read `torchtune/_recipe_registry.py` (literal Recipe(...)/Config(...) calls) without importing it."""
    module = finder.find("torchtune._recipe_registry")
    recipes_pkg = finder.find("recipes")
    registry = Registry(recipes_dir=recipes_pkg.package_dirs[0] if recipes_pkg and recipes_pkg.package_dirs else None)
    if module is None or module.path is None:
        return registry
    try:
        tree = ast.parse(module.path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return registry
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Recipe":
            recipe = _recipe(node)
            if recipe is not None:
                registry.recipes.append(recipe)
    return registry


def _recipe(call: ast.Call) -> RegistryRecipe | None:
    fields = {k.arg: k.value for k in call.keywords if k.arg}
    try:
        name = ast.literal_eval(fields["name"])
        file_path = ast.literal_eval(fields["file_path"])
        distributed = bool(ast.literal_eval(fields.get("supports_distributed", ast.Constant(False))))
    except (KeyError, ValueError):
        return None
    configs = []
    listed = fields.get("configs")
    for item in listed.elts if isinstance(listed, ast.List) else []:
        if isinstance(item, ast.Call):
            keys = {k.arg: k.value for k in item.keywords if k.arg}
            try:
                configs.append(RegistryConfig(ast.literal_eval(keys["name"]), ast.literal_eval(keys["file_path"])))
            except (KeyError, ValueError):
                continue
    return RegistryRecipe(name, file_path, tuple(configs), distributed)


@dataclass(frozen=True)
class RecipeChoice:
    """Which recipe a config belongs to, and how we know."""

    name: str
    """A registry name, or the path of a custom recipe file as written."""
    file: Path | None
    source: str
    """tuneconf comment | tune run header | registry | setting"""
    distributed: bool = False
    builtin: bool = False


def choose_recipe(
    text: str, config_path: Path | None, registry: Registry, globs: dict[str, str], workspace: list[Path]
) -> RecipeChoice | None:
    """In order: a `# tuneconf: recipe=` comment; the `tune run RECIPE --config` header line; the registry
    by config path; the `tuneconf.recipes` setting (glob → recipe); else None (unknown)."""
    comment = _TUNECONF_RECIPE.search(text)
    named = comment.group(1) if comment else _header_recipe(text, config_path)
    if named is not None:
        found = _named(named, "tuneconf comment" if comment else "tune run header", config_path, registry, workspace)
        if found is not None:
            return found
    if config_path is not None:
        recipe = registry.by_config(config_path)
        if recipe is not None:
            return _builtin(recipe, registry, "registry")
        candidates = [config_path.as_posix(), *[_relative(config_path, w) for w in workspace]]
        for glob, name in globs.items():
            if any(c and fnmatch.fnmatch(c, glob) for c in candidates):
                return _named(name, "setting", config_path, registry, workspace)
    return None


def _header_recipe(text: str, config_path: Path | None) -> str | None:
    """The recipe of the header's `tune run RECIPE --config CONFIG` line that runs this file (a header
    may also show how to prepare, e.g. finetune a teacher with another config); else the first one."""
    runs = tune_runs(text)
    if not runs:
        return None
    if config_path is not None:
        stem = config_path.with_suffix("").as_posix()
        for recipe, config in runs:
            if stem.endswith(config.removesuffix(".yaml").removesuffix(".yml")):
                return recipe
    return runs[0][0]


def tune_runs(text: str) -> list[tuple[str, str]]:
    """(recipe, config) of each `tune run [FLAGS] RECIPE --config CONFIG` comment line, in order."""
    return [run for m in _TUNE_RUN.finditer(text) if (run := _run_of(m.group("args").split()))]


def _run_of(args: list[str]) -> tuple[str, str] | None:
    """(recipe, config) of `tune run` arguments `[FLAG [VALUE]]... RECIPE --config CONFIG`, in one pass.
    A flag may take the argument after it as its value, so the recipe is the argument before `--config`."""
    flags_before = flags_so_far = True  # the arguments before the previous one / before this one are flags
    takes_value = False  # the previous argument is a flag that may take this one as its value
    for index, arg in enumerate(args):
        config = arg.removeprefix("--config=") if arg.startswith("--config=") else None
        if arg == "--config" and index + 1 < len(args):
            config = args[index + 1]
        if config and index > 0 and flags_before and _RECIPE.fullmatch(args[index - 1]):
            return args[index - 1], config
        flag = _FLAG.fullmatch(arg)
        flags_before, flags_so_far = flags_so_far, flags_so_far and (flag is not None or takes_value)
        takes_value = flag is not None and flag.group("value") is None
        if arg == "run" and index > 0 and _TUNE.search(args[index - 1]):
            flags_so_far = True  # a second `tune run` starts the arguments afresh
    return None


def _named(
    name: str, source: str, config_path: Path | None, registry: Registry, workspace: list[Path]
) -> RecipeChoice | None:
    recipe = registry.recipe(name)
    if recipe is not None:
        return _builtin(recipe, registry, source)
    if not name.endswith(".py"):
        return None
    bases = [*(workspace or []), *([config_path.parent] if config_path else [])]
    for base in bases:
        candidate = (base / name).resolve()
        if candidate.is_file():
            return RecipeChoice(name, candidate, source, distributed="distributed" in name)
    return RecipeChoice(name, None, source, distributed="distributed" in name)


def _builtin(recipe: RegistryRecipe, registry: Registry, source: str) -> RecipeChoice:
    file = registry.recipes_dir / recipe.file_path if registry.recipes_dir is not None else None
    return RecipeChoice(recipe.name, file, source, recipe.supports_distributed, builtin=True)


def _relative(path: Path, folder: Path) -> str:
    try:
        return path.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return ""
