"""`tune run` puts the folder it runs from on sys.path: modules beside a config resolve; a module
found nowhere says where we looked and how to fix it, never a guess at another installed package."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from text_marks import unmark
from tuneconf.cli import main
from tuneconf.findings import Finding, Severity
from tuneconf.index.records import Status
from tuneconf.project import Project
from tuneconf.settings import Settings

# Writes a canary when imported: analysis must never import the user's code.
MODULE = """\
from pathlib import Path as _P
_P(__file__).with_name("IMPORTED").write_text("imported")

def build(width: int, depth: int = 2):
    '''Build a local thing.'''
"""


def write_module(folder: Path, name: str = "localmod") -> Path:
    package = folder / name
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(MODULE)
    return package


@pytest.fixture
def project(tmp_path: Path) -> Project:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    return Project(Settings(), [workspace], cache_dir=tmp_path / "cache")


def findings(project: Project, config: Path, text: str) -> list[Finding]:
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(text)
    return project.view(config.as_uri(), None, text, config=True).findings()


def test_a_module_in_the_configs_folder_resolves_and_is_never_imported(project: Project, tmp_path: Path) -> None:
    package = write_module(tmp_path / "elsewhere")
    text, (span,), _ = unmark("m:\n  _component_: localmod.build\n  «widht»: 1\n")
    found = [(f.code, f.span, f.message) for f in findings(project, tmp_path / "elsewhere" / "c.yaml", text)]
    assert found == [("unexpected-argument", span, "Unexpected argument 'widht' for build. Did you mean 'width'?")]
    assert project.index.resolve("localmod.build").status is Status.OK  # hover and definition see it too
    assert "localmod" in [m.name for m in project.index.listing("").members]  # and completion
    assert not (package / "IMPORTED").exists()


def test_a_module_in_a_workspace_folder_resolves(project: Project, tmp_path: Path) -> None:
    write_module(project.folders[0])
    found = findings(project, tmp_path / "other" / "c.yaml", "m:\n  _component_: localmod.build\n  width: 1\n")
    assert found == []


def test_a_miss_is_looked_up_again_once_the_configs_folder_is_searched(project: Project, tmp_path: Path) -> None:
    write_module(tmp_path / "later")
    assert project.index.resolve("localmod.build").status is Status.NOT_INSTALLED
    assert findings(project, tmp_path / "later" / "c.yaml", "m:\n  _component_: localmod.build\n  width: 1\n") == []


def test_a_module_found_nowhere_says_where_we_looked_and_how_to_fix_it(project: Project, tmp_path: Path) -> None:
    write_module(tmp_path / "src")  # not where the config is: `tune run` from here would not find it either
    text, (span,), _ = unmark("m:\n  _component_: «localmod».build\n")
    (finding,) = findings(project, tmp_path / "configs" / "c.yaml", text)
    assert (finding.code, finding.severity, finding.span) == ("not-installed", Severity.WARNING, span)
    for part in ("workspace folders", "the config's folder", "PYTHONPATH", "run `tune run` from the folder"):
        assert part in finding.message


def test_no_guess_at_an_installed_package_of_another_name(project: Project, tmp_path: Path) -> None:
    write_module(project.folders[0], "tokenizers")
    (finding,) = findings(project, tmp_path / "c" / "c.yaml", "m:\n  _component_: tokenizer.build\n")
    assert finding.code == "not-installed"
    assert "tokenizers" not in finding.message and not finding.data.get("fixes")


def test_a_plain_folder_beside_the_config_is_not_a_namespace_package(project: Project, tmp_path: Path) -> None:
    (tmp_path / "configs" / "data").mkdir(parents=True)  # a folder of YAML files, not Python
    (tmp_path / "configs" / "data" / "a.yaml").write_text("x: 1\n")
    found = findings(project, tmp_path / "configs" / "c.yaml", "m:\n  _component_: data.loaders.Thing\n")
    assert [(f.code, f.severity) for f in found] == [("not-installed", Severity.WARNING)]


def test_an_installed_module_wins_over_one_beside_the_config(project: Project, tmp_path: Path) -> None:
    shadow = tmp_path / "shadow"
    (shadow / "json").mkdir(parents=True)
    (shadow / "json" / "__init__.py").write_text("def nothing(): ...\n")
    found = findings(project, shadow / "c.yaml", "m:\n  _component_: json.dumps\n  obj: 1\n")
    assert found == []


def test_cli_check_finds_the_module_beside_the_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_module(tmp_path / "proj")
    config = tmp_path / "proj" / "c.yaml"
    config.write_text("m:\n  _component_: localmod.build\n  widht: 1\n")
    (tmp_path / "run_from").mkdir()
    monkeypatch.chdir(tmp_path / "run_from")
    monkeypatch.setenv("TUNECONF_CACHE_DIR", str(tmp_path / "cache"))
    main(["check", "--format", "json", str(config)])
    rows = json.loads(capsys.readouterr().out)
    assert [r["code"] for r in rows] == ["unexpected-argument"]


@pytest.mark.parametrize(
    ("script", "line"),
    [
        ("train.sh", "cd training && tune run recipe.py --config configs/exp/a.yaml lr=1e-4\n"),
        ("README.md", "```bash\ncd training\ntune run recipe.py --config ./configs/exp/a.yaml\n```\n"),
    ],
)
def test_a_module_in_the_folder_a_launch_command_runs_from_resolves(
    project: Project, tmp_path: Path, script: str, line: str
) -> None:
    workspace = project.folders[0]
    write_module(workspace / "training")
    (workspace / script).write_text(line)
    config = workspace / "training" / "configs" / "exp" / "a.yaml"
    text, (span,), _ = unmark("m:\n  _component_: localmod.build\n  «widht»: 1\n")
    found = [(f.code, f.span) for f in findings(project, config, text) if f.severity is not Severity.INFORMATION]
    assert found == [("unexpected-argument", span)]


def test_a_launch_command_naming_another_file_adds_no_folder(project: Project, tmp_path: Path) -> None:
    workspace = project.folders[0]
    write_module(workspace / "training")
    (workspace / "train.sh").write_text("cd training && tune run recipe.py --config configs/exp/b.yaml\n")
    config = workspace / "training" / "configs" / "exp" / "a.yaml"
    found = findings(project, config, "m:\n  _component_: localmod.build\n  width: 1\n")
    assert [f.code for f in found] == ["not-installed"]


def test_completion_of_a_package_hides_module_plumbing_until_asked(project: Project, tmp_path: Path) -> None:
    """`__pycache__` is never a module; `__all__` / `__version__` are offered only once `__` is typed;
    private modules are offered after the public names (the Emacs test saw all three at the top)."""
    from tuneconf.document.positions import Converter
    from tuneconf.features.completion import complete

    package = tmp_path / "workspace" / "plumbed"
    (package / "__pycache__").mkdir(parents=True)
    (package / "__init__.py").write_text("__all__ = ['build']\n__version__ = '1'\n\ndef build(rank: int): ...\n")
    (package / "_private.py").write_text("def hidden(): ...\n")

    def labels(typed: str) -> list[str]:
        text = f"model:\n  _component_: plumbed.{typed}\n"
        view = project.view((tmp_path / "workspace" / "c.yaml").as_uri(), None, text, config=True)
        found = complete(view.parsed, 1, len(f"  _component_: plumbed.{typed}"), view.ctx, Converter(view.parsed.lines))
        assert found is not None
        return [item.label for item in sorted(found.items, key=lambda item: item.sort_text or item.label)]

    assert labels("") == ["build", "_private"]
    assert {"__all__", "__version__"} <= set(labels("__")) and "__pycache__" not in labels("__")
