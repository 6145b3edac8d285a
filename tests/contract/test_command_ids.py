"""Constants shared by the server and the extension have one source each, and both sides agree:
command ids (server/tuneconf/command_ids.py ↔ src/commandIds.ts ↔ package.json), the launch plan's
shape, and the version."""

from __future__ import annotations

import json
import re
from pathlib import Path

import tuneconf
from tuneconf import command_ids
from tuneconf.launch.download import download_plan
from tuneconf.launch.gpus import GPUs
from tuneconf.launch.plan import LaunchPlan, plan_json

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "vscode-extension"
TS_IDS = EXTENSION / "src" / "commandIds.ts"
QUOTED = re.compile(r"""["'`]([\w.]+)["'`]""")


def ts_object(name: str) -> dict[str, str]:
    """The `key: "value"` pairs of `export const NAME = { ... } as const` in commandIds.ts."""
    body = re.search(rf"export const {name} = \{{(.*?)\}} as const;", TS_IDS.read_text(), re.S)
    assert body is not None, f"{name} not found in {TS_IDS.name}"
    return dict(re.findall(r"(\w+):\s*\"([^\"]+)\"", body.group(1)))


def ts_interface_fields(name: str) -> list[str]:
    body = re.search(rf"export interface {name} \{{\n(.*?)\n\}}", TS_IDS.read_text(), re.S)
    assert body is not None, f"interface {name} not found in {TS_IDS.name}"
    return re.findall(r"^\s+(\w+)\??:", body.group(1), re.M)


def package() -> dict[str, object]:
    return json.loads((EXTENSION / "package.json").read_text())


def python_ids(prefix: str) -> set[str]:
    values = {v for k, v in vars(command_ids).items() if k.isupper() and isinstance(v, str)}
    return {v for v in values if v.startswith(prefix)}


def test_server_commands_are_the_same_on_both_sides() -> None:
    assert set(ts_object("SERVER_COMMANDS").values()) == set(command_ids.SERVER_COMMANDS)
    assert set(command_ids.SERVER_COMMANDS) == python_ids("tuneconf.server.")


def test_client_commands_are_the_ones_package_json_contributes() -> None:
    contributed = {c["command"] for c in package()["contributes"]["commands"]}  # type: ignore[index]
    assert set(ts_object("CLIENT_COMMANDS").values()) == contributed
    assert python_ids("tuneconf.") - python_ids("tuneconf.server.") <= contributed  # the lenses' commands


def test_no_other_extension_source_spells_a_command_id() -> None:
    ids = set(ts_object("CLIENT_COMMANDS").values()) | set(ts_object("SERVER_COMMANDS").values())
    spelt = {
        path.relative_to(EXTENSION).as_posix(): sorted(set(QUOTED.findall(path.read_text())) & ids)
        for path in (EXTENSION / "src").rglob("*.ts")
        if path != TS_IDS
    }
    assert {path: found for path, found in spelt.items() if found} == {}


def test_the_launch_plan_has_one_shape() -> None:
    plan = LaunchPlan(["python"], ROOT, None, GPUs(0, "none"))
    assert tuple(plan_json(plan)) == command_ids.LAUNCH_PLAN_FIELDS
    assert tuple(ts_interface_fields("LaunchPlan")) == command_ids.LAUNCH_PLAN_FIELDS


def test_the_download_plan_has_one_shape() -> None:
    plan = download_plan("python", {"repo": "a/b", "output_dir": "/m", "ignore_patterns": None}, ROOT)
    assert tuple(plan) == command_ids.DOWNLOAD_PLAN_FIELDS
    assert tuple(ts_interface_fields("DownloadPlan")) == command_ids.DOWNLOAD_PLAN_FIELDS


def test_the_version_is_the_same_everywhere() -> None:
    assert package()["version"] == tuneconf.__version__
    makefile = (ROOT / "Makefile").read_text()
    assert "tuneconf/__init__.py" in makefile and "0.1.0" not in makefile  # read, not repeated
