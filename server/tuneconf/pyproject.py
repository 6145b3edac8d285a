"""Project settings from `[tool.tuneconf]` in pyproject.toml, for the server and the CLI alike (CLI users
cannot pass LSP settings, and a team wants one place in the repository for them).

```toml
[tool.tuneconf]
component-keys = ["_component_", "_target_"]
dotpath-keys = ["collate_fn"]
resolvers = ["eval", "div"]
hydra-roots = ["configs"]
recipes = { "configs/*.yaml" = "lora_finetune_single_device" }
```

Keys may be written kebab-case, snake_case or camelCase. Decided: a value set in the editor wins; the
file fills what the editor leaves at its default (VS Code sends every setting, defaults included, so
"left at its default" is what can be told apart). A file that cannot be read or parsed is logged and
ignored: settings never stop the analysis.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tuneconf.files import read_text
from tuneconf.settings import Settings

log = logging.getLogger(__name__)
_MAX_PARENTS = 8
MAX_TOML_BYTES = 1_000_000


def table(folders: Sequence[Path]) -> tuple[dict[str, Any], Path | None]:
    """The `[tool.tuneconf]` table of the nearest pyproject.toml that has one (each folder, then its
    parents), with the file it came from."""
    for folder in folders:
        for candidate in [folder, *list(folder.parents)[:_MAX_PARENTS]]:
            file = candidate / "pyproject.toml"
            found = _read(file)
            if found is not None:
                return found, file
    return {}, None


def _read(file: Path) -> dict[str, Any] | None:
    if not file.exists():
        return None
    text, problem = read_text(file, MAX_TOML_BYTES)  # regular files only, within a size
    if text is None:
        log.warning("%s: cannot read [tool.tuneconf]: %s", file, problem)
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        log.warning("%s: cannot read [tool.tuneconf]: %s", file, error)
        return None
    tool = data.get("tool")
    found = tool.get("tuneconf") if isinstance(tool, dict) else None
    return found if isinstance(found, dict) else None


def with_project(settings: Settings, folders: Sequence[Path]) -> Settings:
    """`settings` with the values of `[tool.tuneconf]` where `settings` has the default."""
    raw, file = table(folders)
    if not raw:
        return settings
    client_names = {_normal(name): name for name in _client_names()}
    converted: dict[str, Any] = {}
    unknown = []
    for key, value in raw.items():
        name = client_names.get(_normal(key))
        if name is None:
            unknown.append(key)
        else:
            converted[name] = value
    if unknown:
        log.warning("%s: [tool.tuneconf] has unknown keys: %s", file, ", ".join(unknown))
    from_file = Settings.from_client(converted)
    defaults = Settings()
    values = {
        f.name: getattr(from_file, f.name)
        for f in dataclasses.fields(Settings)
        if getattr(settings, f.name) == getattr(defaults, f.name)
    }
    return dataclasses.replace(settings, **values)


def _client_names() -> list[str]:
    from tuneconf.settings import setting_names

    return [name for name in setting_names() if "." not in name]


def _normal(name: str) -> str:
    return re.sub(r"[-_]", "", name).lower()
