"""torchtune's recipe registry, read statically from the user's installed torchtune, and the rule
that decides which recipe a config belongs to."""

from __future__ import annotations

import ast
import fnmatch
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tuneconf.document.components import RECIPE_COMMENT
from tuneconf.index.modules import ModuleFinder

# [ \t], never \s, in a re.M pattern: `^\s*` runs from every line start across all the blank lines below.
_TUNE_RUN = re.compile(r"^[ \t]*#.*?\btune[ \t]+run[ \t]+(?P<args>.*)", re.M)
"""A comment line with `tune run`; its arguments are read by `run_of`, not by the regex (a regex for
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
    finder: ModuleFinder | None = None
    """Where a custom recipe named as a module (`tune run custom_generate`) is looked up first."""

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
    recipes_dir = recipes_pkg.package_dirs[0] if recipes_pkg and recipes_pkg.package_dirs else None
    registry = Registry(recipes_dir=recipes_dir, finder=finder)
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


KNOWN_SOURCES = frozenset({"tuneconf comment", "setting", "registry"})
"""What names a config's recipe for certain; any other source is a guess, weighed by how well it fits."""
_HOW = {
    "tuneconf comment": "from the tuneconf comment",
    "setting": "from the tuneconf.recipes setting",
    "registry": "from the registry",
    "recipe beside the config": "beside the config",
    "tune run header": "from the header",
    "recipe in the workspace that fits best": "the best fit among the workspace's recipes",
}


@dataclass(frozen=True)
class RecipeChoice:
    """Which recipe a config belongs to, and how we know."""

    name: str
    """A registry name, or the path of a custom recipe file as written."""
    file: Path | None
    source: str
    """tuneconf comment | setting | registry (known) | launch command | recipe beside the config |
    tune run header | recipe in the workspace that fits best (guesses)"""
    distributed: bool = False
    builtin: bool = False
    where: str = ""
    """A launch command's file:line; a header's `--config` argument."""

    @property
    def known(self) -> bool:
        return self.source in KNOWN_SOURCES

    @property
    def how(self) -> str:
        """How it is known, for titles and messages: "from the header", "from scripts/train.sh:3"."""
        return f"from {self.where}" if self.source == "launch command" else _HOW.get(self.source, self.source)


def choose_recipe(
    text: str, config_path: Path | None, registry: Registry, globs: dict[str, str], workspace: list[Path]
) -> RecipeChoice | None:
    """The known recipe (`known_recipe`), else the header's `tune run` line that runs this file, else its
    last (the catalog weighs more evidence: recipes/evidence.py)."""
    known = known_recipe(text, config_path, registry, globs, workspace)
    if known is not None:
        return known
    headers = header_choices(text, config_path, registry, workspace)
    return next((c for c, names_this in headers if names_this), headers[-1][0] if headers else None)


def known_recipe(
    text: str, config_path: Path | None, registry: Registry, globs: dict[str, str], workspace: list[Path]
) -> RecipeChoice | None:
    """In order: a `# tuneconf: recipe=` comment; the registry by config path (a built-in config); the
    `tuneconf.recipes` setting (glob → recipe); else None (a guess is all there is)."""
    comment = RECIPE_COMMENT.search(text)
    if comment is not None:
        found = named_recipe(comment.group(1), "tuneconf comment", config_path, registry, workspace)
        if found is not None:
            return found
    if config_path is not None:
        recipe = registry.by_config(config_path)
        if recipe is not None:
            return _builtin(recipe, registry, "registry")
        candidates = [config_path.as_posix(), *[_relative(config_path, w) for w in workspace]]
        for glob, name in globs.items():
            if any(c and fnmatch.fnmatch(c, glob) for c in candidates):
                return named_recipe(name, "setting", config_path, registry, workspace)
    return None


def header_choices(
    text: str, config_path: Path | None, registry: Registry, workspace: list[Path]
) -> list[tuple[RecipeChoice, bool]]:
    """The recipe of each `tune run RECIPE --config CONFIG` header line, in order, and whether its CONFIG
    is this file (else a header copied by `tune cp` names the built-in config it came from)."""
    stem = config_path.with_suffix("").as_posix() if config_path is not None else None
    found = []
    for recipe, config in tune_runs(text):
        choice = named_recipe(recipe, "tune run header", config_path, registry, workspace, config)
        if choice is not None:
            names_this = stem is not None and stem.endswith(config.removesuffix(".yaml").removesuffix(".yml"))
            found.append((choice, names_this))
    return found


def tune_runs(text: str) -> list[tuple[str, str]]:
    """(recipe, config) of each `tune run [FLAGS] RECIPE --config CONFIG` comment line, in order."""
    return [run for m in _TUNE_RUN.finditer(text) if (run := run_of(m.group("args").split()))]


def run_of(args: list[str]) -> tuple[str, str] | None:
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


def named_recipe(
    name: str,
    source: str,
    config_path: Path | None,
    registry: Registry,
    workspace: Sequence[Path],
    where: str = "",
) -> RecipeChoice | None:
    """The recipe `name` names: a registry recipe; a `.py` file found in the workspace folders or beside
    the config (kept, without a file, when it is not found); else a module as `tune run` runs it
    (`module_file`; None when not found)."""
    recipe = registry.recipe(name)
    if recipe is not None:
        return _builtin(recipe, registry, source, where)
    bases = [*(workspace or []), *([config_path.parent] if config_path else [])]
    if not name.endswith(".py"):
        module = module_file(name, registry.finder, bases)
        return RecipeChoice(name, module, source, "distributed" in name, where=where) if module else None
    for base in bases:
        candidate = (base / name).resolve()
        if candidate.is_file():
            return RecipeChoice(name, candidate, source, distributed="distributed" in name, where=where)
    return RecipeChoice(name, None, source, distributed="distributed" in name, where=where)


def module_file(name: str, finder: ModuleFinder | None, bases: Sequence[Path]) -> Path | None:
    """The file torchtune 0.6.1's `tune run NAME` runs for a name that is neither a registry recipe nor
    a `.py` path: `runpy.run_module(os.path.splitext(NAME)[0] with "/" as ".")` (so `a/b` is a.b, and a
    last `.x` is dropped), a module's `.py` or a package's `__main__.py`, found on sys.path (the user's
    environment, `finder`) before the folder it runs from (which `tune run` appends: `bases`, in order)."""
    dotted = os.path.splitext(name)[0].replace("/", ".")
    parts = dotted.split(".")
    if not all(part.isidentifier() for part in parts):
        return None  # run_module cannot import it: the run fails
    for module in (dotted, f"{dotted}.__main__"):
        found = finder.find(module) if finder is not None else None
        if found is not None and found.path is not None and found.path.suffix == ".py" and not found.is_package:
            return found.path.resolve()
    for base in bases:
        for candidate in (base.joinpath(*parts[:-1], f"{parts[-1]}.py"), base.joinpath(*parts, "__main__.py")):
            if candidate.is_file():
                return candidate.resolve()
    return None


def _builtin(recipe: RegistryRecipe, registry: Registry, source: str, where: str = "") -> RecipeChoice:
    file = registry.recipes_dir / recipe.file_path if registry.recipes_dir is not None else None
    return RecipeChoice(recipe.name, file, source, recipe.supports_distributed, builtin=True, where=where)


def _relative(path: Path, folder: Path) -> str:
    try:
        return path.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return ""
