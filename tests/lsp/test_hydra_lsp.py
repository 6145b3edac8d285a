"""The real server on a Hydra project: diagnostics of a group file against the composed config, the
defaults list's navigation (definition, links, completion, hover), hover provenance, `${hydra:` keys,
Hydra's keys on a `_target_` node, the Run lens and launch plan of a primary config, Hydra's overrides."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp_session import completion_items, diagnostics_for, hover_markdown, open_doc, request
from tuneconf import command_ids
from workspace_files import write

TRAIN = """import hydra
from hydra.utils import instantiate


@hydra.main(version_base="1.3", config_path="conf", config_name="config")
def main(cfg):
    return instantiate(cfg.model), instantiate(cfg.optimizer, params=[])
"""
CONFIG = """defaults:
  - model: linear
  - db: mysql
  - _self_

optimizer:
  _target_: torch.optim.SGD
  lr: ${model.in_features}
db:
  port: 5432
out: ${hydra:runtime.output_dir}
"""
FILES = {
    "train.py": TRAIN,
    "conf/config.yaml": CONFIG,
    "conf/model/linear.yaml": "_target_: torch.nn.Linear\nin_features: 4\nout_features: 2\n",
    "conf/db/mysql.yaml": "# MySQL for the tests\nhost: localhost\nport: 3306\n",
    "conf/db/postgres.yaml": "host: pg\nport: 5432\n",
}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return write(tmp_path, FILES)


async def opened(client: LanguageClient, workspace: Path, name: str, text: str | None = None) -> str:
    path = workspace / name
    uri = path.as_uri()
    open_doc(client, uri, text if text is not None else path.read_text())
    await diagnostics_for(client, uri)
    return uri


async def test_a_group_file_is_checked_against_the_composed_config(
    vscode_in_workspace: LanguageClient, workspace: Path
) -> None:
    uri = (workspace / "conf/model/linear.yaml").as_uri()
    open_doc(vscode_in_workspace, uri, "_target_: torch.nn.Linear\nin_features: 4\nbias: maybe\n")
    found = await diagnostics_for(vscode_in_workspace, uri)
    assert sorted((d.code, d.range.start.line) for d in found) == [("missing-argument", 0), ("wrong-type", 2)]


async def test_defaults_entries_navigate_to_their_files(vscode_in_workspace: LanguageClient, workspace: Path) -> None:
    client = vscode_in_workspace
    uri = await opened(client, workspace, "conf/config.yaml")
    document = types.TextDocumentIdentifier(uri=uri)
    target = await request(
        client.text_document_definition_async(
            types.DefinitionParams(text_document=document, position=types.Position(line=2, character=9))
        )
    )
    assert isinstance(target, list) and target[0].uri == (workspace / "conf/db/mysql.yaml").as_uri()
    links = await request(client.text_document_document_link_async(types.DocumentLinkParams(text_document=document)))
    linked = {link.target for link in links or []}
    assert {(workspace / f"conf/{n}.yaml").as_uri() for n in ("model/linear", "db/mysql")} <= linked
    assert "MySQL for the tests" in await hover_markdown(client, uri, 2, 9)


async def test_defaults_completion_offers_groups_and_options(
    vscode_in_workspace: LanguageClient, workspace: Path
) -> None:
    client = vscode_in_workspace
    text = CONFIG.replace("  - db: mysql\n", "  - db: \n  - \n")
    uri = await opened(client, workspace, "conf/config.yaml", text)
    assert {i.label for i in await completion_items(client, uri, 2, 8)} == {"mysql", "postgres"}
    assert {"db", "model", "_self_"} <= {i.label for i in await completion_items(client, uri, 3, 4)}


async def test_hover_says_which_file_gives_a_key_its_final_value(
    vscode_in_workspace: LanguageClient, workspace: Path
) -> None:
    uri = await opened(vscode_in_workspace, workspace, "conf/config.yaml")
    text = await hover_markdown(vscode_in_workspace, uri, 9, 3)  # db.port: 3306 in db/mysql.yaml, 5432 here
    assert "final value from **config.yaml** (this file)" in text and "overrides db/mysql.yaml" in text


async def test_hydra_keys_and_hydra_node_keys_complete(vscode_in_workspace: LanguageClient, workspace: Path) -> None:
    client = vscode_in_workspace
    text = CONFIG.replace("${hydra:runtime.output_dir}", "${hydra:runtime.").replace("lr: ${model.in_features}", "_co")
    uri = await opened(client, workspace, "conf/config.yaml", text)
    assert {"cwd", "output_dir", "choices"} <= {i.label for i in await completion_items(client, uri, 10, 21)}
    assert "_convert_" in {i.label for i in await completion_items(client, uri, 7, 5)}


async def test_the_run_lens_and_plan_of_a_primary_config(vscode_in_workspace: LanguageClient, workspace: Path) -> None:
    client = vscode_in_workspace
    uri = await opened(client, workspace, "conf/config.yaml")
    document = types.TextDocumentIdentifier(uri=uri)
    lenses = await request(client.text_document_code_lens_async(types.CodeLensParams(text_document=document)))
    titles = [lens.command.title for lens in lenses or [] if lens.command is not None]
    assert titles[:2] == ["Run train.py", "Debug"]
    arguments = [uri, ["db=postgres", "+trainer.fast=true"], None]
    plan = await request(
        client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=command_ids.LAUNCH_PLAN, arguments=arguments)
        )
    )
    assert plan["argv"][1:] == ["train.py", "db=postgres", "+trainer.fast=true"]
    assert plan["title"] == "python train.py" and plan["errors"] == [] and plan["problems"] == []
    bad = [uri, ["db=oracle", "optimizer.lrr=1"], None]
    plan = await request(
        client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=command_ids.LAUNCH_PLAN, arguments=bad)
        )
    )
    assert any("Could not find 'db/oracle'" in e for e in plan["errors"])
