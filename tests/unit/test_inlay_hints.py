"""Inlay hints in process: a resolved interpolation (with the editor's active overrides), `required` after
`???`, the arguments a recipe passes itself; none for oc.env, literal lines or template placeholders; and
every value hinted on the 156 built-in configs is the one OmegaConf itself resolves."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from omegaconf import OmegaConf

from builtin import builtin_configs
from tuneconf.document.positions import Converter
from tuneconf.features.inlay_hints import LABEL_CHARS, inlay_hints, resolve_hint
from tuneconf.project import ConfigView, Project

CONFIG = """\
# tune run lora_finetune_single_device --config llama3_2/1B_lora_single_device
output_dir: /tmp/out
model:
  _component_: torchtune.models.llama3_2.lora_llama3_2_1b
  lora_attn_modules: ['q_proj', 'v_proj']
  lora_rank: 8
tokenizer:
  _component_: torchtune.models.llama3.llama3_tokenizer
  path: ???
dataset:
  _component_: torchtune.datasets.alpaca_dataset
optimizer:
  _component_: torch.optim.AdamW
  lr: 3e-4
metric_logger:
  _component_: torchtune.training.metric_logging.DiskLogger
  log_dir: ${output_dir}/logs
home: ${oc.env:HOME}
long: ${output_dir}/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return Project(cache_dir=tmp_path_factory.mktemp("cache"))


def view_of(project: Project, tmp_path: Path, text: str) -> ConfigView:
    file = tmp_path / "cfg.yaml"
    file.write_text(text)
    view = project.view(file.as_uri(), 1, text, config=True)
    view.findings()
    return view


def hints(view: ConfigView, overrides: list[str] | None = None, lines: tuple[int, int] = (0, 10_000)) -> dict[int, str]:
    found = inlay_hints(view, *lines, Converter(view.parsed.lines), overrides)
    return {hint.position.line: str(hint.label) for hint in found}


def test_values_required_and_supplied_arguments(project: Project, tmp_path: Path) -> None:
    view = view_of(project, tmp_path, CONFIG)
    lines = CONFIG.splitlines()
    at = {lines.index(line): line for line in lines}
    shown = hints(view)
    assert {at[n]: label for n, label in shown.items()} == {
        "  path: ???": "required",
        "  _component_: torchtune.datasets.alpaca_dataset": "tokenizer ← recipe",
        "  _component_: torch.optim.AdamW": "params ← recipe",
        "  log_dir: ${output_dir}/logs": "→ /tmp/out/logs",
        "long: ${output_dir}/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": "→ /tmp/out/" + "a" * 30 + "…",
    }
    assert max(len(label) for label in shown.values()) == len("→ ") + LABEL_CHARS
    # the position: just after the value
    found = inlay_hints(view, 0, 100, Converter(view.parsed.lines))
    log_hint = next(h for h in found if h.label == "→ /tmp/out/logs")
    assert log_hint.position == types.Position(lines.index("  log_dir: ${output_dir}/logs"), len(lines[16]))


def test_the_active_overrides_change_the_value_and_a_range_limits_the_hints(project: Project, tmp_path: Path) -> None:
    view = view_of(project, tmp_path, CONFIG)
    log_line = CONFIG.splitlines().index("  log_dir: ${output_dir}/logs")
    assert hints(view, ["output_dir=/data/run2"])[log_line] == "→ /data/run2/logs"
    assert set(hints(view, lines=(log_line, log_line))) == {log_line}


def test_tooltips_come_on_resolve(project: Project, tmp_path: Path) -> None:
    view = view_of(project, tmp_path, CONFIG)
    found = {str(h.label): h for h in inlay_hints(view, 0, 100, Converter(view.parsed.lines))}
    assert found["→ /tmp/out/logs"].tooltip is None
    tip = resolve_hint(found["→ /tmp/out/logs"]).tooltip
    assert isinstance(tip, types.MarkupContent) and "`metric_logger.log_dir` resolves to `/tmp/out/logs`" in tip.value
    tip = resolve_hint(found["tokenizer ← recipe"]).tooltip
    assert isinstance(tip, types.MarkupContent) and "lora_finetune_single_device" in tip.value


def test_no_hint_for_placeholders_or_unresolvable_values(project: Project, tmp_path: Path) -> None:
    text = "a: 1\nb: ${missing}\nc: ${a}\nd: '{{ value }}/${a}'\n"
    view = view_of(project, tmp_path, text)
    assert hints(view) == {2: "→ 1"}


def test_every_hinted_value_on_the_builtins_is_omegaconfs(project: Project) -> None:
    checked = 0
    for file in builtin_configs():
        text = file.read_text()
        view = project.view(file.as_uri(), 1, text, config=True)
        config = OmegaConf.load(file)
        for hint in inlay_hints(view, 0, 100_000, Converter(view.parsed.lines)):
            data = hint.data
            if not isinstance(data, dict) or data.get("kind") != "value":
                continue
            expected = OmegaConf.select(config, data["path"])
            assert data["value"] == (expected if isinstance(expected, str) else repr(expected)), (file, data)
            checked += 1
    assert checked > 150  # most built-ins interpolate output_dir
