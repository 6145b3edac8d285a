"""Static composition of Hydra primary configs against hydra.compose itself (Hydra 1.3 in .venv-hydra,
one subprocess for the whole module): the composed data and the choices of every primary config of the
projects in tests/hydra_projects, with and without overrides, and Hydra's own error messages for what
it refuses. Then what Hydra does not report: origins, files, spans, groups and options."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from hydra_parity import hydra_compose_many
from tuneconf.hydra.compose import Composition, compose, find_config, groups, options

PROJECTS = Path(__file__).resolve().parents[1] / "hydra_projects"
MINE = [
    "broken",
    "choice_interpolation",
    "experiments",
    "groups_packages",
    "header_packages",
    "nested",
    "optional_null",
    "option_lists",
    "self_order",
]


def _primaries() -> list[tuple[str, str]]:
    found = []
    for project in MINE:
        conf = PROJECTS / project / "conf"
        found.extend((project, f.stem) for f in sorted(conf.glob("*.yaml")))
    found.append(("choice_interpolation", "sub/inner"))
    return found


OVERRIDDEN = [
    ("experiments", "config", ["experiment=fast"]),
    ("experiments", "config", ["experiment=eval"]),
    ("experiments", "config", ["+experiment=fast"]),
    ("experiments", "plain", ["+experiment=fast"]),
    ("experiments", "plain", ["+experiment=eval", "seed=3"]),
    ("optional_null", "config", ["db=mysql", "logger=tensorboard"]),
    ("optional_null", "config", ["logger=wandb", "~db"]),
    ("optional_null", "config", ["~db_tuning"]),
    ("choice_interpolation", "config", ["dataset=cifar", "model=vit"]),
    ("groups_packages", "config", ["db=postgresql", "db@backup=mysql"]),
    ("groups_packages", "config", ["app.name=x", "+app.extra=1", "~app.db_url", "++db.port=1"]),
    ("groups_packages", "config", ["app.nope=x"]),
    ("groups_packages", "config", ["+app.name=again"]),
    ("groups_packages", "config", ["~app.nope"]),
    ("groups_packages", "config", ["db=oracle"]),
    ("groups_packages", "config", ["cache=redis"]),
    ("groups_packages", "config", ["db@nowhere=mysql"]),
    ("groups_packages", "config", ["hydra.run.dir=elsewhere", "hydra/launcher=basic"]),
    ("groups_packages", "bare", ["+db=mysql"]),
    ("option_lists", "config", ["augment=[crop]"]),
    ("option_lists", "config", ["augment=[crop,flip]", "trainer.max_steps=5"]),
    ("self_order", "config", ["trainer=slow", "+model/extra=dropout"]),
    ("nested", "config", ["model/encoder=big"]),
    ("nested", "config", ["model/encoder/attention=nope"]),
    ("broken", "mandatory", ["db=postgresql"]),
    ("groups_packages", "config", ["app.name=a,b"]),
    ("groups_packages", "config", ["db=mysql,postgresql"]),
    ("groups_packages", "config", ["app.name=range(3)"]),
    ("groups_packages", "config", ["+db=mysql"]),
    ("groups_packages", "config", ["++db=mysql"]),
    ("groups_packages", "config", ["~db=postgresql"]),
    ("groups_packages", "config", ["~db=mysql", "~db@backup"]),
    ("groups_packages", "config", ["db=[mysql,postgresql]"]),
    ("groups_packages", "config", ["db={port: 1}"]),
    ("option_lists", "config", ["augment=flip"]),
    ("header_packages", "config", ["model@_global_=resnet", "opt@top_opt=adam"]),
]

CASES = [(p, n, []) for p, n in _primaries()] + OVERRIDDEN


def _id(case: tuple[str, str, list[str]]) -> str:
    project, name, overrides = case
    return f"{project}/{name}" + ("[" + ",".join(overrides) + "]" if overrides else "")


@pytest.fixture(scope="module")
def hydra_answers() -> dict[str, dict[str, Any]]:
    requests = [(PROJECTS / p / "conf", n, o) for p, n, o in CASES]
    answers = hydra_compose_many(requests)
    return {_id(case): answer for case, answer in zip(CASES, answers, strict=True)}


def _ours(project: str, name: str, overrides: list[str]) -> Composition:
    parsed: list[Any] = []
    if overrides:
        module = pytest.importorskip("tuneconf.hydra.overrides")
        parsed = [module.parse(text) for text in overrides]
    return compose([PROJECTS / project / "conf"], name, parsed)


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_composition_matches_hydra(case: tuple[str, str, list[str]], hydra_answers: dict[str, dict[str, Any]]) -> None:
    answer = hydra_answers[_id(case)]
    ours = _ours(*case)
    messages = [p.message for p in ours.problems if p.code != "unknown-keyword"]
    if answer["error"] is None:
        assert messages == []
        assert ours.data == answer["data"]
        assert ours.choices == answer["choices"]
        return
    # Hydra stops at its first error; ours go on, and one of them is Hydra's message (up to the
    # search path Hydra appends to its "not found" errors).
    theirs = answer["error"]["message"]
    matching = [m for m in messages if theirs == m or (theirs.startswith(m) and _only_search_path(theirs[len(m) :]))]
    assert matching, f"Hydra: {theirs!r}\nours: {messages!r}"


def _only_search_path(rest: str) -> bool:
    return rest.lstrip("\n").startswith("Config search path:")


def test_every_feature_is_exercised(hydra_answers: dict[str, dict[str, Any]]) -> None:
    """The projects cover what they claim: some compositions succeed, some fail, each way."""
    failed = [k for k, a in hydra_answers.items() if a["error"] is not None]
    assert len(failed) >= 15 and len(hydra_answers) - len(failed) >= 25


def _text_at(path: Path, span: Any) -> str:
    line = path.read_text().splitlines()[span.start_line]
    return str(line[span.start_col : span.end_col])


def test_problems_point_at_the_entry() -> None:
    conf = PROJECTS / "broken" / "conf"
    bad = compose([conf], "bad_option")
    [problem] = bad.problems
    assert problem.code == "option-not-found" and problem.file == conf / "bad_option.yaml"
    assert _text_at(conf / "bad_option.yaml", problem.span) == "db: oracle"
    nested = compose([conf], "nested_missing").problems
    assert [(p.code, p.file) for p in nested] == [("option-not-found", conf / "extra" / "broken_inside.yaml")]
    missing = compose([conf], "missing_group").problems
    assert [p.code for p in missing] == ["group-not-found"]
    unmatched = compose([conf], "unmatched_override").problems
    assert [p.code for p in unmatched] == ["override-unused"]
    assert _text_at(conf / "unmatched_override.yaml", unmatched[0].span) == "override cache: redis"
    assert [p.code for p in compose([conf], "nosuch").problems] == ["primary-not-found"]
    assert [p.code for p in compose([conf], "unknown_keyword").problems] == ["multiple-values", "unknown-keyword"]


def test_origins_and_files_in_merge_order() -> None:
    conf = PROJECTS / "nested" / "conf"
    result = compose([conf], "config")
    model = conf / "model"
    assert result.files == (
        model / "encoder" / "attention" / "flash.yaml",
        model / "encoder" / "small.yaml",
        conf / "activation" / "gelu.yaml",
        conf / "activation" / "relu.yaml",
        model / "base.yaml",
        conf / "common" / "shared.yaml",
        model / "transformer.yaml",
        conf / "config.yaml",
    )
    assert result.origins[("model", "depth")] == (model / "base.yaml", model / "transformer.yaml")
    assert result.origins[("model", "common", "depth")] == (conf / "common" / "shared.yaml",)
    assert result.origins[("name",)] == (conf / "config.yaml",)
    assert set(result.origins) == set(_leaves(result.data))


def test_origins_forget_what_a_later_file_replaced(tmp_path: Path) -> None:
    (tmp_path / "g").mkdir()
    (tmp_path / "g" / "a.yaml").write_text("# @package _global_\nx:\n  y: 1\n  z: 2\nw: [1]\n")
    (tmp_path / "config.yaml").write_text("defaults:\n  - g: a\n  - _self_\nx: 5\nw: [2]\nv: {}\n")
    result = compose([tmp_path], "config")
    assert result.data == {"x": 5, "w": [2], "v": {}}
    assert result.origins == {
        ("x",): (tmp_path / "config.yaml",),
        ("w",): (tmp_path / "g" / "a.yaml", tmp_path / "config.yaml"),
        ("v",): (tmp_path / "config.yaml",),
    }


def _leaves(data: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if isinstance(data, dict) and data:
        return [leaf for k, v in data.items() for leaf in _leaves(v, (*prefix, str(k)))]
    return [prefix]


def test_groups_options_and_config_files() -> None:
    conf = PROJECTS / "nested" / "conf"
    assert groups([conf]) == ["activation", "common", "exp", "model"]
    assert groups([conf], "model") == ["encoder"]
    assert options([conf], "model/encoder") == ["big", "small"]
    assert options([conf], "activation") == ["gelu", "relu"]
    assert options([conf], "nosuch") == []
    assert find_config([conf], "model/base") == conf / "model" / "base.yaml"
    assert find_config([conf], "/model/base.yaml") == conf / "model" / "base.yaml"
    assert find_config([conf], "model/nosuch") is None


def test_search_path_first_root_wins_and_options_are_merged(tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "mysql.yaml").write_text("host: mine\n")
    (tmp_path / "db" / "sqlite.yaml").write_text("file: x\n")
    (tmp_path / "db" / "legacy.yml").write_text("old: true\n")
    shipped = PROJECTS / "groups_packages" / "conf"
    assert options([tmp_path, shipped], "db") == ["mysql", "postgresql", "sqlite"]
    assert options([tmp_path], "db", version_base="1.1") == ["legacy", "mysql", "sqlite"]
    result = compose([tmp_path, shipped], "config")
    assert result.data["db"]["host"] == "mine" and result.data["db"]["port"] == 3307
    assert result.files[0] == tmp_path / "db" / "mysql.yaml"


def test_editor_text_replaces_the_file_and_changed_files_are_read_again(tmp_path: Path) -> None:
    primary = tmp_path / "config.yaml"
    primary.write_text("a: 1\n")
    assert compose([tmp_path], "config").data == {"a": 1}
    assert compose([tmp_path], "config", texts={primary: "a: 2\nb: 3\n"}).data == {"a": 2, "b": 3}
    primary.write_text("a: 10\n")
    assert compose([tmp_path], "config").data == {"a": 10}


def test_a_merge_hydra_refuses_and_a_file_that_does_not_load(tmp_path: Path) -> None:
    (tmp_path / "g").mkdir()
    (tmp_path / "g" / "a.yaml").write_text("# @package _global_\nx: [1]\n")
    (tmp_path / "g" / "b.yaml").write_text("x: [unclosed\n")
    (tmp_path / "config.yaml").write_text("defaults:\n  - g: a\n  - _self_\nx:\n  y: 1\n")
    (tmp_path / "broken.yaml").write_text("defaults:\n  - g: b\n")
    merged = compose([tmp_path], "config")
    assert [p.code for p in merged.problems] == ["merge-error"]
    assert merged.problems[0].message.startswith("In 'config': ConfigTypeError raised while composing config:")
    broken = compose([tmp_path], "broken")
    assert [(p.code, p.file) for p in broken.problems] == [("load-error", tmp_path / "g" / "b.yaml")]


def test_twenty_files_compose_in_milliseconds(tmp_path: Path) -> None:
    lines = ["defaults:"]
    for index in range(19):
        group = tmp_path / f"g{index}"
        group.mkdir()
        (group / "opt.yaml").write_text("".join(f"k{j}: {j}\nsub{j}:\n  x: ${{k{j}}}\n" for j in range(10)))
        lines.append(f"  - g{index}: opt")
    (tmp_path / "config.yaml").write_text("\n".join([*lines, "  - _self_", "top: 1", ""]))
    compose([tmp_path], "config")
    start = time.perf_counter()
    for _ in range(20):
        result = compose([tmp_path], "config")
    elapsed = (time.perf_counter() - start) / 20
    assert len(result.files) == 20 and not result.problems
    assert elapsed < 0.02, f"{elapsed * 1000:.1f} ms a composition"
