"""Command-line overrides in a static composition: which change the defaults list (a key that names a
config group) and which change the merged config, and the checks Hydra makes once the defaults tree
is built (every group override and deletion must have matched), in Hydra's words
(hydra/_internal/defaults_list.py: `Overrides`)."""

from __future__ import annotations

from tuneconf.hydra.compose_elements import Default, Problem
from tuneconf.hydra.compose_files import Repository
from tuneconf.hydra.compose_merge import OverrideLike
from tuneconf.hydra.compose_tree import Deletion, OverrideChoice, Overrides


def is_hydra_group(key: str) -> bool:
    """A key of Hydra's own groups (`hydra/launcher`), which live in Hydra's package."""
    group = key.split("@")[0]
    return group == "hydra" or group.startswith("hydra/")


def key_element(override: OverrideLike) -> str:
    """`db` or `db@pkg`: the override's key with its package."""
    return override.key if override.package is None else f"{override.key}@{override.package}"


def sweep_message(override: OverrideLike) -> str:
    """Hydra's refusal of a sweep outside multirun (`validate_sweep_overrides_legal`, from_shell=False)."""
    if getattr(override.sweep, "kind", None) == "list":
        return (
            f"Ambiguous value for argument '{override.text}'\n"
            "1. To use it as a list, use key=[value1,value2]\n"
            "2. To use it as string, quote the value: key='value1,value2'\n"
            "3. To sweep over it, add --multirun to your command line"
        )
    return f"Sweep parameters '{override.text}' requires --multirun"


def classify(
    repo: Repository, overrides: list[OverrideLike], state: Overrides, problems: list[Problem]
) -> list[OverrideLike]:
    """Record the group overrides in `state`; return the value overrides, applied after the merge."""
    config_overrides: list[OverrideLike] = []
    for override in overrides:
        if override.sweep is not None:
            problems.append(Problem(None, None, "sweep", sweep_message(override)))
            continue
        if is_hydra_group(override.key):
            continue
        if isinstance(override.value, dict) or not repo.group_exists(override.key):
            config_overrides.append(override)
            continue
        refused = _group_override(override, state)
        if refused is not None:
            problems.append(Problem(None, None, "group-override", refused))
    return config_overrides


def _group_override(override: OverrideLike, state: Overrides) -> str | None:
    value = override.value
    if override.kind == "force_add":
        return f"force-add of config groups is not supported: '{override.text}'"
    if override.kind == "delete":
        if value is not None and not isinstance(value, str):
            return f"Config group override deletion value must be a string : {override.text}"
        state.deletions[key_element(override)] = Deletion(value)
        return None
    if not isinstance(value, str | list):
        return f"Config group override must be a string or a list. Got {type(value).__name__}"
    if override.kind == "add":
        state.appends.append(Default(group=override.key, package=override.package, value=value, external_append=True))
        return None
    state.choices[key_element(override)] = OverrideChoice(value, external=True)
    return None


def check_used(state: Overrides, problems: list[Problem]) -> None:
    """Hydra's `ensure_overrides_used` and `ensure_deletions_used`."""
    for key, choice in state.choices.items():
        if choice.used or is_hydra_group(key):
            continue
        group = key.split("@")[0]
        options = sorted(state.known_per_group.get(group, set()))
        if len(options) > 1:
            message = f"Could not override '{key}'.\nDid you mean to override one of {', '.join(options)}?"
        elif len(options) == 1:
            message = f"Could not override '{key}'.\nDid you mean to override {options[0]}?"
        else:
            message = f"Could not override '{key}'. No match in the defaults list."
        if choice.containing_config is not None:
            message = f"In '{choice.containing_config}': {message}"
        if choice.external:
            message += f"\nTo append to your default list use +{key}={choice.value}"
        problems.append(Problem(choice.file, choice.span, "override-unused", message))
    for key, deletion in state.deletions.items():
        if deletion.used or is_hydra_group(key):
            continue
        desc = f"{key}={deletion.name}" if deletion.name is not None else key
        problems.append(
            Problem(None, None, "delete-unused", f"Could not delete '{desc}'. No match in the defaults list")
        )
