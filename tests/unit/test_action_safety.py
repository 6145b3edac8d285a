"""A code action is offered only when it is certainly safe: the config still loads (OmegaConf itself
judges), no value outside the edit changes (aliases and merge keys carry values elsewhere), inserted
lines end as the file's lines do, and a fix inside a string replaces only what it names."""

from __future__ import annotations

import pytest
from lsprotocol import types

from builtin import CONFIG_ROOT
from edit_oracle import apply, edits_of, judge
from tuneconf.document.positions import Converter, encoding_of
from tuneconf.features.actions import code_actions
from tuneconf.project import Project
from tuneconf.settings import Settings

EVERYWHERE = types.Range(types.Position(0, 0), types.Position(10**6, 0))
HEADER = "# tuneconf: recipe=lora_finetune_single_device\n"  # known (a `tune run` header alone is a guess)
MODEL = "model:\n  _component_: torchtune.models.llama3_2.lora_llama3_2_1b\n  lora_attn_modules: ['q_proj', 'v_proj']\n"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return Project(Settings(), [CONFIG_ROOT], cache_dir=tmp_path_factory.mktemp("cache"))


def offered(project: Project, text: str) -> list[types.CodeAction]:
    view = project.view("file:///tmp/actions.yaml", None, text)
    conv = Converter(view.parsed.lines, encoding_of(None))
    return code_actions(view.uri, view.parsed, view.findings(), EVERYWHERE, conv, view.ctx)


def titles(actions: list[types.CodeAction]) -> list[str]:
    return [a.title for a in actions]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        # Renaming onto a key the mapping has already: a duplicate key, OmegaConf refuses the file.
        (HEADER + "epoch: 1\nepochs: 2\n", "Add 'seed: ???'"),
        (HEADER + MODEL + "  lora_rank: 8\n  lora_rnak: 8\n", "Remove 'lora_rnak'"),
        # Removing the anchor an alias below still names.
        (HEADER + MODEL + "  lora_rnak: &r 8\n  lora_alpha: *r\n", "Rename to 'lora_rank'"),
    ],
    ids=["rename-onto-top-level-key", "rename-onto-argument", "remove-used-anchor"],
)
def test_no_action_makes_a_loadable_config_unloadable(project: Project, text: str, kept: str) -> None:
    actions = offered(project, text)
    assert kept in titles(actions)  # the safe fixes are still offered
    assert [problem for action in actions for problem in judge(text, action)] == []


@pytest.mark.parametrize(
    "text",
    [
        HEADER + MODEL.replace("model:", "model: &m") + "  lora_rnak: 8\nteacher: *m\n",
        HEADER + "base: &b\n  _component_: torch.optim.AdamW\n  lrr: 0.1\noptimizer:\n  <<: *b\n  weight_decay: 0\n",
    ],
    ids=["alias", "merge-key"],
)
def test_no_action_changes_a_value_outside_its_range(project: Project, text: str) -> None:
    actions = offered(project, text)
    assert actions  # what is safe (adding missing keys) is still offered
    assert [problem for action in actions for problem in judge(text, action)] == []


@pytest.mark.parametrize("ending", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_inserted_lines_end_as_the_files_lines_do(project: Project, ending: str) -> None:
    text = (HEADER + MODEL + "  lora_rank: 8\n").replace("\n", ending)
    actions = offered(project, text)
    inserting = [a for a in actions if any("\n" in e.new_text or "\r" in e.new_text for e in edits_of(a))]
    assert len(inserting) > 10  # missing keys of the recipe, the missing arguments of the model
    assert [problem for action in actions for problem in judge(text, action)] == []


@pytest.mark.parametrize(
    "value",
    [
        '"${outptu_dir}/logs"',  # no escape: the fix edits the key in place
        '"${outptu_dir}\\x2Flogs"',
        "'${outptu_dir}/it''s'",
        "${outptu_dir}/a\n    b",
        '"${outptu_dir}/a\n    b"',
        "|\n    ${outptu_dir}/logs\n",
        ">-\n    ${outptu_dir}\n    logs\n",
    ],
    ids=["plain", "escape", "quote-escape", "multi-line", "multi-line-quoted", "literal-block", "folded-block"],
)
def test_an_interpolation_fix_replaces_only_the_key(project: Project, value: str) -> None:
    text = f"{HEADER}output_dir: /tmp/out\nmetric_logger:\n  _component_: x.y\n  log_dir: {value}\n"
    fixes = [a for a in offered(project, text) if a.title == "Change to 'output_dir'"]
    assert [apply(text, edits_of(a))[0] for a in fixes] == [text.replace("outptu_dir", "output_dir")] * len(fixes)
    assert fixes or "\\" in value or "\n" in value or "'" in value  # offered wherever the key maps to columns
