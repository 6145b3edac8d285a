"""Settings are declared once (package.json) and read into one typed object: both stay in step."""

from __future__ import annotations

import json
from pathlib import Path

from tuneconf.settings import Settings, setting_names

PACKAGE = Path(__file__).resolve().parents[2] / "vscode-extension" / "package.json"


def declared() -> dict[str, dict[str, object]]:
    properties = json.loads(PACKAGE.read_text())["contributes"]["configuration"]["properties"]
    return {name.removeprefix("tuneconf."): spec for name, spec in properties.items()}


def test_the_server_reads_exactly_the_declared_settings() -> None:
    assert sorted(declared()) == sorted(setting_names())


def test_declared_defaults_are_the_servers_defaults() -> None:
    defaults = {name: spec["default"] for name, spec in declared().items()}
    assert Settings.from_client(defaults) == Settings()


def test_client_values_reach_the_typed_settings_and_bad_types_fall_back() -> None:
    settings = Settings.from_client({"componentKeys": ["_component_", "_target_"], "files": ["**/cfg/*.yaml"]})
    assert settings.component_keys == ("_component_", "_target_")
    assert settings.files == ("**/cfg/*.yaml",)
    assert Settings.from_client({"componentKeys": "oops", "interpreter": 3}) == Settings()


def test_both_readmes_list_every_setting() -> None:
    for readme in (PACKAGE.parents[1] / "README.md", PACKAGE.parent / "README.md"):
        text = readme.read_text()
        assert [name for name in declared() if f"`tuneconf.{name}`" not in text] == [], readme
