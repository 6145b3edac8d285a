"""Compare with the built-in: what a config copied from one of torchtune's built-in configs (`tune cp`)
changed, as keys added, removed and changed (not a text diff).

Which built-in: the one named (a registry config name, as `tune cp` takes, or a path), else the one the
config's `tune run ... --config NAME` header names, else the registry config with the same model builder
(and recipe, where one is known) whose values differ least. Both configs are read with our own parser
and expanded by `document/values.py: to_python` (its limits apply), flattened to dotted key paths;
lists are compared as whole values and interpolations as written. Plain data in, plain data out.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tuneconf.document.parse import parse
from tuneconf.document.values import ExpansionLimitError, to_python
from tuneconf.files import read_text
from tuneconf.recipes.registry import Registry, tune_runs

NAMED = "as named"
FROM_HEADER = "from the header"
CLOSEST = "the closest built-in with the same model and recipe"
CLOSEST_MODEL = "the closest built-in with the same model"
_MISSING = object()
USER = "the config"
"""How messages name the config compared (the built-in is named by its name)."""


class CompareError(ValueError):
    """Why there is no comparison: a file that cannot be read or parsed, an unknown built-in, none found.
    Its message is one line for the user."""


@dataclass(frozen=True)
class Builtin:
    """A built-in config: its registry name (or the path as given) and its file."""

    name: str
    path: Path


@dataclass
class Comparison:
    """What the config changed relative to `builtin`, by dotted key path (sorted)."""

    builtin: Builtin
    how: str
    """NAMED | FROM_HEADER | CLOSEST | CLOSEST_MODEL: which rule picked the built-in."""
    added: dict[str, Any] = field(default_factory=dict)
    removed: dict[str, Any] = field(default_factory=dict)
    changed: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    """key → (the built-in's value, the config's value)."""

    def json(self) -> dict[str, Any]:
        """{"builtin", "how", "added", "removed", "changed": {key: [old, new]}}, values JSON-safe."""
        return {
            "builtin": self.builtin.name,
            "how": self.how,
            "added": {k: jsonable(v) for k, v in self.added.items()},
            "removed": {k: jsonable(v) for k, v in self.removed.items()},
            "changed": {k: [jsonable(old), jsonable(new)] for k, (old, new) in self.changed.items()},
        }


def compare(
    text: str,
    registry: Registry,
    builtin: str | None = None,
    recipe: Callable[[], str | None] = lambda: None,
    base: Path | None = None,
) -> Comparison:
    """Compare the config `text` with `builtin` (a registry name or a path, relative to `base`), else the
    built-in its header names, else the closest one with the same model builder and recipe (`recipe` is
    asked only then). Raises CompareError (one line) where there is no comparison."""
    values = load_values(text, USER)
    if builtin is not None:
        found, how = named_builtin(builtin, registry, base), NAMED
    else:
        header = header_builtin(text, registry)
        found, how = (header, FROM_HEADER) if header is not None else closest_builtin(values, registry, recipe())
    return differences(values, builtin_values(found), found, how)


def differences(values: dict[str, Any], original: dict[str, Any], builtin: Builtin, how: str) -> Comparison:
    """The keys of `values` added to, removed from and changed from `original` (both flattened)."""
    mine, theirs = flatten(values), flatten(original)
    result = Comparison(builtin, how)
    for key in sorted(mine.keys() | theirs.keys()):
        new, old = mine.get(key, _MISSING), theirs.get(key, _MISSING)
        if old is _MISSING:
            result.added[key] = new
        elif new is _MISSING:
            result.removed[key] = old
        elif not same(old, new):
            result.changed[key] = (old, new)
    return result


def flatten(value: dict[Any, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted key paths to leaf values; a list is one value, an empty mapping is the leaf `{}`."""
    flat: dict[str, Any] = {}
    for key, item in value.items():
        path = f"{prefix}{key}"
        if isinstance(item, dict) and item:
            flat.update(flatten(item, path + "."))
        else:
            flat[path] = item
    return flat


