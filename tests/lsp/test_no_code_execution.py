"""Analysis never imports the analysed code: a canary package writes a file if it is imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from fakepkg import write_package
from lsp_session import VSCODE_OPTIONS, answer_lens_refreshes, codes, diagnostics_until, open_doc, request, until_ready

WORKSPACE = write_package(Path(__import__("tempfile").mkdtemp(prefix="tuneconf-canary-")))
CANARY = WORKSPACE / "canarypkg" / "IMPORTED"
CONFIG = """\
# tune run lora_finetune_single_device --config canary.yaml
model:
  _component_: canarypkg.tiny_model
  layers: 2
  hedas: 4
other:
  _component_: canarypkg.Plain
  width: 3
"""
RECIPE = """\
import canarypkg  # importing this recipe would import the canary package
from pathlib import Path

from torchtune import config

Path(__file__).with_name("RECIPE_RAN").write_text("the recipe was imported")


def recipe_main(cfg):
    model = config.instantiate(cfg.model)
    steps = cfg.steps
"""
RECIPE_RAN = WORKSPACE / "RECIPE_RAN"
(WORKSPACE / "canary_recipe.py").write_text(RECIPE)
RECIPE_CONFIG = """\
# tune run canary_recipe.py --config canary_recipe.yaml
model:
  _component_: canarypkg.Plain
  width: 3
step: 1
"""


def test_the_cli_check_does_not_import(tmp_path: Path) -> None:
    config = WORKSPACE / "canary.yaml"
    config.write_text(CONFIG)
    proc = subprocess.run(
        [sys.executable, "-m", "tuneconf", "check", str(config)], capture_output=True, text=True, cwd=WORKSPACE
    )
    assert proc.returncode == 1 and "unexpected-argument" in proc.stdout
    assert not CANARY.exists()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "tuneconf", "serve"]))
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    answer_lens_refreshes(lsp_client)
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            initialization_options=VSCODE_OPTIONS,
            workspace_folders=[types.WorkspaceFolder(uri=WORKSPACE.as_uri(), name="ws")],
        )
    )
    await until_ready(lsp_client)
    yield
    await lsp_client.shutdown_session()


async def test_the_server_does_not_import(client: LanguageClient) -> None:
    uri = (WORKSPACE / "canary.yaml").as_uri()
    open_doc(client, uri, CONFIG)
    await diagnostics_until(client, uri, lambda d: "unexpected-argument" in codes(d))
    doc = types.TextDocumentIdentifier(uri=uri)
    await request(client.text_document_hover_async(types.HoverParams(doc, types.Position(2, 20))))
    await request(client.text_document_definition_async(types.DefinitionParams(doc, types.Position(2, 20))))
    await request(client.text_document_completion_async(types.CompletionParams(doc, types.Position(2, 25))))
    await request(client.text_document_completion_async(types.CompletionParams(doc, types.Position(3, 2))))
    assert not CANARY.exists()


async def test_recipe_analysis_and_the_launch_plan_do_not_import(client: LanguageClient) -> None:
    uri = (WORKSPACE / "canary_recipe.yaml").as_uri()
    open_doc(client, uri, RECIPE_CONFIG)
    found = await diagnostics_until(client, uri, lambda d: {"missing-key", "unused-key"} <= set(codes(d)))
    assert any("'steps'" in d.message for d in found)  # read from the recipe's source, by ast
    doc = types.TextDocumentIdentifier(uri=uri)
    lenses = await request(client.text_document_code_lens_async(types.CodeLensParams(doc)))
    assert lenses and any(lens.command and "Run" in lens.command.title for lens in lenses)
    command = types.ExecuteCommandParams("tuneconf.server.launchPlan", [uri, ["steps=2"], None])
    plan = await request(client.workspace_execute_command_async(command))
    assert "canary_recipe.py" in str(plan) and "steps=2" in str(plan)
    assert not CANARY.exists() and not RECIPE_RAN.exists()
