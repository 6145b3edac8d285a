"""Issue 13's mechanisms through the real server, in a workspace like the real ones: an import chain
that needs an absent package, a module in the folder a launch script runs from, a fork's checkout of
torchtune, and a bogus key under full_finetune_distributed (followed into its checkpoint client)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from builtin import CONFIG_ROOT
from lsp_session import diagnostics_until, open_doc

FILES = {
    "vision/__init__.py": "from .builders import build\n",
    "vision/builders.py": "import absentpkg_vision\n\n\ndef build(width: int = 1) -> int: ...\n",
    "training/localmod/__init__.py": "def build(width: int = 1) -> int: ...\n",
    "train.sh": "cd training && tune run recipe.py --config configs/a.yaml\n",
    "torchtune/__init__.py": "",
    "torchtune/dev/__init__.py": "",
}
CONFIG = """\
a:
  _component_: vision.build
b:
  _component_: localmod.build
  widht: 1
c:
  _component_: torchtune.dev.grpo.build
"""


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


async def test_what_real_workspaces_need_arrives_once_indexed(
    vscode_in_workspace: LanguageClient, workspace: Path
) -> None:
    config = workspace / "training" / "configs" / "a.yaml"
    config.parent.mkdir(parents=True)
    config.write_text(CONFIG)
    open_doc(vscode_in_workspace, config.as_uri(), CONFIG)
    found = await diagnostics_until(
        vscode_in_workspace,
        config.as_uri(),
        lambda ds: {"missing-dependency", "unexpected-argument"} <= {d.code for d in ds},
    )
    by_line = {d.range.start.line: (d.code, d.severity) for d in found}
    assert by_line == {
        1: ("missing-dependency", types.DiagnosticSeverity.Error),  # read in the background, then re-checked
        4: ("unexpected-argument", types.DiagnosticSeverity.Error),  # localmod found where train.sh runs from
        6: ("unknown-member", types.DiagnosticSeverity.Warning),  # only the workspace's torchtune/ has it
    }
    assert "'absentpkg_vision' is not installed" in next(d.message for d in found if d.range.start.line == 1)


async def test_a_bogus_key_under_full_finetune_distributed(
    vscode_in_workspace: LanguageClient, workspace: Path
) -> None:
    builtin = CONFIG_ROOT / "llama3_2" / "1B_full.yaml"
    text = "# tuneconf: recipe=full_finetune_distributed\n" + builtin.read_text() + "bogus_key: 1\n"
    config = workspace / "mine.yaml"
    config.write_text(text)
    open_doc(vscode_in_workspace, config.as_uri(), text)
    found = await diagnostics_until(
        vscode_in_workspace, config.as_uri(), lambda ds: any(d.code == "unused-key" for d in ds)
    )
    unused = [d for d in found if d.code == "unused-key"]
    assert [d.range.start.line for d in unused] == [text.count("\n") - 1]
    assert "bogus_key" in unused[0].message
