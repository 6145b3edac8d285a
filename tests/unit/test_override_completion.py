"""Completion of overrides typed in an override set (features/override_completion.py), in process: a small
Hydra project (groups, options, the composed config's keys and values, `+`/`++`/`~` and `group@pkg` kept)
and a torchtune config (the document's keys and values)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hydra_parity import hydra_compose_many
from tuneconf.features.override_completion import Typed, override_completions, split_typed
from tuneconf.project import Project
from tuneconf.settings import Settings
from workspace_files import write

TRAIN = """import hydra


@hydra.main(version_base="1.3", config_path="conf", config_name="config")
def main(cfg):
    return cfg
"""
CONFIG = """defaults:
  - db: mysql
  - _self_

model:
  lr: 0.1
  name: resnet
  layers: [1, 2]
  optim:
    kind: adam
seed: 7
tag: '3306'
url: ${db.host}:80
"""
HYDRA_PROJECT = {
    "train.py": TRAIN,
    "conf/config.yaml": CONFIG,
    "conf/db/mysql.yaml": "host: localhost\nport: 3306\n",
    "conf/db/postgres.yaml": "host: pg\nport: 5432\nuser: admin\n",
    "conf/model/net/small.yaml": "width: 8\n",
}
TORCHTUNE = """# Config for a single device LoRA run
model:
  _component_: torchtune.models.llama3_2.lora_llama3_2_1b
  lora_rank: 64
  lora_attn_modules: ['q_proj', 'v_proj']
optimizer:
  _component_: torch.optim.AdamW
  lr: 3e-4
