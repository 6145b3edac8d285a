"""The .vsix bundles exactly the pinned, hashed libraries, and they are the versions the tests run on."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "vscode-extension" / "bundled-requirements.txt"
BUNDLE_SCRIPT = ROOT / "vscode-extension" / "scripts" / "bundle-libs.sh"


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(text: str) -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) of a requirements file written as `name==version \\ --hash=...`."""
    joined = re.sub(r"\\\n", " ", "\n".join(line for line in text.splitlines() if not line.startswith("#")))
    found = {}
    for line in filter(None, (line.strip() for line in joined.splitlines())):
        requirement, *options = line.split()
        name, version = requirement.split("==")
        found[normalise(name)] = (version, [option.removeprefix("--hash=") for option in options])
    return found


def test_every_bundled_library_is_pinned_with_a_sha256_and_matches_constraints() -> None:
    locked = pins(LOCK.read_text())
    constraints = {
        normalise(name): version
        for name, version in (
            line.split("==") for line in (ROOT / "constraints.txt").read_text().splitlines() if "==" in line
        )
    }
    assert locked
    for name, (version, hashes) in locked.items():
        assert hashes and all(re.fullmatch(r"sha256:[0-9a-f]{64}", h) for h in hashes), name
        assert constraints.get(name) == version, (
            f"{name}=={version} in the lock, {constraints.get(name)} in constraints.txt"
        )


def test_every_runtime_dependency_of_tuneconf_is_in_the_lock() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    locked = pins(LOCK.read_text())
    for requirement in project["dependencies"]:
        name = normalise(re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0])
        assert name in locked, f"{requirement} is not in {LOCK.name}: run vscode-extension/scripts/lock-bundle.py"


def test_the_bundle_script_installs_with_require_hashes_and_tuneconf_without_deps() -> None:
    script = BUNDLE_SCRIPT.read_text()
    assert "--require-hashes" in script and "bundled-requirements.txt" in script
    assert re.search(r"--no-deps \"\$repo_root\"", script)
