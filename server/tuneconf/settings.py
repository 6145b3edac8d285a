"""Settings: declared once in vscode-extension/package.json, read here into one typed object."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

# package.json setting "tuneconf.<name>" ↔ field here; tests/contract keeps both in step.
_FIELDS = {
    "interpreter": "interpreter",
    "files": "files",
    "componentKeys": "component_keys",
    "dotpathKeys": "dotpath_keys",
    "resolvers": "resolvers",
    "recipes": "recipes",
    "pathChecks": "path_checks",
    "inlayHints": "inlay_hints",
    "semanticTokens": "semantic_tokens",
    "workspaceSymbols": "workspace_symbols",
    "pythonReferences": "python_references",
    "compareLens": "compare_lens",
    "hydraRoots": "hydra_roots",
    "hydra": "hydra",
    "trace.server": None,  # read by vscode-languageclient itself
}


@dataclass(frozen=True)
class Settings:
    interpreter: str = ""
    """Python interpreter of the user's environment (empty: the client's choice)."""
    files: tuple[str, ...] = ()
    """Globs of YAML files to treat as torchtune configs even without a `_component_` key."""
    component_keys: tuple[str, ...] = ("_component_",)
    """Keys that name a callable to instantiate (add `_target_` for Hydra-style configs)."""
    dotpath_keys: tuple[str, ...] = ("collate_fn", "prompt_template")
    """Keys whose value is a dotpath the recipe resolves itself (checked like a component's)."""
    resolvers: tuple[str, ...] = ()
    """OmegaConf resolvers your code registers, beside the built-in oc.* ones."""
    recipes: tuple[tuple[str, str], ...] = ()
    """Glob → recipe (registry name or recipe file), for configs that do not say which recipe runs them."""
    path_checks: bool = True
    """Check that the files and folders a run reads exist on this machine (off: configs run elsewhere)."""
    inlay_hints: bool = True
    """Inlay hints: resolved interpolations, recipe-supplied arguments, `required` after `???`."""
    semantic_tokens: bool = True
    """Semantic tokens for dotpaths, interpolations, resolvers, `???` and keys the recipe never reads."""
    workspace_symbols: bool = True
    """Workspace symbols: components and top-level keys across the workspace's configs."""
    python_references: bool = True
    """References from Python definitions to the config lines that name them, and a "used in N configs" lens."""
    compare_lens: bool = True
    """A "Compare with built-in NAME" lens on configs copied from a built-in."""
    hydra_roots: tuple[str, ...] = ()
    """Hydra config folders (relative to the workspace folder), beside those `@hydra.main` entry points name."""
    hydra: bool = True
    """Hydra support: `_target_` components, config groups, defaults lists, composition, Hydra's overrides."""

    @classmethod
    def from_client(cls, raw: Any) -> Settings:
        """Settings from the client's `tuneconf` section; wrong types fall back to defaults."""
        if not isinstance(raw, dict):
            return cls()
        values: dict[str, Any] = {}
        defaults = cls()
        for name, attr in _FIELDS.items():
            if attr is None or name not in raw:
                continue
            if attr in _MAPPINGS:
                values[attr] = _pairs(raw[name], getattr(defaults, attr))
            else:
                values[attr] = _coerce(raw[name], getattr(defaults, attr))
        return dataclasses.replace(defaults, **values)


_MAPPINGS = {"recipes"}


def setting_names() -> list[str]:
    """The setting names the server reads, as package.json spells them (without `tuneconf.`)."""
    return list(_FIELDS)


def _pairs(value: Any, default: Any) -> Any:
    if not isinstance(value, dict):
        return default
    return tuple((str(k), v) for k, v in value.items() if isinstance(v, str))


def _coerce(value: Any, default: Any) -> Any:
    if isinstance(default, tuple):
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        return default
    return value if isinstance(value, type(default)) else default
