"""Component diagnostics on marked text, against the fake package and the real torchtune."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from builtin import builtin_configs
from fakepkg import write_package
from text_marks import unmark
from tuneconf.findings import Finding, Severity
from tuneconf.project import Project
from tuneconf.settings import Settings


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = write_package(tmp_path_factory.mktemp("ws"))
    return Project(Settings(), [root], cache_dir=tmp_path_factory.mktemp("cache"))


def check(project: Project, text: str) -> list[Finding]:
    return project.view("file:///x.yaml", None, text).findings()


@pytest.mark.parametrize(
    ("marked", "code", "severity"),
    [
        ("m:\n  _component_: canarypkg.«tiny_modle»\n", "unknown-member", Severity.ERROR),
        ("m:\n  _component_: «canarypkgg».tiny_model\n", "not-installed", Severity.WARNING),
        ("m:\n  _component_: «nothere».x\n", "not-installed", Severity.WARNING),
        ("m:\n  _component_: canarypkg«..»x\n", "invalid-dotpath", Severity.ERROR),
        ("m:\n  _component_: «canarypkg.sub»\n", "not-callable", Severity.ERROR),
        ("m:\n  _component_: «canarypkg._builders.tiny_model»\n  layers: 2\n", "private-dotpath", Severity.WARNING),
        ("m:\n  _component_: canarypkg.tiny_model\n  layers: 2\n  «hedas»: 4\n", "unexpected-argument", Severity.ERROR),
        ("m:\n  _component_: canarypkg.Plain\n  width: 1\n  «mdoe»: fast\n", "kwargs-argument", Severity.INFORMATION),
        ("m:\n  _component_: canarypkg.tiny_model\n  layers: «two»\n", "wrong-type", Severity.ERROR),
        ("m:\n  _component_: canarypkg.make\n  color: RED\n  ratio: «[1]»\n", "wrong-type", Severity.ERROR),
        ("m:\n  _component_: canarypkg.make\n  color: «GREEN»\n", "wrong-type", Severity.ERROR),
        ("m:\n  _component_: canarypkg.Plain\n  width: 1\n  mode: «medium»\n", "wrong-type", Severity.ERROR),
        ("m:\n  _component_: canarypkg.make\n  color: RED\n  flag: «null»\n", "wrong-type", Severity.WARNING),
        ("m:\n  _component_: canarypkg.Widget\n  «size»: 3\n", "positional-only", Severity.ERROR),
        ("m:\n  _component_: «123»\n", "component-not-string", Severity.ERROR),
        ("m:\n  _component_: «canarypkg.fast.thing»\n", "compiled-module", Severity.INFORMATION),
        ("# tune run x --config y\ncollate_fn: canarypkg.«nope»\n", "unknown-member", Severity.ERROR),
        ("ds:\n  - _component_: canarypkg.tiny_model\n    «headz»: 2\n", "unexpected-argument", Severity.ERROR),
    ],
)
def test_each_problem_has_its_code_severity_and_exact_range(
    project: Project, marked: str, code: str, severity: Severity
) -> None:
    text, (span,), _ = unmark(marked)
    found = [(f.code, f.severity, f.span) for f in check(project, text)]
    assert found == [(code, severity, span)]


@pytest.mark.parametrize(
    "text",
    [
        "m:\n  _component_: canarypkg.tiny_model\n  layers: ${n}\n  heads: ???\nn: 2\n",
        "m:\n  _component_: canarypkg.make\n  color: BLUE\n  ratio: 1\n  name: null\n",
        "m:\n  _component_: canarypkg.Config\n  name: x\n  tags: [a, b]\n",
        "m:\n  _component_: canarypkg.tiny_model\n  layers: 1\n  tags: [a]\n  quantize: true\n",
        "m: {_component_: canarypkg.Plain, width: 2, mode: slow}\n",
    ],
)
def test_valid_components_are_silent(project: Project, text: str) -> None:
    assert [f.code for f in check(project, text) if f.code != "missing-value"] == []


def test_did_you_mean_and_the_fixes_it_offers(project: Project) -> None:
    (finding,) = check(project, "m:\n  _component_: canarypkg.tiny_model\n  layers: 1\n  hedas: 4  # note\n")
    assert "did you mean 'heads'?" in finding.message.lower()
    rename, remove = finding.data["fixes"]
    assert rename["edits"] == [[3, 2, 3, 7, "heads"]] and rename["preferred"]
    assert remove["edits"] == [[3, 0, 4, 0, ""]]


def test_private_path_fix_uses_the_public_reexport(project: Project) -> None:
    (finding,) = check(project, "m:\n  _component_: canarypkg._builders.tiny_model\n  layers: 1\n")
    assert finding.data["fixes"][0]["edits"] == [[1, 15, 1, 45, "canarypkg.tiny_model"]]


def test_hydra_target_key_when_configured(project: Project, tmp_path: Path) -> None:
    hydra = Project(Settings(component_keys=("_target_",)), project.folders, cache_dir=tmp_path)
    findings = hydra.view("file:///h.yaml", None, "m:\n  _target_: canarypkg.tiny_model\n  layerz: 1\n").findings()
    assert [f.code for f in findings] == ["unexpected-argument"]


def test_no_error_on_any_builtin_config_and_not_installed_says_which_interpreter(tmp_path: Path) -> None:
    real = Project(Settings(), [], cache_dir=tmp_path)
    codes: set[str] = set()
    for file in builtin_configs():
        findings = real.view(file.as_uri(), None, file.read_text()).findings()
        # (missing-dependency: the vision configs need torchvision, absent here; test_import_dependencies.py)
        assert [f for f in findings if f.severity is Severity.ERROR and f.code != "missing-dependency"] == [], file
        codes.update(f.code for f in findings)
        for finding in findings:
            if finding.code == "not-installed":
                assert real.index.env.interpreter in finding.message
    # (path-missing: the built-ins read /tmp/<model> folders, not downloaded here: test_path_checks.py)
    assert codes <= {"not-installed", "private-dotpath", "unused-key", "missing-dependency", "path-missing"}


def test_settings_change_the_component_keys_without_a_new_index(project: Project) -> None:
    before = project.index
    project.configure(dataclasses.replace(project.settings, dotpath_keys=("collate_fn",)))
    assert project.index is before


def test_checking_plain_yaml_as_a_config_leaves_the_documents_own_view(project: Project) -> None:
    """Check/Run on YAML nothing marks as a config analyse it as one, without changing what the
    editor shows for that version (no findings) or dropping its cached analysis."""
    text = "model:\n  lora_rnak: 8\n"
    own = project.view("file:///plain.yaml", 3, text)
    forced = project.view("file:///plain.yaml", 3, text, config=True)
    assert not own.is_config and own.findings() == []
    assert forced.is_config and forced is not own
    assert project.view("file:///plain.yaml", 3, text) is own
