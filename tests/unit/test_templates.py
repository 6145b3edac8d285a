"""Jinja templates are checked with stand-ins: one information, no finding a placeholder caused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fakepkg import write_package
from text_marks import unmark
from tuneconf.cli import main
from tuneconf.document.templates import has_placeholder, stand_ins
from tuneconf.findings import Finding, Severity
from tuneconf.project import Project
from tuneconf.settings import Settings

HEAD = "m:\n  _component_: canarypkg.tiny_model\n"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_package(tmp_path_factory.mktemp("ws"))


@pytest.fixture(scope="module")
def project(workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Project:
    return Project(Settings(), [workspace], cache_dir=tmp_path_factory.mktemp("cache"))


def check(project: Project, text: str) -> list[Finding]:
    return project.view("file:///t.yaml", None, text).findings()


# Each shape: only the template's information, on the first placeholder («…»); without the
# stand-ins each of these is a yaml-syntax, wrong-type or dotpath error.
SHAPES = {
    "whole value": HEAD + "  layers: «{{ layers }}»\n",
    "inside a string": HEAD + "  layers: 2\n  tags: [/data/«{{ name }}»/x]\n",
    "inside a dotpath": "m:\n  _component_: canarypkg.«{{ builder }}»\n  layers: 2\n",
    "whole dotpath": "m:\n  _component_: «{{ model_builder }}»\n  layers: 2\n",
    "key": HEAD + "  layers: 2\n«{{ key }}»: 1\n{{ other }}: 2\n",
    "statement lines": "«{% if big %}»\n" + HEAD + "  layers: 2\n{% else %}\n" + HEAD + "  layers: 1\n{% endif %}\n",
    "for loop": HEAD + "  layers: 2\n«{% for i in range(3) %}»\nx_{{ i }}: 1\n{% endfor %}\n",
    "comment": HEAD + "  layers: 2 «{# the depth #}»\n",
    "whole line": HEAD + "  layers: 2\n  «{{ extra_arguments }}»\n",
    "flow item": HEAD + "  layers: 2\n  tags: [«{{ a }}», b]\n",
    "quoted dotpath": 'm:\n  _component_: "«{{ x }}»"\n  layers: 2\n',
}


@pytest.mark.parametrize("marked", SHAPES.values(), ids=SHAPES.keys())
def test_each_shape_gives_only_the_template_information(project: Project, marked: str) -> None:
    text, (first,), _ = unmark(marked)
    found = [(f.code, f.severity, f.span) for f in check(project, text)]
    assert found == [("template", Severity.INFORMATION, first)]


def test_the_information_counts_the_placeholders(project: Project) -> None:
    (info,) = check(project, HEAD + "  layers: {{ a }}\n  heads: {{ b }}\n")
    assert "stand-ins for 2 placeholders" in info.message


def test_a_real_mistake_elsewhere_keeps_its_exact_range(project: Project) -> None:
    marked = "{% if x %}\n" + HEAD + "  layers: {{ n }}\n  «hedas»: 4\n{% endif %}\nlr: {{ lr }}\n"
    text, (span,), _ = unmark(marked)
    found = [(f.code, f.span) for f in check(project, text) if f.code != "template"]
    assert found == [("unexpected-argument", span)]


def test_a_mistake_after_a_placeholder_on_its_line_keeps_its_columns(project: Project) -> None:
    marked = "m: {_component_: canarypkg.tiny_model, layers: {{ n }}, «hedas»: 4}\n"
    text, (span,), _ = unmark(marked)
    assert [(f.code, f.span) for f in check(project, text) if f.code != "template"] == [("unexpected-argument", span)]


def test_stand_ins_keep_every_line_length_and_the_text_outside() -> None:
    text = "a: {{ x }}\nb: /p/{{ y }}/q\n{{ k }}: 1\n{% if z %}\nc: 1\n{% else %}\nc: 2\n{% endif %}\n"
    template = stand_ins(text)
    assert template is not None
    assert [len(line) for line in template.text.split("\n")] == [len(line) for line in text.split("\n")]
    assert template.text.split("\n")[:5] == ['a: "???"  ', "b: /p/xxxxxxx/q", "k0_____: 1", " " * 10, "c: 1"]
    assert template.text.split("\n")[6].strip() == ""  # the else branch: blank, so `c` is not a duplicate
    assert template.makes_keys


def test_an_ordinary_config_costs_nothing() -> None:
    assert stand_ins("a: 1\nb: {c: 2}\n") is None
    assert not has_placeholder("a: '{ {x} }'\n")


def test_an_unclosed_opener_is_not_a_placeholder() -> None:
    template = stand_ins("a: {{ x\nb: 1 {{ y }}\n")
    assert template is not None  # `{{ x` ... `}}` spans lines: blanked as one placeholder
    assert len(template.spans) == 1
    assert stand_ins("a: {{ x\n") is None


def test_missing_keys_are_not_claimed_when_rendering_may_add_keys(project: Project, workspace: Path) -> None:
    recipe = workspace / "needs_model.py"
    recipe.write_text("def recipe_main(cfg):\n    cfg.model\n    cfg.epochs\n")
    text = f"# tune run {recipe} --config x\n{{% include 'model.yaml' %}}\nepochs: 1\n"
    codes = [f.code for f in project.view("file:///r.yaml", None, text, config=True).findings()]
    assert "missing-key" not in codes
    assert "template" in codes


def test_cli_check_reports_the_information_and_the_real_mistake(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = workspace / "templated.yaml"
    config.write_text(HEAD + "  layers: {{ layers }}\n  hedas: 4\n  tags: [/d/{{ name }}]\n{{ key }}: 1\n")
    monkeypatch.chdir(workspace)
    monkeypatch.setenv("TUNECONF_CACHE_DIR", str(tmp_path))
    code = main(["check", "--format", "json", str(config)])
    rows = json.loads(capsys.readouterr().out)
    assert [(r["code"], r["severity"], r["line"]) for r in rows] == [
        ("template", "information", 3),
        ("unexpected-argument", "error", 4),
    ]
    assert code == 1


def test_a_reference_to_a_templated_value_is_not_a_problem(project: Project) -> None:
    found = check(project, HEAD + '  layers: ${depth}\ndepth: {{ depth }}\nother: "x${depth}"\n')
    assert [f.code for f in found] == ["template"]
