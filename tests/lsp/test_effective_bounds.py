"""The real server answers on configs built to make resolution or expansion explode: the Effective
config view and the hover say what they left, and the server goes on answering (tests/unit/
test_expansion_bounds.py bounds each caller; this checks the async command and hover end to end)."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp_session import hover_markdown, open_doc, request
from tuneconf.command_ids import EFFECTIVE_CONFIG

HEADER = "# tune run full_finetune_single_device --config bomb.yaml\n"  # a torchtune config: hover answers
DOUBLING = HEADER + "a0: x\n" + "".join(f"a{i}: ${{a{i - 1}}}${{a{i - 1}}}\n" for i in range(1, 31))
CHAIN = HEADER + "k0: 1\n" + "".join(f"k{i}: ${{k{i - 1}}}\n" for i in range(1, 1001))
ALIASES = (
    HEADER
    + "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 10))
)


@pytest.mark.parametrize(
    ("text", "view_says", "hover_says"),
    [
        (DOUBLING, "# not resolved: a30: too large", "not resolved: too large"),
        (CHAIN, "# not resolved: k1000: too deep", "not resolved: too deep"),
        (ALIASES, "# tuneconf: the config has more than 10,000 YAML nodes", None),
    ],
    ids=["doubling", "chain-1000", "alias-bomb"],
)
async def test_effective_config_and_hover_answer_on_bombs(
    vscode: LanguageClient, text: str, view_says: str, hover_says: str | None
) -> None:
    uri = "file:///tmp/tuneconf-e2e/bomb.yaml"
    open_doc(vscode, uri, text)
    params = types.ExecuteCommandParams(command=EFFECTIVE_CONFIG, arguments=[uri, [], True])
    view = await request(vscode.workspace_execute_command_async(params))
    assert isinstance(view, str) and view_says in view
    if hover_says is not None:
        last = len(text.splitlines()) - 1
        assert hover_says in await hover_markdown(vscode, uri, last, text.splitlines()[last].index("${") + 2)
