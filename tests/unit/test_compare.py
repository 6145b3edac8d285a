"""Compare with the built-in (compare.py, `tuneconf diff`): a copy of a real built-in config with one key
changed, one added and one removed, found by its header, by name and as the closest built-in; bad input
is a clear message and exit 2, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from builtin import CONFIG_ROOT, builtin_configs
from tuneconf.cli import main
from tuneconf.compare import CLOSEST, CLOSEST_MODEL, FROM_HEADER, NAMED, CompareError, compare, flatten
from tuneconf.index.environment import probe
from tuneconf.index.modules import ModuleFinder
from tuneconf.recipes.catalog import Catalog
from tuneconf.recipes.registry import Registry

NAME = "llama3_2/1B_lora_single_device"
RANK = "  lora_rank: 64  # higher increases accuracy and memory\n"
MLP = "  apply_lora_to_mlp: True\n"
CHANGES = {
    "added": {"extra.note": "hello"},
    "removed": {"model.apply_lora_to_mlp": True},
    "changed": {"model.lora_rank": [64, 16]},
}


@pytest.fixture(scope="module")
def registry() -> Registry:
    builtin_configs()
    return Catalog(ModuleFinder(probe(None, [])), [], {}).registry


def copied() -> str:
    """The built-in as `tune cp` copies it (header kept), then edited: one key changed, one removed, one added."""
    original = (CONFIG_ROOT / f"{NAME}.yaml").read_text()
    assert RANK in original and MLP in original, "the built-in changed: pick other keys"
    return original.replace(RANK, "  lora_rank: 16\n").replace(MLP, "") + "\nextra:\n  note: hello\n"


def headless() -> str:
    """The copy without its comments: nothing names the built-in."""
    return "".join(line for line in copied().splitlines(keepends=True) if not line.lstrip().startswith("#"))


def diff(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["diff", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_header_names_the_builtin(registry: Registry) -> None:
    result = compare(copied(), registry)
    assert (result.builtin.name, result.how) == (NAME, FROM_HEADER)
    assert result.builtin.path == CONFIG_ROOT / f"{NAME}.yaml"
    assert {k: v for k, v in result.json().items() if k in CHANGES} == CHANGES
    assert result.changed == {"model.lora_rank": (64, 16)}


def test_a_named_builtin_wins_over_the_header(registry: Registry) -> None:
    result = compare(copied(), registry, "llama3_2/1B_lora.yaml")
    assert (result.builtin.name, result.how) == ("llama3_2/1B_lora", NAMED)
    by_path = compare(copied(), registry, str(CONFIG_ROOT / f"{NAME}.yaml"))
    assert by_path.how == NAMED and by_path.json()["changed"] == CHANGES["changed"]


def test_without_a_header_the_closest_builtin_of_the_same_model_and_recipe(registry: Registry) -> None:
    result = compare(headless(), registry, recipe=lambda: "lora_finetune_single_device")
    assert (result.builtin.name, result.how) == (NAME, CLOSEST)
    assert {k: v for k, v in result.json().items() if k in CHANGES} == CHANGES
    unknown_recipe = compare(headless(), registry)
    assert unknown_recipe.how == CLOSEST_MODEL
    assert unknown_recipe.builtin.name.startswith("llama3_2/")


def test_interpolations_are_compared_as_written_and_lists_whole(tmp_path: Path, registry: Registry) -> None:
    base = tmp_path / "base.yaml"
    base.write_text("out: /a\nlogs: ${out}/logs\nlayers: [q, v]\nempty: {}\nflag: 1\n")
    mine = "out: /b\nlogs: ${out}/logs2\nlayers: [q, v, o]\nempty: {}\nflag: true\nnew: {}\n"
    result = compare(mine, registry, str(base))
    assert result.changed == {
        "flag": (1, True),
        "layers": (["q", "v"], ["q", "v", "o"]),
        "logs": ("${out}/logs", "${out}/logs2"),
        "out": ("/a", "/b"),
    }
    assert result.added == {"new": {}} and result.removed == {}
    assert flatten({"a": {"b": {"c": 1}, "d": []}}) == {"a.b.c": 1, "a.d": []}


@pytest.mark.parametrize(
    ("text", "builtin", "says"),
    [
        ("a: [1\n", None, "not valid YAML: "),
        ("model:\n  _component_: x.y\n", "no/such_config", "no built-in config 'no/such_config'"),
        ("epochs: 1\n", None, "names no model builder"),
        ("model:\n  _component_: my.own_model\n", None, "no built-in config uses the model my.own_model"),
        ("- 1\n- 2\n", None, "not a mapping"),
    ],
    ids=["yaml-error", "unknown-builtin", "no-model", "unknown-model", "not-a-mapping"],
)
def test_no_comparison_says_why(registry: Registry, text: str, builtin: str | None, says: str) -> None:
    with pytest.raises(CompareError, match=says):
        compare(text, registry, builtin)


def test_the_expansion_limit_applies(registry: Registry) -> None:
    bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
    bomb += "".join(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 6))
    with pytest.raises(CompareError, match="more than 10,000 YAML nodes"):
        compare(bomb, registry, NAME)


def test_cli_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    builtin_configs()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.yaml").write_text(copied())
    code, out, err = diff(capsys, "mine.yaml")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"compared with {NAME} (from the header)",
        "added:",
        '  extra.note: "hello"',
        "removed:",
        "  model.apply_lora_to_mlp: true",
        "changed:",
        "  model.lora_rank: 64 → 16",
    ]
    (tmp_path / "same.yaml").write_text((CONFIG_ROOT / f"{NAME}.yaml").read_text())
    assert diff(capsys, "same.yaml", NAME) == (0, f"compared with {NAME} (as named)\nno differences\n", "")


def test_cli_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    builtin_configs()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.yaml").write_text(headless())
    code, out, _ = diff(capsys, "--format", "json", "mine.yaml", NAME)
    assert code == 0
    assert json.loads(out) == {"builtin": NAME, "how": "as named", **CHANGES}
    code, out, _ = diff(capsys, "--format", "json", "mine.yaml")  # the CLI guesses the recipe itself
    assert code == 0 and json.loads(out)["how"] in (CLOSEST, CLOSEST_MODEL)


@pytest.mark.parametrize(
    ("files", "args", "says"),
    [
        ({}, ["missing.yaml"], "tuneconf: missing.yaml: "),
        ({"a.yaml": "model:\n  _component_: x.y\n"}, ["a.yaml", "nope/nothing"], "no built-in config 'nope/nothing'"),
        ({"a.yaml": "a: [1\nb: 2\n"}, ["a.yaml"], "cannot compare a.yaml: the config is not valid YAML: "),
    ],
    ids=["missing-file", "unknown-builtin", "yaml-error"],
)
def test_cli_bad_input_exits_2_with_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    files: dict[str, str],
    args: list[str],
    says: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    code, out, err = diff(capsys, *args)
    assert (code, out) == (2, "")
    assert says in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_cli_extra_arguments_are_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["diff", "a.yaml", NAME, "more"])
    assert exited.value.code == 2
    assert "unrecognized arguments: more" in capsys.readouterr().err
