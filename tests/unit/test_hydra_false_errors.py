"""Hydra configs that Hydra composes and runs, where a checker reading only the files would cry wolf: each
case is composed by Hydra itself (in .venv-hydra) in the same test, and tuneconf must report no error on
it. The cases come from real projects and from a review of the Hydra support."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hydra_parity import hydra_compose_many
from tuneconf.findings import Severity
from tuneconf.project import Project
from tuneconf.settings import Settings
from workspace_files import write

MAIN = '@hydra.main(version_base="1.3", config_path="conf", config_name="config")'


def train(body: str = "    return cfg\n", head: str = "") -> str:
    return f"import hydra\nfrom hydra.utils import instantiate\n{head}\n\n{MAIN}\ndef main(cfg):\n{body}"


CASES: dict[str, tuple[dict[str, str], list[str]]] = {
    "a sweep over keys an experiment adds": (
        {
            "conf/config.yaml": "defaults:\n  - model: small\n  - _self_\n",
            "conf/model/small.yaml": "net:\n  width: 8\n",
            "conf/model/big.yaml": "net:\n  width: 64\n  depth: 4\n",
            "conf/experiment/deep.yaml": "# @package _global_\ndefaults:\n  - override /model: big\n",
            "conf/hparams_search/depth.yaml": (
                "# @package _global_\nhydra:\n  sweeper:\n    params:\n      model.net.depth: choice(2, 4)\n"
                "      hydra.job.chdir: true,false\n"
            ),
        },
        ["+hparams_search=depth", "+experiment=deep", "model.net.depth=2"],
    ),
    "header comments that are not @package": (
        {
            "conf/config.yaml": "defaults:\n  - db: mysql\n  - _self_\n",
            "conf/db/mysql.yaml": "# @author: someone\nhost: localhost\n",
        },
        [],
    ),
    "an experiment included at the top": (
        {
            "conf/config.yaml": "defaults:\n  - model: small\n  - experiment@_global_: exp1\n  - _self_\nseed: 1\n",
            "conf/model/small.yaml": "width: 8\n",
            "conf/model/big.yaml": "width: 64\n",
            "conf/experiment/exp1.yaml": "defaults:\n  - override /model: big\nseed: 2\n",
        },
        [],
    ),
    "a group reused under two packages with a relative interpolation": (
        {
            "conf/config.yaml": (
                "defaults:\n  - block@model.encoder: conv\n  - block@model.decoder: conv\n  - _self_\n"
                "model:\n  width: 64\n"
            ),
            "conf/block/conv.yaml": "channels: ${..width}\n",
        },
        [],
    ),
    "a whole-file component with a defaults list": (
        {
            "conf/config.yaml": "defaults:\n  - opt: p\n  - _self_\n",
            "conf/opt/p.yaml": (
                "defaults:\n  - /sched: step\n  - _self_\n_target_: fractions.Fraction\nnumerator: 1\ndenominator: 2\n"
            ),
            "conf/sched/step.yaml": "# @package _global_\nstep: 1\n",
        },
        [],
    ),
    "_args_ the caller replaces with its own positional arguments": (
        {
            "conf/config.yaml": "defaults:\n  - opt: p\n  - _self_\n",
            "conf/opt/p.yaml": "_target_: fractions.Fraction\n_args_: [1, 2, 5]\n",
        },
        [],
    ),
    "an unknown keyword Hydra ignores": (
        {"conf/config.yaml": "defaults:\n  - required db: mysql\n  - _self_\n", "conf/db/mysql.yaml": "host: x\n"},
        [],
    ),
}
CODE = {"_args_ the caller replaces with its own positional arguments": "    return instantiate(cfg.opt, 3, 4)\n"}
RESOLVERS = 'from omegaconf import OmegaConf\nfor name, fn in {"mul": lambda a, b: a * b}.items():\n'
RESOLVERS += "    OmegaConf.register_new_resolver(name, fn)\n"


@pytest.fixture(scope="module")
def hydra_answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    """Hydra's own composition of every case (one subprocess)."""
    roots = {name: _project(tmp_path_factory.mktemp("case"), name) for name in CASES}
    answers = hydra_compose_many([(roots[name] / "conf", "config", CASES[name][1]) for name in CASES])
    return {name: {"root": roots[name], **answer} for name, answer in zip(CASES, answers)}


def _project(root: Path, name: str) -> Path:
    files, _ = CASES[name]
    return write(root, {"train.py": train(CODE.get(name, "    return cfg\n")), **files})