def same(a: Any, b: Any) -> bool:
    """Equal as values and of the same kind: `1` is not `true` nor `1.0`, and `.nan` equals `.nan`."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def load_values(text: str, what: str) -> dict[str, Any]:
    """The config's values as OmegaConf would load them (merge keys applied, interpolations as written).
    Raises CompareError for a YAML error, a config that is not a mapping or over the expansion limits."""
    parsed = parse(text)
    if parsed.too_large:
        raise CompareError(f"{what} is too large to read")
    if parsed.syntax:
        problem = parsed.syntax[0]
        line, col = problem.span.start
        raise CompareError(f"{what} is not valid YAML: {line + 1}:{col + 1}: {problem.message}")
    if parsed.second_document is not None:
        raise CompareError(f"{what} holds more than one YAML document")
    if parsed.recursive_aliases:
        raise CompareError(f"{what} has an alias inside its own anchor")
    try:
        values = to_python(parsed.root)
    except (ExpansionLimitError, RecursionError) as exc:
        raise CompareError(str(exc) if what == USER else f"{what}: {exc}") from None
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise CompareError(f"{what} is not a mapping of keys to values")
    return values


def builtin_values(builtin: Builtin) -> dict[str, Any]:
    text, problem = read_text(builtin.path)
    if text is None:
        raise CompareError(f"cannot read the built-in {builtin.name}: {problem}")
    return load_values(text, f"the built-in {builtin.name}")


def registry_configs(registry: Registry) -> list[tuple[str, str, Path]]:
    """(config name, recipe name, file) of each built-in config the registry lists, in its order."""
    if registry.recipes_dir is None:
        return []
    root = registry.recipes_dir / "configs"
    return [(c.name, r.name, root / c.file_path) for r in registry.recipes for c in r.configs]


def named_builtin(name: str, registry: Registry, base: Path | None = None) -> Builtin:
    """The built-in a registry config name names (`llama3_2/1B_lora_single_device`, `.yaml` allowed), else
    the file at that path. Raises CompareError when it is neither."""
    found = _registry_builtin(name, registry)
    if found is not None:
        return found
    path = (base / name) if base is not None else Path(name)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        return Builtin(name, path)
    raise CompareError(f"no built-in config {name!r}: name one as `tune ls` lists it, or a YAML file")


def _registry_builtin(name: str, registry: Registry, recipe: str | None = None) -> Builtin | None:
    """The registry config `name` names, the one of `recipe` first (a name may be listed under two)."""
    stem = name.removesuffix(".yaml").removesuffix(".yml")
    matches = [(r, Builtin(n, path)) for n, r, path in registry_configs(registry) if n == stem]
    matches.sort(key=lambda match: match[0] != recipe)
    return matches[0][1] if matches else None


def header_builtin(text: str, registry: Registry) -> Builtin | None:
    """The built-in config the first `tune run RECIPE --config NAME` header line naming one names."""
    for recipe, config in tune_runs(text):
        found = _registry_builtin(config, registry, recipe)
        if found is not None:
            return found
    return None


def closest_builtin(values: dict[str, Any], registry: Registry, recipe: str | None) -> tuple[Builtin, str]:
    """The registry config with the same `model._component_` (and `recipe`, when some have it) whose
    values differ from `values` at the fewest dotted keys (ties: the first by name); which rule picked it.
    Built-ins that cannot be read are passed over. Raises CompareError when none has the same model."""
    model = values.get("model")
    builder = model.get("_component_") if isinstance(model, dict) else None
    if not isinstance(builder, str) or not builder:
        raise CompareError("the config names no model builder (model._component_) and no built-in: name one")
    candidates = []
    for name, owner, path in registry_configs(registry):
        text, _ = read_text(path)
        if text is None or builder not in text:
            continue  # cheap: a config with this builder spells it
        try:
            original = load_values(text, name)
        except CompareError:
            continue
        theirs = original.get("model")
        if isinstance(theirs, dict) and theirs.get("_component_") == builder:
            candidates.append((owner == recipe, name, path, original))
    if not candidates:
        raise CompareError(f"no built-in config uses the model {builder}: name the built-in to compare with")
    same_recipe = [c for c in candidates if c[0]]
    pool, how = (same_recipe, CLOSEST) if same_recipe else (candidates, CLOSEST_MODEL)
    best = min(pool, key=lambda c: (_distance(values, c[3]), c[1]))
    return Builtin(best[1], best[2]), how


def _distance(values: dict[str, Any], original: dict[str, Any]) -> int:
    found = differences(values, original, Builtin("", Path()), "")
    return len(found.added) + len(found.removed) + len(found.changed)


def jsonable(value: Any) -> Any:
    """The value as JSON holds it: mappings with string keys, lists, and scalars; anything else (a path,
    a date, bytes, a float that is not finite) as its text."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    return str(value)
