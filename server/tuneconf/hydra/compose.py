"""Static composition of a Hydra primary config: what `hydra.compose(config_name, overrides)` returns,
without importing Hydra or running the project.

The defaults tree is built as Hydra 1.3 builds it (compose_tree.py), its configs are merged in order
at their packages (compose_merge.py), and the command line's value overrides are applied last. Group
overrides (`db=mysql`, `+db=x`, `~db`, `db@pkg=x`) change the defaults list; the others change the
merged config. Hydra's own groups (`hydra/...`) live in Hydra's package: their entries are kept for
ordering checks but never loaded, and the `hydra` key is left out of the result. What Hydra would
refuse becomes a Problem with Hydra's message (without the search path it lists), and the
composition goes on without the part at fault.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tuneconf.hydra.compose_elements import Default, Problem, ResultDefault, TreeNode
from tuneconf.hydra.compose_files import Repository
from tuneconf.hydra.compose_merge import MergeError, OverrideLike, apply_overrides, embed, flatten, merge
from tuneconf.hydra.compose_overrides import check_used, classify
from tuneconf.hydra.compose_tree import Overrides, TreeBuilder, check_duplicates, tree_to_list

__all__ = ["Composition", "Problem", "compose", "find_config", "groups", "options"]


@dataclass
class Composition:
    """A composed config and how it was made."""

    data: dict[str, Any] = field(default_factory=dict)
    """What hydra.compose returns (`OmegaConf.to_container(cfg, resolve=False)`) without its `hydra` key."""
    origins: dict[tuple[str, ...], tuple[Path, ...]] = field(default_factory=dict)
    """Leaf key path → the files that set it, in merge order (the last one wins)."""
    choices: dict[str, str | None] = field(default_factory=dict)
    """Group (override key) → the option chosen (None for null), like hydra.runtime.choices."""
    files: tuple[Path, ...] = ()
    """The config files merged, in order."""
    problems: list[Problem] = field(default_factory=list)


def version_tuple(version_base: str | None) -> tuple[int, int]:
    """`"1.3"` → (1, 3); None means the current version (1.3)."""
    if version_base is None:
        return (1, 3)
    parts = version_base.split(".")
    try:
        return (int(parts[0]), int(parts[1]) if len(parts) > 1 else 0)
    except ValueError:
        return (1, 3)


def compose(
    search_path: Sequence[Path],
    config_name: str,
    overrides: Sequence[OverrideLike] = (),
    version_base: str | None = "1.3",
    texts: Mapping[Path, str] | None = None,
) -> Composition:
    """Compose `config_name` from the config roots `search_path` (first root first) with `overrides`,
    as hydra.compose does. `texts` holds editor contents that replace the files on disk."""
    repo = Repository(search_path, version_base_at_least(version_base), texts)
    result = Composition()
    state = Overrides()
    config_overrides = classify(repo, list(overrides), state, result.problems)
    builder = TreeBuilder(repo, state, result.problems)
    primary = Default(path=config_name, primary=True)
    tree = builder.build(TreeNode(primary), True, False)
    if any(p.code == "primary-not-found" for p in result.problems):
        return result
    check_used(state, result.problems)
    defaults = tree_to_list(tree)
    if not any(p.code == "multiple-values" for p in result.problems):
        check_duplicates(defaults, builder.fail)
    for loaded in builder.loaded.values():
        for span, code, message in loaded.problems:
            result.problems.append(Problem(loaded.path, span, code, message))
    data, origins, files = _merge_all(builder, defaults, result.problems)
    data.pop("hydra", None)
    origins.pop("hydra", None)
    data, override_problems = apply_overrides(data, config_overrides)
    for p in override_problems:
        result.problems.append(Problem(None, None, p.code, p.message))
    result.data = data
    result.origins = flatten(data, origins)
    result.files = tuple(files)
    result.choices = {k: v for k, v in state.known.items() if not (k == "hydra" or k.startswith("hydra/"))}
    return result


def version_base_at_least(version_base: str | None) -> tuple[int, int]:
    """The version whose behaviour to model (at least 1.1, as Hydra requires)."""
    return max(version_tuple(version_base), (1, 1))


def _merge_all(
    builder: TreeBuilder, defaults: list[ResultDefault], problems: list[Problem]
) -> tuple[dict[str, Any], dict[Any, Any], list[Path]]:
    data: dict[str, Any] = {}
    origins: dict[Any, Any] = {}
    files: list[Path] = []
    for item in defaults:
        loaded = builder.load(item.config_path)
        if loaded is None or loaded.content is None:
            continue
        if item.primary and not isinstance(loaded.content, dict):
            kind = "ListConfig" if isinstance(loaded.content, list) else type(loaded.content).__name__
            message = f"primary config '{item.config_path}' must be a DictConfig, got {kind}"
            problems.append(Problem(loaded.path, None, "primary-not-mapping", message))
            continue
        embedded = embed(loaded.content, item.package)
        files.append(loaded.path)
        if not isinstance(embedded, dict):
            message = f"In '{item.config_path}': ConfigTypeError raised while composing config:\n{MergeError.TEXT}"
            problems.append(Problem(loaded.path, None, "merge-error", message))
            continue
        try:
            merge(data, embedded, origins, loaded.path)
        except MergeError as exc:
            message = f"In '{item.config_path}': ConfigTypeError raised while composing config:\n{exc}"
            problems.append(Problem(loaded.path, None, "merge-error", message))
    return data, origins, files


def groups(search_path: Sequence[Path], parent: str = "") -> list[str]:
    """The config groups (sub-folders) under `parent` in any root, sorted: for completion."""
    return Repository(search_path, (1, 3)).subgroups(parent)


def options(search_path: Sequence[Path], group: str, version_base: str | None = "1.3") -> list[str]:
    """The options of `group` (its config files without extension) in all roots, sorted as Hydra lists them
    (`.yml` files count only for version_base 1.1)."""
    return Repository(search_path, version_base_at_least(version_base)).group_options(group)


def find_config(search_path: Sequence[Path], path: str, version_base: str | None = "1.3") -> Path | None:
    """The file of config path `path` (`db/mysql`), from the first root that has it."""
    return Repository(search_path, version_base_at_least(version_base)).config_file(path.lstrip("/"))