@pytest.mark.parametrize("name", list(CASES))
def test_what_hydra_composes_gets_no_error(name: str, hydra_answers: dict[str, dict[str, object]]) -> None:
    answer = hydra_answers[name]
    assert answer["error"] is None, answer["error"]  # Hydra composes it
    root = answer["root"]
    assert isinstance(root, Path)
    project = Project(Settings(), [root])
    errors = []
    for file in sorted((root / "conf").rglob("*.yaml")):
        view = project.view(file.as_uri(), None, file.read_text())
        errors += [(file.name, f.code, f.message) for f in view.findings() if f.severity is Severity.ERROR]
    assert errors == []


def test_resolvers_registered_under_computed_names_are_no_error(tmp_path: Path) -> None:
    root = write(tmp_path, {"train.py": train(head=RESOLVERS), "conf/config.yaml": "b: ${mul:2,3}\n"})
    view = Project(Settings(), [root]).view((root / "conf/config.yaml").as_uri(), None, "b: ${mul:2,3}\n")
    assert [(f.code, f.severity) for f in view.findings()] == [("unknown-resolver", Severity.WARNING)]


def test_an_option_from_an_unresolved_searchpath_is_a_warning(tmp_path: Path) -> None:
    text = "defaults:\n  - db: oracle\n  - _self_\nhydra:\n  searchpath:\n    - pkg://installed_lib.conf\n"
    root = write(tmp_path, {"train.py": train(), "conf/config.yaml": text, "conf/db/mysql.yaml": "x: 1\n"})
    view = Project(Settings(), [root]).view((root / "conf/config.yaml").as_uri(), None, text)
    assert [(f.code, f.severity) for f in view.findings()] == [("unknown-config-option", Severity.WARNING)]


def test_a_misspelt_package_directive_is_still_an_error(tmp_path: Path) -> None:
    files = {
        "train.py": train(),
        "conf/config.yaml": "defaults:\n  - db: a\n",
        "conf/db/a.yaml": "# @pakage _globl_\nx: 1\n",
    }
    root = write(tmp_path, files)
    view = Project(Settings(), [root]).view((root / "conf/db/a.yaml").as_uri(), None, files["conf/db/a.yaml"])
    assert [(f.code, f.severity) for f in view.findings()] == [("hydra-package", Severity.ERROR)]


def test_callables_of_modules_built_into_the_interpreter(tmp_path: Path) -> None:
    """`functools.partial` is `_functools.partial`, which has no file: its signature is unknown, not missing."""
    text = "a:\n  _target_: functools.partial\nb:\n  _target_: collections.deque\n  maxlen: 3\n"
    text += "c:\n  _target_: builtins.dict\n  x: 1\n"
    root = write(tmp_path, {"cfg.yaml": text})
    view = Project(Settings(), [root]).view((root / "cfg.yaml").as_uri(), None, text)
    assert {(f.code, f.severity) for f in view.findings()} == {("compiled-module", Severity.INFORMATION)}


@pytest.mark.timeout(60)
def test_a_fifo_among_the_configs_gets_a_message_not_a_hang(tmp_path: Path) -> None:
    text = "defaults:\n  - db: pipe\n  - _self_\n"
    root = write(tmp_path, {"train.py": train(), "conf/config.yaml": text, "pyproject.toml": ""})
    (root / "conf/db").mkdir()
    os.mkfifo(root / "conf/db/pipe.yaml")
    os.mkfifo(root / "mod.py")  # the entry-point and resolver scans read Python files too
    view = Project(Settings(), [root]).view((root / "conf/config.yaml").as_uri(), None, text)
    # a FIFO is no config file: the option is not found, as Hydra would not find it either
    assert [f.code for f in view.findings() if f.severity is Severity.ERROR] == ["unknown-config-option"]


@pytest.mark.timeout(60)
def test_an_alias_bomb_in_a_group_file_is_refused_not_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMEGACONF_MAX_YAML_EXPANDED_NODES", "none")  # OmegaConf's own limit lifted
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    text = "defaults:\n  - db: bomb\n  - _self_\n"
    root = write(tmp_path, {"train.py": train(), "conf/config.yaml": text, "conf/db/bomb.yaml": bomb})
    project = Project(Settings(), [root])
    view = project.view((root / "conf/db/bomb.yaml").as_uri(), None, bomb)
    assert "more than" in next(f.message for f in view.findings() if f.code == "hydra-merge")
    primary = project.view((root / "conf/config.yaml").as_uri(), None, text)
    assert [f for f in primary.findings() if f.severity is Severity.ERROR] == []  # said once, in bomb.yaml


def test_a_syntax_error_in_a_group_file_is_said_once(tmp_path: Path) -> None:
    text = "defaults:\n  - db: bad\n  - _self_\n"
    root = write(tmp_path, {"train.py": train(), "conf/config.yaml": text, "conf/db/bad.yaml": "host: [x\n"})
    view = Project(Settings(), [root]).view((root / "conf/db/bad.yaml").as_uri(), None, "host: [x\n")
    assert [f.code for f in view.findings()] == ["yaml-syntax"]