output_dir: '/tmp/out'
epochs: 1
"""


@pytest.fixture
def hydra_root(tmp_path: Path) -> Path:
    return write(tmp_path, HYDRA_PROJECT)


def complete(root: Path, name: str, typed: str, overrides: tuple[str, ...] = ()) -> list[dict[str, str]]:
    path = root / name
    project = Project(Settings(), [root])
    view = project.view(path.as_uri(), None, path.read_text(), config=True)
    return override_completions(project, view, typed, overrides)


def by_label(items: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {item["label"]: item for item in items}


def test_the_typed_text_is_cut_into_prefix_key_package_and_value() -> None:
    assert split_typed("") == Typed("", "", None, None)
    assert split_typed("++model.l") == Typed("++", "model.l", None, None)
    assert split_typed("+db@backup=my") == Typed("+", "db", "backup", "my")
    assert split_typed("~seed") == Typed("~", "seed", None, None)
    assert split_typed("a=b=c") == Typed("", "a", None, "b=c")


def test_before_equals_a_hydra_config_offers_its_groups_and_composed_keys(hydra_root: Path) -> None:
    found = complete(hydra_root, "conf/config.yaml", "")
    groups = [item for item in found if item["kind"] == "group"]
    assert groups == [
        {"label": "db", "kind": "group", "detail": "config group: mysql, postgres", "insertText": "db"},
        {"label": "model", "kind": "group", "detail": "config group", "insertText": "model"},  # holds model/net
    ]
    keys = by_label([item for item in found if item["kind"] == "key"])
    assert set(keys) == {"db", "model", "seed", "tag", "url", "hydra"}  # db: the composed mysql option's keys
    assert keys["db"]["detail"] == "2 keys" and keys["seed"]["detail"] == "7"


def test_a_dot_walks_into_the_composed_config(hydra_root: Path) -> None:
    items = by_label(complete(hydra_root, "conf/config.yaml", "model.op"))
    assert set(items) == {"model.lr", "model.name", "model.layers", "model.optim"}
    assert all(item["kind"] == "key" for item in items.values())
    assert items["model.optim"]["detail"] == "1 keys"
    assert items["model.lr"]["insertText"] == "model.lr"
    deeper = complete(hydra_root, "conf/config.yaml", "model.optim.")
    assert [item["insertText"] for item in deeper] == ["model.optim.kind"]
    assert complete(hydra_root, "conf/config.yaml", "model.missing.") == []


def test_a_slash_walks_into_nested_groups_only(hydra_root: Path) -> None:
    items = complete(hydra_root, "conf/config.yaml", "model/")
    assert [(i["label"], i["kind"], i["insertText"]) for i in items] == [("model/net", "group", "model/net")]


def test_the_prefix_is_kept_and_a_package_is_not_completed(hydra_root: Path) -> None:
    items = by_label(complete(hydra_root, "conf/config.yaml", "++mod"))
    assert items["model"]["insertText"] == "++model"
    assert by_label(complete(hydra_root, "conf/config.yaml", "~se"))["seed"]["insertText"] == "~seed"
    assert complete(hydra_root, "conf/config.yaml", "db@ba") == []


def test_after_group_equals_the_options_with_the_chosen_one_marked(hydra_root: Path) -> None:
    items = complete(hydra_root, "conf/config.yaml", "db=po")
    assert items == [
        {"label": "mysql", "kind": "option", "detail": "option of db (chosen)", "insertText": "db=mysql"},
        {"label": "postgres", "kind": "option", "detail": "option of db", "insertText": "db=postgres"},
    ]
    packaged = complete(hydra_root, "conf/config.yaml", "+db@backup=")
    assert [i["insertText"] for i in packaged] == ["+db@backup=mysql", "+db@backup=postgres"]
    nested = complete(hydra_root, "conf/config.yaml", "+model/net=")
    assert [i["insertText"] for i in nested] == ["+model/net=small"]


def test_after_key_equals_the_current_value_as_hydra_writes_it(hydra_root: Path) -> None:
    def value(typed: str) -> list[str]:
        found = complete(hydra_root, "conf/config.yaml", typed)
        assert all(item["kind"] == "value" for item in found)
        return [item["insertText"] for item in found]

    assert value("model.lr=") == ["model.lr=0.1"]
    assert value("model.name=") == ["model.name=resnet"]
    assert value("model.layers=") == ["model.layers=[1,2]"]
    assert value("tag=") == ["tag='3306'"]  # a string of digits stays a string
    assert value("url=") == ["url='${db.host}:80'"]
    assert value("db.port=") == ["db.port=3306"]
    assert value("++seed=") == ["++seed=7"]
    assert value("nothing=") == []


def test_the_other_overrides_of_the_set_are_composed_first(hydra_root: Path) -> None:
    keys = {i["label"] for i in complete(hydra_root, "conf/config.yaml", "db.", ("db=postgres",))}
    assert keys == {"db.host", "db.port", "db.user"}
    chosen = [
        i["label"] for i in complete(hydra_root, "conf/config.yaml", "db=", ("db=postgres",)) if "chosen" in i["detail"]
    ]
    assert chosen == ["postgres"]


def test_hydra_own_settings_below_hydra(hydra_root: Path) -> None:
    labels = {i["label"] for i in complete(hydra_root, "conf/config.yaml", "hydra.run.")}
    assert labels == {"hydra.run.dir"}
    assert "hydra.job" in {i["label"] for i in complete(hydra_root, "conf/config.yaml", "hydra.")}


def test_a_group_option_file_completes_against_the_primary_that_includes_it(hydra_root: Path) -> None:
    items = by_label(complete(hydra_root, "conf/db/mysql.yaml", "db."))
    assert set(items) == {"db.host", "db.port"}


def test_a_typed_path_outside_the_search_path_lists_nothing(hydra_root: Path) -> None:
    assert complete(hydra_root, "conf/config.yaml", "../=") == []
    assert [i for i in complete(hydra_root, "conf/config.yaml", "../") if i["kind"] == "group"] == []


def test_a_torchtune_config_offers_its_document_keys_and_values(tmp_path: Path) -> None:
    write(tmp_path, {"configs/lora.yaml": TORCHTUNE})
    top = by_label(complete(tmp_path, "configs/lora.yaml", ""))
    assert set(top) == {"model", "optimizer", "output_dir", "epochs"}
    assert all(item["kind"] == "key" for item in top.values())
    assert top["model"]["detail"] == "3 keys"
    below = {i["label"] for i in complete(tmp_path, "configs/lora.yaml", "~model.lo")}
    assert below == {"model._component_", "model.lora_rank", "model.lora_attn_modules"}
    assert by_label(complete(tmp_path, "configs/lora.yaml", "~model."))["model.lora_rank"]["insertText"] == (
        "~model.lora_rank"
    )

    def value(typed: str) -> list[str]:
        return [item["insertText"] for item in complete(tmp_path, "configs/lora.yaml", typed)]

    assert value("optimizer.lr=") == ["optimizer.lr=3e-4"]
    assert value("output_dir=") == ["output_dir='/tmp/out'"]
    assert value("model.lora_attn_modules=") == ["model.lora_attn_modules=['q_proj','v_proj']"]
    assert value("model=") == []  # a mapping is no one value on torchtune's command line
    assert value("db=") == []


def test_hydra_reads_each_offered_value_back_as_the_value_it_has(hydra_root: Path) -> None:
    """Parity: `key=<offered value>` composed by Hydra itself changes nothing; each offered option composes."""
    typed = ["model.lr=", "model.name=", "model.layers=", "model.optim=", "tag=", "url=", "db.port=", "seed="]
    values = [item["insertText"] for text in typed for item in complete(hydra_root, "conf/config.yaml", text)]
    assert len(values) == len(typed)
    options = [item["insertText"] for item in complete(hydra_root, "conf/config.yaml", "db=")]
    conf = hydra_root / "conf"
    base, *answers = hydra_compose_many([(conf, "config", []), *[(conf, "config", [v]) for v in values + options]])
    assert base["error"] is None
    for override, answer in zip(values, answers[: len(values)], strict=True):
        assert (override, answer["error"], answer["data"]) == (override, None, base["data"])
    for override, answer in zip(options, answers[len(values) :], strict=True):
        assert (override, answer["error"]) == (override, None)
        assert answer["choices"]["db"] == override.removeprefix("db=")
