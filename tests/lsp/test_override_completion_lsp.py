"""tuneconf.server.overrideCompletions end to end: the real server completes an override typed in an
override set, for a Hydra config that is not open in the editor (read from disk) and for a torchtune
config whose unsaved text in the editor is what counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp_session import open_doc, request
from tuneconf.command_ids import OVERRIDE_COMPLETIONS
from workspace_files import write

FILES = {
    "train.py": (
        "import hydra\n\n\n"
        '@hydra.main(version_base="1.3", config_path="conf", config_name="config")\n'
        "def main(cfg):\n    return cfg\n"
    ),
    "conf/config.yaml": "defaults:\n  - db: mysql\n  - _self_\n\nmodel:\n  lr: 0.1\n  depth: 4\n",
    "conf/db/mysql.yaml": "host: localhost\n",
    "conf/db/postgres.yaml": "host: pg\nuser: admin\n",
    "configs/lora.yaml": "model:\n  _component_: torchtune.models.llama3_2.lora_llama3_2_1b\n  lora_rank: 8\n",
    ".vscode/tuneconf.json": '{"overrideSets": {"conf/config.yaml": {"quick": ["db=mysql"]}}}\n',
}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return write(tmp_path, FILES)


async def completions(client: LanguageClient, uri: str, *args: Any) -> list[dict[str, str]]:
    params = types.ExecuteCommandParams(command=OVERRIDE_COMPLETIONS, arguments=[uri, *args])
    answer = await request(client.workspace_execute_command_async(params))
    assert isinstance(answer, list)
    return answer


async def test_a_hydra_config_on_disk_gets_its_options_and_composed_keys(
    vscode_in_workspace: LanguageClient, workspace: Path
) -> None:
    uri = (workspace / "conf" / "config.yaml").as_uri()
    options = await completions(vscode_in_workspace, uri, "+db@backup=")
    assert [(o["label"], o["kind"], o["insertText"]) for o in options] == [
        ("mysql", "option", "+db@backup=mysql"),
        ("postgres", "option", "+db@backup=postgres"),
    ]
    keys = await completions(vscode_in_workspace, uri, "model.")
    assert {k["insertText"] for k in keys} == {"model.lr", "model.depth"}
    value = await completions(vscode_in_workspace, uri, "model.depth=")
    assert value == [{"label": "4", "kind": "value", "detail": "current value", "insertText": "model.depth=4"}]
    # the set's other overrides are composed first
    switched = await completions(vscode_in_workspace, uri, "db.", ["db=postgres"])
    assert {k["label"] for k in switched} == {"db.host", "db.user"}


async def test_a_torchtune_config_completes_from_the_editors_text(
    vscode_in_workspace: LanguageClient, workspace: Path
) -> None:
    uri = (workspace / "configs" / "lora.yaml").as_uri()
    text = (workspace / "configs" / "lora.yaml").read_text().replace("lora_rank: 8", "lora_rank: 16\n  lora_alpha: 32")
    open_doc(vscode_in_workspace, uri, text)
    keys = await completions(vscode_in_workspace, uri, "model.lora")
    assert {k["label"] for k in keys} == {"model._component_", "model.lora_rank", "model.lora_alpha"}
    value = await completions(vscode_in_workspace, uri, "~model.lora_rank=")
    assert [v["insertText"] for v in value] == ["~model.lora_rank=16"]


async def test_malformed_arguments_are_answered_with_nothing(vscode_in_workspace: LanguageClient) -> None:
    params = types.ExecuteCommandParams(command=OVERRIDE_COMPLETIONS, arguments=[3, None])
    assert await request(vscode_in_workspace.workspace_execute_command_async(params)) == []
