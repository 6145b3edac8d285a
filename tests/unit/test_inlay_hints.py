"""Inlay hints in process (features/inlay_hints.py, features/inlay_values.py): a resolved interpolation
(with the editor's active overrides), `required` after `???`, the arguments a recipe passes itself; none
on literal lines, for resolvers, placeholders or what cannot be resolved for certain; a range limits the
walk; tooltips on resolve. Parity with OmegaConf's values: tests/unit/test_inlay_parity.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from tuneconf.document.positions import Converter
from tuneconf.features.inlay_hints import LABEL_CHARS, inlay_hints, resolve_hint
from tuneconf.features.inlay_values import ActiveOverrides
from tuneconf.project import ConfigView, Project

CONFIG = """\
# tuneconf: recipe=lora_finetune_single_device
output_dir: /tmp/out
model:
  _component_: torchtune.models.llama3_2.lora_llama3_2_1b
  lora_attn_modules: ['q_proj', 'v_proj']
  lora_rank: 8
tokenizer:
  _component_: torchtune.models.llama3.llama3_tokenizer
  path: ???
dataset:
  - _component_: torchtune.datasets.alpaca_dataset
  - _component_: torchtune.datasets.slimorca_dataset
optimizer:
  _component_: torch.optim.AdamW
  lr: 3e-4
lr_scheduler:
  _component_: torchtune.training.lr_schedulers.get_cosine_schedule_with_warmup
  num_warmup_steps: 100
metric_logger:
  _component_: torchtune.training.metric_logging.DiskLogger
  log_dir: ${output_dir}/logs
