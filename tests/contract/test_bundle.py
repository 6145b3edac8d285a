"""The .vsix carries the server's libraries: the launcher runs on a Python that has none of them."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

import tuneconf
from fakepkg import write_package

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = ROOT / "vscode-extension" / "bundled" / "tool" / "launch.py"
VSIX = ROOT / "dist" / f"tuneconf-{tuneconf.__version__}.vsix"


def bare_python() -> str:
    """A Python outside our virtual environment (so pygls is not importable unless bundled)."""
    for name in ("python3", "python"):
        found = shutil.which(name, path="/usr/local/bin:/usr/bin:/bin")
        if found:
            return found
    pytest.skip("no system Python")


@pytest.mark.skipif(not LAUNCHER.exists(), reason="run `make vsix` first (make test does)")
def test_the_bundled_launcher_runs_the_server_cli_on_a_bare_python() -> None:
    proc = subprocess.run([bare_python(), "-I", str(LAUNCHER), "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("tuneconf ")


@pytest.mark.skipif(not LAUNCHER.exists(), reason="run `make vsix` first (make test does)")
def test_the_bundled_checker_resolves_components_with_only_its_own_libraries(tmp_path: Path) -> None:
    write_package(tmp_path)  # resolved from the working directory, as torchtune's instantiate does
    config = tmp_path / "c.yaml"
    config.write_text("m:\n  _component_: canarypkg.tiny_model\n  layers: 2\n  layerz: 2\n")
    proc = subprocess.run(
        [bare_python(), "-I", "-S", str(LAUNCHER), "check", "--format", "json", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 1, proc.stderr
    assert '"unexpected-argument"' in proc.stdout


@pytest.mark.skipif(not VSIX.exists(), reason="run `make vsix` first (make test does)")
def test_the_vsix_holds_the_extension_and_the_server_libraries() -> None:
    names = set(zipfile.ZipFile(VSIX).namelist())
    for needed in (
        "extension/dist/extension.js",
        "extension/bundled/tool/launch.py",
        "extension/bundled/tool/tee.py",
        "extension/bundled/libs/tuneconf/lsp/server.py",
        "extension/bundled/libs/pygls/__init__.py",
        "extension/bundled/libs/omegaconf/__init__.py",
        "extension/bundled/libs/griffe/__init__.py",
        "extension/package.json",
    ):
        assert needed in names
    assert not any("node_modules/" in n or n.endswith(".pyc") for n in names)
