"""A fork's checkout in the workspace: the installed package runs (`tune run` appends the working
folder), so a name only the checkout has is a warning that says both, never an error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from text_marks import unmark
from tuneconf.cli import main
from tuneconf.findings import Severity
from tuneconf.project import Project
from tuneconf.settings import Settings


def fork(workspace: Path) -> Path:
    package = workspace / "torchtune"
    for folder, text in {
        package: "import torchvision_not_here\n",
        package / "dev": "",
        package / "models": "from torchtune.models import qwen3_local as qwen3\n",
    }.items():
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "__init__.py").write_text(text)
    return workspace


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(Settings(), [fork(tmp_path / "ws")], cache_dir=tmp_path / "cache")


def test_a_name_only_the_fork_has_is_a_warning_naming_both(project: Project) -> None:
    text, (dev, qwen), _ = unmark(
        "a:\n  _component_: torchtune.«dev».grpo.build\nb:\n  _component_: torchtune.models.«qwen3».qwen3_8b\n"
    )
    found = project.view("file:///c.yaml", None, text, config=True).findings()
    assert [(f.code, f.severity, f.span) for f in found] == [
        ("unknown-member", Severity.WARNING, dev),
        ("unknown-member", Severity.WARNING, qwen),
    ]
    assert "the workspace's own copy has it (torchtune/dev)" in found[0].message
    assert "(torchtune/models/__init__.py)" in found[1].message
    assert "pip install -e ." in found[0].message


def test_what_the_installed_package_has_is_checked_against_it_not_the_fork(project: Project) -> None:
    """The fork's __init__ imports a package that is not installed: nothing is said, it does not run."""
    text = "m:\n  _component_: torchtune.models.llama3_2.llama3_2_1b\nopt:\n  _component_: torchtune.nope.X\n"
    found = project.view("file:///c.yaml", None, text, config=True).findings()
    assert [(f.code, f.severity) for f in found] == [("unknown-member", Severity.ERROR)]


def test_the_cli_says_the_same_from_the_fork(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = fork(tmp_path / "ws")
    (workspace / "c.yaml").write_text("a:\n  _component_: torchtune.dev.grpo.build\n")
    monkeypatch.chdir(workspace)
    monkeypatch.setenv("TUNECONF_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["check", "--format", "json", "c.yaml"]) == 0  # warnings only
    rows = json.loads(capsys.readouterr().out)
    assert [(r["code"], r["severity"]) for r in rows] == [("unknown-member", "warning")]
