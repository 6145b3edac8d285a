"""Hydra configs checked as a project: `_target_` nodes with Hydra's keys and the arguments the project's
code passes at `instantiate`, the defaults list against the config folders, interpolations against the
composed config, Hydra's resolvers and keys. Each false-error trap of real projects has a test that it
stays quiet."""

from __future__ import annotations

from pathlib import Path

import pytest

from tuneconf.findings import Finding, Severity
from tuneconf.project import Project
from tuneconf.settings import Settings
from workspace_files import write

TRAIN = """import hydra
from hydra.utils import instantiate
from omegaconf import OmegaConf

OmegaConf.register_new_resolver("double", lambda x: 2 * x)


@hydra.main(version_base="1.3", config_path="conf", config_name="config")
def main(cfg):
    model = instantiate(cfg.model)
    optimizer = instantiate(cfg.optimizer, params=model.parameters())
    loss = instantiate(cfg.loss)
    head = instantiate(cfg.head, _recursive_=False)
    return model, optimizer, loss, head
"""
CONFIG = """defaults:
  - model: linear
  - db: mysql
  - _self_

optimizer:
  _target_: torch.optim.AdamW
  lr: ${model.lr_hint}
  weight_decay: ${double:0.1}
loss:
  _target_: torch.nn.CrossEntropyLoss
  _convert_: all
head:
  _target_: torch.optim.swa_utils.AveragedModel
  model:
    _target_: torch.nn.Linear
    in_features: 2
out: ${hydra:runtime.output_dir}/x
when: ${now:%Y-%m-%d}
"""
LINEAR = "_target_: torch.nn.Linear\nin_features: 4\nout_features: 2\nlr_hint: 0.1\n"
PROJECT = {
    "train.py": TRAIN,
    "conf/config.yaml": CONFIG,
    "conf/model/linear.yaml": LINEAR.replace("lr_hint: 0.1\n", ""),
    "conf/model/partial.yaml": "_target_: torch.optim.SGD\n_partial_: true\nlr: 0.1\n",
    "conf/db/mysql.yaml": "host: localhost\nport: ${oc.env:PORT,3306}\n",
    "conf/db/postgres.yaml": "host: pg\n",
    "conf/experiment/fast.yaml": "# @package _global_\ndefaults:\n  - override /model: partial\n\nseed: 1\n",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    files = dict(PROJECT)
    files["conf/config.yaml"] = CONFIG.replace("${model.lr_hint}", "0.001")
    return write(tmp_path, files)


def findings(root: Path, name: str, text: str | None = None) -> list[Finding]:
    path = root / name
    body = text if text is not None else path.read_text()
    if text is not None:
        path.write_text(text)
    view = Project(Settings(), [root]).view(path.as_uri(), None, body)
    assert view.is_config and view.ctx.hydra is not None
    return [f for f in view.findings() if f.severity in (Severity.ERROR, Severity.WARNING)]


def codes(found: list[Finding]) -> list[tuple[str, int]]:
    return [(f.code, f.span.start_line) for f in found]


def test_a_clean_hydra_project_has_no_errors_or_warnings(project: Path) -> None:
    for name in ("conf/config.yaml", "conf/model/linear.yaml", "conf/model/partial.yaml", "conf/db/mysql.yaml"):
        assert findings(project, name) == [], name
    assert findings(project, "conf/experiment/fast.yaml") == []


def test_group_files_are_configs_without_a_target_and_torchtune_checks_stay_away(project: Path) -> None:
    view = Project(Settings(), [project]).view((project / "conf/db/mysql.yaml").as_uri(), None, "host: x\n")
    assert view.is_config and view.ctx.hydra is not None and view.ctx.recipe is None
    assert view.ctx.hydra.place is not None and view.ctx.hydra.place.package == ("db",)


def test_call_site_arguments_and_partial_nodes_are_not_missing(project: Path) -> None:
    # AdamW needs params: train.py passes params=...; SGD in partial.yaml is a partial.
    assert "missing-argument" not in [c for c, _ in codes(findings(project, "conf/config.yaml"))]
    assert findings(project, "conf/model/partial.yaml") == []


def test_a_required_argument_nobody_passes_is_an_error_on_the_group_file(project: Path) -> None:
    found = findings(project, "conf/model/linear.yaml", "_target_: torch.nn.Linear\nin_features: 4\n")
    assert codes(found) == [("missing-argument", 0)]
    assert "out_features" in found[0].message


def test_unexpected_argument_on_a_root_component_and_hydra_keys_are_not_arguments(project: Path) -> None:
    text = "_target_: torch.nn.Linear\n_partial_: true\n_convert_: object\nin_features: 4\nlrr: 0.1\n"
    assert codes(findings(project, "conf/model/linear.yaml", text)) == [("unexpected-argument", 4)]
    helper = "_target_: torch.nn.Linear\nin_features: ${.__width}\nout_features: 2\n__width: 4\n"
    assert findings(project, "conf/model/linear.yaml", helper) == []  # `__` keys: dropped before instantiate


def test_recursive_false_at_the_call_site_leaves_children_unchecked(project: Path) -> None:
    text = CONFIG.replace("${model.lr_hint}", "0.001").replace("in_features: 2", "in_features: 2\n    bogus: 1")
    assert findings(project, "conf/config.yaml", text) == []


def test_interpolations_resolve_across_group_files_and_typos_do_not(project: Path) -> None:
    files = {"conf/model/linear.yaml": LINEAR, "conf/config.yaml": CONFIG}
    write(project, files)
    assert findings(project, "conf/config.yaml") == []
    found = findings(project, "conf/config.yaml", CONFIG.replace("${model.lr_hint}", "${model.lr_hnt}"))
    assert codes(found) == [("unknown-interpolation-key", 7)]
    assert "lr_hint" in found[0].message


def test_hydra_keys_and_resolvers(project: Path) -> None:
    text = CONFIG.replace("${model.lr_hint}", "0.1").replace("runtime.output_dir", "runtime.output_dirr")
    text = text.replace("${double:0.1}", "${tripple:0.1}")
    found = findings(project, "conf/config.yaml", text)
    assert codes(found) == [("unknown-resolver", 8), ("unknown-hydra-key", 17)]
    assert "output_dir" in found[1].message


def test_defaults_list_errors(project: Path) -> None:
    text = CONFIG.replace("${model.lr_hint}", "0.1").replace("db: mysql", "db: mysqll\n  - dbb: x\n  - model: partial")
    found = findings(project, "conf/config.yaml", text)
    assert [c for c, _ in codes(found)] == ["unknown-config-option", "unknown-config-group", "duplicate-default"]
    assert "Did you mean 'mysql'" in found[0].message
    assert found[0].data["fixes"][0]["title"] == "Change to 'mysql'"
    assert found[2].message == "Multiple values for model. To override a value use 'override model: linear'"


def test_override_of_a_group_the_defaults_lack(project: Path) -> None:
    text = "# @package _global_\ndefaults:\n  - override /trainer: gpu\n"
    found = findings(project, "conf/experiment/fast.yaml", text)
    assert [(f.code, f.severity) for f in found] == [
        ("unknown-config-group", Severity.WARNING),  # no trainer/ folder: the ConfigStore might hold it
        ("unknown-override", Severity.ERROR),  # but the primary's defaults certainly have no trainer
    ]
    assert found[1].message == "In 'experiment/fast': Could not override 'trainer'. No match in the defaults list."


def test_package_headers(project: Path) -> None:
    misspelt = "# @pakage _global_\ndefaults:\n  - override /model: partial\n"
    assert "hydra-package" in [c for c, _ in codes(findings(project, "conf/experiment/fast.yaml", misspelt))]
    legacy = "# @package _group_\nhost: x\n"
    found = findings(project, "conf/db/postgres.yaml", legacy)
    assert [(f.code, f.severity) for f in found] == [("hydra-package", Severity.WARNING)]


def test_a_target_config_outside_any_root_is_checked_on_its_own(tmp_path: Path) -> None:
    text = "model:\n  _target_: torch.nn.Linear\n  in_features: 1\n  out_features: 2\n  biass: true\n"
    found = findings(write(tmp_path, {"cfg.yaml": text}), "cfg.yaml")
    assert codes(found) == [("unexpected-argument", 4)]


def test_config_store_makes_unknown_options_warnings(project: Path) -> None:
    write(project, {"store.py": "from hydra.core.config_store import ConfigStore\ncs = ConfigStore.instance()\n"})
    text = CONFIG.replace("${model.lr_hint}", "0.1").replace("db: mysql", "db: stored")
    found = [f for f in findings(project, "conf/config.yaml", text) if f.code == "unknown-config-option"]
    assert [f.severity for f in found] == [Severity.WARNING]


def test_pyproject_settings_reach_the_project(tmp_path: Path) -> None:
    toml = (
        '[tool.tuneconf]\nresolvers = ["mine"]\ncomponent-keys = ["_component_", "_target_"]\nhydra_roots = ["cfg"]\n'
    )
    root = write(tmp_path, {"pyproject.toml": toml, "cfg/a.yaml": "x: ${mine:1}\n"})
    project = Project(Settings(), [root])
    assert project.settings.resolvers == ("mine",)
    assert project.settings.hydra_roots == ("cfg",)
    editor = Project(Settings(resolvers=("theirs",)), [root])
    assert editor.settings.resolvers == ("theirs",)  # a value set in the editor wins
    assert findings(root, "cfg/a.yaml") == []


def test_a_class_whose_base_is_not_installed_has_an_unknown_signature(project: Path) -> None:
    write(
        project,
        {
            "mypkg/__init__.py": "",
            "mypkg/mix.py": "from notinstalled.data import Mixup\n\n\nclass Mine(Mixup):\n    pass\n",
        },
    )
    text = "_target_: mypkg.mix.Mine\nmixup_alpha: 0.8\n"
    # only that importing it fails here (the package is not installed): no guess at its arguments
    assert [f.code for f in findings(project, "conf/model/partial.yaml", text)] == ["missing-dependency"]


def test_attributes_every_object_has_and_mandatory_choices(project: Path) -> None:
    text = "_target_: torch.optim.__getattribute__\n_args_: [AdamW]\n"
    assert findings(project, "conf/model/partial.yaml", text) == []
    primary = CONFIG.replace("${model.lr_hint}", "0.1").replace("db: mysql", "db: ???")
    path = project / "conf/config.yaml"
    path.write_text(primary)
    view = Project(Settings(), [project]).view(path.as_uri(), None, primary)
    found = [(f.code, f.severity) for f in view.findings() if f.code != "missing-value"]
    assert found == [("missing-choice", Severity.INFORMATION)]


def test_a_saved_group_file_changes_what_the_others_compose_with(project: Path) -> None:
    text = CONFIG.replace("${model.lr_hint}", "${model.lr_hint}")
    write(project, {"conf/config.yaml": text})
    tuneconf = Project(Settings(), [project])
    path = project / "conf/config.yaml"
    view = tuneconf.view(path.as_uri(), 1, text)
    assert [f.code for f in view.findings() if f.severity is Severity.ERROR] == ["unknown-interpolation-key"]
    write(project, {"conf/model/linear.yaml": LINEAR})  # saved in the editor: lr_hint is there now
    assert tuneconf.hydra_files_changed([str(project / "conf/model/linear.yaml")])
    view.forget_findings()
    assert [f.code for f in view.findings() if f.severity is Severity.ERROR] == []
    assert not tuneconf.hydra_files_changed([str(project / ".venv/lib/x.py")])


def test_sweeper_params_name_keys_of_the_composed_config(project: Path) -> None:
    sweep = "hydra:\n  sweeper:\n    params:\n      optimizer.lr: interval(0.001, 0.1)\n      db: mysql,postgres\n"
    text = CONFIG.replace("${model.lr_hint}", "0.1") + sweep
    assert findings(project, "conf/config.yaml", text) == []
    found = findings(project, "conf/config.yaml", text.replace("optimizer.lr:", "optimizer.lrr:"))
    assert codes(found) == [("unknown-sweep-key", 22)] and "Did you mean 'lr'" in found[0].message


def test_an_experiment_overriding_groups_needs_the_global_package(project: Path) -> None:
    text = "defaults:\n  - override /model: partial\n\nseed: 1\n"
    found = findings(project, "conf/experiment/fast.yaml", text)
    # Hydra itself: "Could not override 'model@experiment.model'. Did you mean to override model?"
    assert [(f.code, f.severity) for f in found] == [("unknown-override", Severity.ERROR)]
    assert "Did you mean to override model?" in found[0].message and "# @package _global_" in found[0].message
    keys_only = "optimizer:\n  lr: 0.5\n"  # no override: composes, but the key lands at experiment.optimizer
    found = findings(project, "conf/experiment/fast.yaml", keys_only)
    assert [(f.code, f.severity) for f in found] == [("hydra-package", Severity.ERROR)]


def test_the_run_plan_of_a_primary_config(project: Path) -> None:
    from tuneconf.launch.gpus import GPUs
    from tuneconf.launch.plan import plan_for

    tuneconf = Project(Settings(), [project])
    path = project / "conf/config.yaml"
    view = tuneconf.view(path.as_uri(), None, path.read_text(), config=True)
    plan = plan_for(tuneconf, view, ["-m", "db=mysql,postgres"], gpus=GPUs(0, "test"))
    assert plan.argv[1:] == ["train.py", "--multirun", "db=mysql,postgres"] and plan.errors == []
    assert plan.debug["program"] == str(project / "train.py") and plan.debug["args"] == plan.argv[2:]
    single = plan_for(tuneconf, view, ["db=mysql,postgres"], gpus=GPUs(0, "test"))
    assert any("Ambiguous value" in e for e in single.errors)
    group = project / "conf/db/mysql.yaml"
    option = tuneconf.view(group.as_uri(), None, group.read_text(), config=True)
    assert "not a primary config" in plan_for(tuneconf, option, [], gpus=GPUs(0, "test")).problems[0]
