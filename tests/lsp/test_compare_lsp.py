"""tuneconf.server.compareBuiltin end to end: the real server compares an open copy of a built-in config
with the built-in its header names, and answers the built-in's file URI (for a diff editor)."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from builtin import CONFIG_ROOT, builtin_configs
from lsp_session import open_doc, request
from tuneconf.command_ids import COMPARE_BUILTIN

NAME = "llama3_2/1B_lora_single_device"


async def test_compare_builtin_answers_the_changes_and_the_builtins_uri(vscode: LanguageClient, tmp_path: Path) -> None:
    builtin_configs()
    original = CONFIG_ROOT / f"{NAME}.yaml"
    text = original.read_text().replace("lora_rank: 64", "lora_rank: 8") + "\nextra: 1\n"
    uri = (tmp_path / "mine.yaml").as_uri()
    open_doc(vscode, uri, text)
    params = types.ExecuteCommandParams(command=COMPARE_BUILTIN, arguments=[uri])
    answer = await request(vscode.workspace_execute_command_async(params))
    assert answer == {
        "builtin": NAME,
        "how": "from the header",
        "added": {"extra": 1},
        "removed": {},
        "changed": {"model.lora_rank": [64, 8]},
        "uri": original.resolve().as_uri(),
    }
    broken = (tmp_path / "broken.yaml").as_uri()
    open_doc(vscode, broken, "epochs: 1\n")
    params = types.ExecuteCommandParams(command=COMPARE_BUILTIN, arguments=[broken])
    answer = await request(vscode.workspace_execute_command_async(params))
    assert "model builder" in answer["error"]
