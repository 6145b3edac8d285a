"""Checks that need no recipe: with a guessed recipe that does not fit (or cannot be read), a component's
required argument is still an error when the config does not set it and no recipe supplies it."""

from __future__ import annotations

from pathlib import Path

import pytest

from builtin import builtin_configs
from sample_configs import LORA
from tuneconf.cli import main
from tuneconf.document.components import Component, iter_components
from tuneconf.findings import Finding, Severity
from tuneconf.project import ConfigView, Project
from tuneconf.recipes.analysis import ITEM
from tuneconf.settings import Settings

KD_HEADER = "# tune run knowledge_distillation_single_device --config llama3_2/8B_to_1B_KD_lora_single_device\n"
LORA_HEADER = "# tune run lora_finetune_single_device --config llama3_2/1B_lora_single_device\n"
CHAT = "  _component_: torchtune.datasets.chat_dataset\n  source: json\n  conversation_style: openai\n"
BODY = (
    "tokenizer:\n  _component_: torchtune.models.llama3.llama3_tokenizer\n  path: /tmp/tokenizer.model\n"
    f"dataset:\n{CHAT}"
    "model:\n  _component_: torchtune.models.llama3_2.lora_llama3_2_1b\n  lora_rank: 8\n"
    "optimizer:\n  _component_: torch.optim.AdamW\n  lr: 3e-4\n"
)
COMPLETE = BODY.replace("openai\n", "openai\n  conversation_column: messages\n").replace(
    "lora_rank: 8\n", "lora_rank: 8\n  lora_attn_modules: [q_proj]\n"
)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    builtin_configs()  # skips without torchtune
    return tmp_path_factory.mktemp("cache")


def analysed(root: Path, cache: Path, files: dict[str, str]) -> ConfigView:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    path = root / "configs/my.yaml"
    return Project(Settings(), [root], cache_dir=cache).view(path.as_uri(), None, path.read_text())


def arguments(view: ConfigView) -> list[tuple[Severity, str, int]]:
    found: list[Finding] = [f for f in view.findings() if f.code == "missing-argument"]
    return [(f.severity, f.message.split(",")[0], f.span.start_line) for f in found]


def test_a_poor_guess_still_reports_what_no_recipe_supplies(tmp_path: Path, cache: Path) -> None:
    view = analysed(tmp_path, cache, {"configs/my.yaml": KD_HEADER + BODY})
    assert [f.code for f in view.findings() if f.code == "recipe-fit"] == ["recipe-fit"]
    # the tokenizer (datasets) and the parameters (optimizers) are passed by the recipes themselves
    assert arguments(view) == [
        (Severity.ERROR, "chat_dataset needs conversation_column", 5),
        (Severity.ERROR, "lora_llama3_2_1b needs lora_attn_modules", 9),
    ]
    (chat,) = [f for f in view.findings() if f.code == "missing-argument" and "chat_dataset" in f.message]
    assert [f["title"] for f in chat.data["fixes"]] == ["Add conversation_column"]


def test_a_config_that_sets_them_is_silent(tmp_path: Path, cache: Path) -> None:
    view = analysed(tmp_path, cache, {"configs/my.yaml": KD_HEADER + COMPLETE})
    assert arguments(view) == []
    assert [f.severity for f in view.findings() if f.code.startswith(("missing", "recipe-f"))] == [Severity.WARNING]


def test_a_borderline_guess_makes_the_certain_ones_errors_without_repeating_them(tmp_path: Path, cache: Path) -> None:
    body = LORA.replace("epochs: 1\n", "").replace(
        "  _component_: torchtune.datasets.alpaca_cleaned_dataset\n", CHAT + "  conversation_column: messages\n"
    )
    body = body.replace("  lora_attn_modules: [q_proj, v_proj]\n", "")
    view = analysed(tmp_path, cache, {"configs/my.yaml": LORA_HEADER + body})
    assert arguments(view) == [(Severity.ERROR, "lora_llama3_2_1b needs lora_attn_modules", 3)]
    assert {f.code: f.severity for f in view.findings() if f.code == "missing-key"} == {"missing-key": Severity.WARNING}


def test_a_guessed_recipe_file_is_read_for_what_it_supplies(tmp_path: Path, cache: Path) -> None:
    recipe = (
        "from torchtune import config\n\ndef recipe_main(cfg):\n    tok = config.instantiate(cfg.tokenizer)\n"
        "    config.instantiate(cfg.dataset, tok, conversation_column='messages')\n"
        "    config.instantiate(cfg.model)\n"
    )
    view = analysed(
        tmp_path, cache, {"configs/my.yaml": BODY + "extra: 1\nmore: 2\nagain: 3\n", "configs/my.py": recipe}
    )
    assert view.ctx.recipe is not None and view.ctx.recipe.choice.source == "recipe beside the config"
    assert [m for _, m, _ in arguments(view)] == ["lora_llama3_2_1b needs lora_attn_modules"]
    # a recipe file that hands the config to other code (and fits poorly): nothing is known for sure
    escaping = recipe + "    cfg.a, cfg.b, cfg.c\n    helper(cfg)\n"
    view = analysed(tmp_path / "b", cache, {"configs/my.yaml": KD_HEADER + BODY, "configs/my.py": escaping})
    assert [f.code for f in view.findings() if f.code == "recipe-fit"] == ["recipe-fit"]
    assert arguments(view) == []


def test_check_cli_fails_on_them(
    tmp_path: Path, cache: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TUNECONF_CACHE_DIR", str(cache))
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs/my.yaml").write_text(KD_HEADER + BODY)
    monkeypatch.chdir(tmp_path)
    assert main(["check", "configs/my.yaml"]) == 1
    out = capsys.readouterr().out
    assert "configs/my.yaml:6:16: error[missing-argument] chat_dataset needs conversation_column" in out, out
    (tmp_path / "configs/my.yaml").write_text(KD_HEADER + COMPLETE)
    assert main(["check", "configs/my.yaml"]) == 0


def test_no_builtin_config_lacks_what_no_recipe_supplies(tmp_path: Path, cache: Path) -> None:
    """As if each built-in config's recipe were not known: what the registry supplies covers them all."""
    from tuneconf.diagnostics.recipe import certainly_missing

    project = Project(Settings(), [], cache_dir=cache)
    supplies = project.catalog.registry_supplies()
    assert supplies is not None
    checked = 0
    for file in builtin_configs():
        view = project.view(file.as_uri(), None, file.read_text())
        for component in iter_components(view.parsed.mapping, view.ctx.settings.component_keys):
            resolution = view.ctx.resolve_or_wait(str(component.dotpath.value))
            symbol = resolution.symbol if resolution is not None else None
            if symbol is None or symbol.parameters is None:
                continue
            found = Component(component.path, component.mapping, component.dotpath)
            assert certainly_missing(found, symbol, supplies) == [], (file, component.path)
            checked += tuple(ITEM if isinstance(p, int) else p for p in component.path) in {
                i.path for i in supplies.instantiations
            }
    assert checked > 600


def test_with_no_recipe_at_all_what_no_recipe_supplies_is_still_an_error(tmp_path: Path, cache: Path) -> None:
    view = analysed(tmp_path, cache, {"configs/my.yaml": BODY})
    assert view.is_config and view.ctx.recipe is None
    assert arguments(view) == [
        (Severity.ERROR, "chat_dataset needs conversation_column", 4),
        (Severity.ERROR, "lora_llama3_2_1b needs lora_attn_modules", 8),
    ]
    assert arguments(analysed(tmp_path / "complete", cache, {"configs/my.yaml": COMPLETE})) == []