rank: ${model.lora_rank}
home: ${oc.env:HOME}
long: ${output_dir}/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
"""
LINES = CONFIG.splitlines()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return Project(cache_dir=tmp_path_factory.mktemp("cache"))


def view_of(project: Project, tmp_path: Path, text: str, name: str = "cfg.yaml") -> ConfigView:
    file = tmp_path / name
    file.write_text(text)
    view = project.view(file.as_uri(), 1, text, config=True)
    view.findings()  # as the server has, from the publish of this version
    return view


def hints(
    view: ConfigView, overrides: tuple[str, ...] = (), lines: tuple[int, int] = (0, 10_000)
) -> list[types.InlayHint]:
    return inlay_hints(view, *lines, Converter(view.parsed.lines), overrides)


def labels(view: ConfigView, overrides: tuple[str, ...] = (), lines: tuple[int, int] = (0, 10_000)) -> dict[str, str]:
    """Hint labels by the text of their line (one hint a line here)."""
    text = view.parsed.lines
    return {text[h.position.line]: str(h.label) for h in hints(view, overrides, lines)}


def test_values_required_and_the_recipes_own_arguments(project: Project, tmp_path: Path) -> None:
    view = view_of(project, tmp_path, CONFIG)
    assert labels(view) == {
        "  path: ???": "required",
        "  - _component_: torchtune.datasets.alpaca_dataset": "tokenizer ← recipe",
        "  - _component_: torchtune.datasets.slimorca_dataset": "tokenizer ← recipe",  # a list of datasets
        "  _component_: torch.optim.AdamW": "params ← recipe",
        "  _component_: torchtune.training.lr_schedulers.get_cosine_schedule_with_warmup": (
            "optimizer, last_epoch, +1 ← recipe"  # what fits in LABEL_CHARS, then how many more
        ),
        "  log_dir: ${output_dir}/logs": "→ /tmp/out/logs",
        "rank: ${model.lora_rank}": "→ 8",
        "long: ${output_dir}/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": "→ /tmp/out/" + "a" * 30 + "…",
    }
    found = {h.position.line: h for h in hints(view)}
    log_line = LINES.index("  log_dir: ${output_dir}/logs")
    assert found[log_line].position == types.Position(log_line, len(LINES[log_line]))  # just after the value
    assert found[log_line].padding_left and found[log_line].kind is None
    assert found[LINES.index("  _component_: torch.optim.AdamW")].kind == types.InlayHintKind.Parameter
    assert len(str(found[len(LINES) - 1].label)) == len("→ ") + LABEL_CHARS


def test_a_range_gives_only_its_hints(project: Project, tmp_path: Path) -> None:
    view = view_of(project, tmp_path, CONFIG)
    log_line = LINES.index("  log_dir: ${output_dir}/logs")
    assert [h.position.line for h in hints(view, lines=(log_line, log_line))] == [log_line]
    assert hints(view, lines=(2, 5)) == []  # the model: literal values, a component the recipe passes nothing
    assert hints(view, lines=(5, 2)) == []


def test_the_active_overrides_change_the_values(project: Project, tmp_path: Path) -> None:
    view = view_of(project, tmp_path, CONFIG)
    after = labels(view, ("output_dir=/data/run2", "tokenizer.path=/m/tokenizer.model", "model.lora_rank=16"))
    assert after["  log_dir: ${output_dir}/logs"] == "→ /data/run2/logs"
    assert after["rank: ${model.lora_rank}"] == "→ 16"
    assert after["  path: ???"] == "→ /m/tokenizer.model"  # the overrides set it: no longer `required`
    # an override torchtune refuses: the run does not start, so no value (the rest stays)
    refused = labels(view, ("output_dir",))
    assert "  log_dir: ${output_dir}/logs" not in refused and refused["  path: ???"] == "required"
    # a key removed (~): nothing to resolve to
    assert "  log_dir: ${output_dir}/logs" not in labels(view, ("~output_dir",))


def test_the_merge_is_kept_per_version(project: Project, tmp_path: Path) -> None:
    view = view_of(project, tmp_path, CONFIG)
    active = ActiveOverrides()
    assert active.merged(view.uri, view.parsed) is None
    assert active.choose(view.uri, ["output_dir=/x"]) and not active.choose(view.uri, ["output_dir=/x"])
    merged = active.merged(view.uri, view.parsed)
    assert merged is not None and active.merged(view.uri, view.parsed) is merged
    found = inlay_hints(view, 0, 100, Converter(view.parsed.lines), active.of(view.uri), merged)
    assert "→ /x/logs" in [h.label for h in found]
    assert active.choose(view.uri, []) and active.of(view.uri) == () and active.merged(view.uri, view.parsed) is None
    kept: dict[str, tuple[str, ...]] = {}
    shared = ActiveOverrides(kept)
    shared.choose(view.uri, ["output_dir=/y"])
    assert kept == {view.uri: ("output_dir=/y",)} and shared.merged(view.uri, view.parsed) is not None
    kept.pop(view.uri)  # as didClose does
    assert shared.of(view.uri) == () and shared.merged(view.uri, view.parsed) is None


def test_tooltips_come_on_resolve(project: Project, tmp_path: Path) -> None:
    view = view_of(project, tmp_path, CONFIG)
    found = {str(h.label): h for h in hints(view, ("output_dir=/data/run2",))}
    value = found["→ /data/run2/logs"]
    assert value.tooltip is None
    tip = resolve_hint(value).tooltip
    assert isinstance(tip, types.MarkupContent) and tip.kind == types.MarkupKind.Markdown
    assert "`metric_logger.log_dir: ${output_dir}/logs` resolves to\n\n`/data/run2/logs`" in tip.value
    assert "*a string, as OmegaConf resolves it*" in tip.value
    assert "- `output_dir: /data/run2` (override `output_dir=/data/run2`)" in tip.value
    rank = resolve_hint(next(h for h in hints(view) if h.label == "→ 8")).tooltip
    assert isinstance(rank, types.MarkupContent) and "*an int, as" in rank.value and "(line 6)" in rank.value
    supplied = resolve_hint(found["params ← recipe"]).tooltip
    assert isinstance(supplied, types.MarkupContent)
    assert supplied.value.startswith("**lora_finetune_single_device** (from the tuneconf comment) passes `params`")
    scheduler = resolve_hint(found["optimizer, last_epoch, +1 ← recipe"]).tooltip
    assert isinstance(scheduler, types.MarkupContent)
    assert "`optimizer`, `last_epoch`, `num_training_steps`" in scheduler.value
    required = resolve_hint(next(h for h in hints(view) if h.label == "required")).tooltip
    assert isinstance(required, types.MarkupContent) and "`tokenizer.path=…`" in required.value
    odd = types.InlayHint(position=types.Position(0, 0), label="x", data=None)
    assert resolve_hint(odd).tooltip is None


def test_a_long_value_is_whole_in_the_tooltip(project: Project, tmp_path: Path) -> None:
    text = "base: /tmp/" + "b" * 400 + "\nlong: ${base}/x\n"
    view = view_of(project, tmp_path, text)
    (hint,) = hints(view)
    assert hint.label == "→ /tmp/" + "b" * 34 + "…"
    tip = resolve_hint(hint).tooltip
    assert isinstance(tip, types.MarkupContent)
    assert (
        f"{len('/tmp/' + 'b' * 400 + '/x')} characters, the first 300 shown" in tip.value
        and "```text\n/tmp/bbb" in tip.value
    )


NONE = """\
a: 1
s: text
missing: ${nope}
cycle1: ${cycle2}
cycle2: ${cycle1}
env: ${oc.env:HOME}
select: ${oc.select:a,2}
escaped: \\${a}
computed: ${m.${s}}
mapping: ${m}
needs: ${req}
req: ???
literal: /tmp/x
m: {text: 1}
ok: ${a}
"""


def test_no_hint_where_the_value_is_not_certain(project: Project, tmp_path: Path) -> None:
    view = view_of(project, tmp_path, NONE)
    assert labels(view) == {"req: ???": "required", "ok: ${a}": "→ 1"}


def test_no_value_where_the_run_would_load_nothing(project: Project, tmp_path: Path) -> None:
    for broken in ["a: 2\n", "bad: ${a\n", "x: [1\n"]:  # a duplicate key, an interpolation OmegaConf cannot parse
        view = view_of(project, tmp_path, "a: 1\nok: ${a}\nreq: ???\n" + broken)
        assert "ok: ${a}" not in labels(view), broken
        assert labels(view).get("req: ???") == "required"


def test_no_hint_on_or_through_a_placeholder(project: Project, tmp_path: Path) -> None:
    text = "base: /data/{{ name }}\nlr: {{ lr }}\nout: /tmp\nfrom_base: ${base}/x\nfrom_out: ${out}/x\n"
    view = view_of(project, tmp_path, text, "templated.yaml")
    assert view.template is not None
    assert labels(view) == {"from_out: ${out}/x": "→ /tmp/x"}  # not `required` for the stand-in of {{ lr }}


def test_component_hints_need_a_certain_recipe(project: Project, tmp_path: Path) -> None:
    guessed = CONFIG.replace(
        "# tuneconf: recipe=lora_finetune_single_device", "# tune run lora_finetune_single_device --config x"
    )
    view = view_of(project, tmp_path, guessed)
    assert view.ctx.recipe is not None and not view.ctx.recipe.choice.known
    assert not any(str(h.label).endswith("← recipe") for h in hints(view))  # a poor fit: many keys missing
    real = Path(__file__).resolve().parents[2] / "configs" / "llama3_2_1b_lora.yaml"  # a good fit
    view = view_of(project, tmp_path, real.read_text(), "llama3_2_1b_lora.yaml")
    assert labels(view)["  _component_: torchtune.datasets.alpaca_cleaned_dataset"] == "tokenizer ← recipe"
    # an argument the config sets itself is the supplied-argument error, not a hint
    text = real.read_text().replace("  packed: False", "  packed: False\n  tokenizer: x")
    view = view_of(project, tmp_path, text, "sets_it.yaml")
    assert "  _component_: torchtune.datasets.alpaca_cleaned_dataset" not in labels(view)
    assert labels(view)["  _component_: torch.optim.AdamW"] == "params ← recipe"


def test_a_large_config_walks_only_what_may_carry_a_hint(project: Project, tmp_path: Path) -> None:
    blocks = "".join(f"block_{n}:\n  a: {n}\n  b: text\n" for n in range(1500))  # 4,500 lines
    text = "out: /tmp\n" + blocks + "log: ${out}/logs\n"
    view = view_of(project, tmp_path, text)
    last = len(text.splitlines()) - 1
    assert labels(view) == {"log: ${out}/logs": "→ /tmp/logs"}
    assert labels(view, lines=(last, last)) == {"log: ${out}/logs": "→ /tmp/logs"}


# Every interpolated value here: what we give must be what OmegaConf gives; which we give is listed.
