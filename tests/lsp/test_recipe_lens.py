"""The real server: the Run lens and the outline say which recipe runs a config and how it is known."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp_session import diagnostics_for, open_doc, request

CONFIG = """\
# tune run lora_finetune_single_device --config llama3_2/1B_lora_single_device
output_dir: /tmp/out
epochs: 1
"""


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "run_by_script.yaml").write_text(CONFIG)
    (tmp_path / "configs" / "header_only.yaml").write_text(CONFIG)
    (tmp_path / "train.sh").write_text("tune run full_finetune_single_device --config configs/run_by_script.yaml\n")
    return tmp_path


async def run_title_and_outline(client: LanguageClient, uri: str, text: str) -> tuple[str, str | None]:
    open_doc(client, uri, text)
    await diagnostics_for(client, uri)
    document = types.TextDocumentIdentifier(uri=uri)
    lenses = await request(client.text_document_code_lens_async(types.CodeLensParams(text_document=document)))
    symbols = await request(
        client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=document))
    )
    assert lenses and lenses[0].command is not None and symbols
    recipe = symbols[0]
    assert isinstance(recipe, types.DocumentSymbol) and recipe.name == "recipe"
    return lenses[0].command.title, recipe.detail


@pytest.mark.parametrize(
    ("name", "title", "detail"),
    [
        (
            "header_only.yaml",
            "Run lora_finetune_single_device (from the header)",
            "lora_finetune_single_device (from the header)",
        ),
        (
            "run_by_script.yaml",
            "Run full_finetune_single_device (from train.sh:1)",
            "full_finetune_single_device (from train.sh:1)",
        ),
    ],
)
async def test_run_lens_and_outline_say_how_the_recipe_is_known(
    vscode_in_workspace: LanguageClient, workspace: Path, name: str, title: str, detail: str
) -> None:
    path = workspace / "configs" / name
    assert await run_title_and_outline(vscode_in_workspace, path.as_uri(), path.read_text()) == (title, detail)


async def test_a_comment_makes_the_recipe_known(vscode_in_workspace: LanguageClient, workspace: Path) -> None:
    path = workspace / "configs" / "header_only.yaml"
    text = "# tuneconf: recipe=full_finetune_single_device\n" + CONFIG
    assert await run_title_and_outline(vscode_in_workspace, path.as_uri(), text) == (
        "Run full_finetune_single_device (from the tuneconf comment)",
        "full_finetune_single_device (from the tuneconf comment)",
    )
