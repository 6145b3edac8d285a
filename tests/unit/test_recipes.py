"""Recipe awareness: which recipe, what it reads and supplies, and the checks that follow."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from builtin import CONFIG_ROOT, builtin_configs
from sample_configs import LORA
from tuneconf.findings import Finding, Severity
from tuneconf.index.environment import probe
from tuneconf.index.modules import ModuleFinder
from tuneconf.project import Project
from tuneconf.recipes.analysis import RecipeUsage
from tuneconf.recipes.catalog import Catalog
from tuneconf.recipes.registry import choose_recipe
from tuneconf.settings import Settings

RECIPES = CONFIG_ROOT.parent
CATALOG = Catalog(ModuleFinder(probe(None, [])), [], {})


def analyse(file: Path) -> RecipeUsage:
    model = CATALOG.usage(file)
    assert model is not None
    return model


@pytest.fixture(scope="module")
def registry():  # type: ignore[no-untyped-def]
    builtin_configs()
    return CATALOG.registry


def test_every_registry_recipe_is_analysed(registry) -> None:  # type: ignore[no-untyped-def]
    assert len(registry.recipes) == 19
    for recipe in registry.recipes:
        model = analyse(RECIPES / recipe.file_path)
        assert model.error == "", recipe.name
        assert model.required_keys(), recipe.name


def supplied(model, path):  # type: ignore[no-untyped-def]
    positional, keywords, unknown = model.supplied(path)
    return positional, sorted(keywords), unknown


def test_lora_finetune_single_device_by_hand() -> None:
    model = analyse(RECIPES / "lora_finetune_single_device.py")
    assert set(model.required_keys()) == {
        "batch_size", "checkpointer", "compile", "dataset", "device", "dtype", "epochs",
        "gradient_accumulation_steps", "loss", "lr_scheduler", "max_steps_per_epoch", "metric_logger",
        "model", "optimizer", "output_dir", "resume_from_checkpoint", "seed", "shuffle", "tokenizer",
    }  # fmt: skip
    assert {"profiler", "collate_fn", "clip_grad_norm", "save_adapter_weights_only"} <= model.read_keys()
    assert set(model.nested_required("model")) == {"lora_rank", "lora_alpha", "lora_attn_modules", "apply_lora_to_mlp"}
    assert supplied(model, ("optimizer",)) == (1, [], False)
    assert supplied(model, ("dataset",)) == (1, [], False)
    assert supplied(model, ("dataset", "*")) == (1, [], False)
    assert supplied(model, ("lr_scheduler",)) == (1, ["last_epoch", "num_training_steps"], False)
    assert supplied(model, ("checkpointer",)) == (0, ["should_load_recipe_state"], False)
    assert not model.escapes


def test_lora_dpo_single_device_by_hand() -> None:
    model = analyse(RECIPES / "lora_dpo_single_device.py")
    assert supplied(model, ("dataset",)) == (0, ["tokenizer"], False)  # by keyword here
    assert supplied(model, ("optimizer",)) == (1, [], False)
    assert "enable_activation_checkpointing" in model.required_keys()


def test_generate_by_hand() -> None:
    model = analyse(RECIPES / "generate.py")
    assert set(model.required_keys()) == {
        "checkpointer", "device", "dtype", "enable_kv_cache", "max_new_tokens", "model", "prompt",
        "quantizer", "seed", "temperature", "tokenizer", "top_k",
    }  # fmt: skip
    assert [i.path for i in model.instantiations if i.positional or i.keywords] == []


def test_recipe_choice_order(registry, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    custom = tmp_path / "my_recipe.py"
    custom.write_text("def recipe_main(cfg):\n    cfg.epochs\n")
    config = tmp_path / "c.yaml"
    header = "# tune run lora_finetune_single_device --config c.yaml\n"
    comment = "# tuneconf: recipe=my_recipe.py\n"
    assert choose_recipe(comment + header, config, registry, {}, [tmp_path]).name == "my_recipe.py"  # type: ignore[union-attr]
    assert choose_recipe(header, config, registry, {}, [tmp_path]).source == "tune run header"  # type: ignore[union-attr]
    builtin = CONFIG_ROOT / "llama3_2" / "1B_lora_single_device.yaml"
    assert choose_recipe("a: 1\n", builtin, registry, {}, []).name == "lora_finetune_single_device"  # type: ignore[union-attr]
    by_setting = choose_recipe("a: 1\n", config, registry, {"*.yaml": "full_finetune_single_device"}, [tmp_path])
    assert by_setting is not None and (by_setting.name, by_setting.source) == ("full_finetune_single_device", "setting")
    assert choose_recipe("a: 1\n", config, registry, {}, [tmp_path]) is None


BASE = "# tune run lora_finetune_single_device --config c.yaml\n" + LORA


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    builtin_configs()
    # (the configs here name /tmp paths that do not exist: path checks are tests/unit/test_path_checks.py's)
    return Project(Settings(path_checks=False), [], cache_dir=tmp_path_factory.mktemp("cache"))


def findings(project: Project, text: str) -> list[Finding]:
    view = project.view("file:///tmp/recipes-test/c.yaml", None, text)
    return [f for f in view.findings() if f.code not in ("kwargs-argument",)]


def test_a_fitting_config_is_clean(project: Project) -> None:
    assert findings(project, BASE) == []


@pytest.mark.parametrize(
    ("edit", "code", "severity", "says"),
    [
        (("epochs: 1\n", "epoch: 1\n"), "unused-key", Severity.WARNING, "Did you mean 'epochs'?"),
        # one key missing from a header's guess is a borderline fit: a warning (tests/unit/test_recipe_certainty.py)
        (("epochs: 1\n", ""), "missing-key", Severity.WARNING, "If run with lora_finetune_single_device (from the"),
        (("  model_type: LLAMA3_2\n", ""), "missing-argument", Severity.ERROR, "needs model_type"),
        (("  lr: 3e-4\n", "  lr: 3e-4\n  params: []\n"), "supplied-argument", Severity.ERROR, "multiple values"),
        (("lora_llama3_2_1b\n", "llama3_2_1b\n"), "recipe-mismatch", Severity.ERROR, "is a LoRA recipe"),
    ],
)
def test_recipe_problems(project: Project, edit: tuple[str, str], code: str, severity: Severity, says: str) -> None:
    text = BASE.replace(*edit)
    found = [f for f in findings(project, text) if f.code == code]
    assert len(found) == 1 and found[0].severity is severity and says in found[0].message, findings(project, text)


def test_a_lora_model_under_a_full_recipe_is_a_mismatch(project: Project) -> None:
    text = BASE.replace("tune run lora_finetune_single_device", "tune run full_finetune_single_device")
    codes = {f.code: f for f in findings(project, text)}
    assert codes["recipe-mismatch"].severity is Severity.WARNING


def test_a_custom_recipe_in_the_workspace(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(
        textwrap.dedent("""\
        from torchtune import config

        def recipe_main(cfg):
            model = config.instantiate(cfg.model)
            steps = cfg.steps
            opt = config.instantiate(cfg.optimizer, model.parameters())
    """)
    )
    space = Project(Settings(), [tmp_path], cache_dir=tmp_path / "cache")
    text = (
        "# tuneconf: recipe=train.py\nmodel:\n  _component_: torch.nn.Linear\n  in_features: 2\n"
        "  out_features: 3\nstep: 1\noptimizer:\n  _component_: torch.optim.SGD\n  lr: 0.1\n"
    )
    view = space.view((tmp_path / "c.yaml").as_uri(), None, text)
    assert sorted((f.code, f.severity.label) for f in view.findings()) == [
        ("missing-key", "error"),
        ("unused-key", "warning"),
    ]


def test_no_builtin_config_misses_an_argument_or_a_key(project: Project) -> None:
    for file in builtin_configs():
        found = project.view(file.as_uri(), None, file.read_text()).findings()
        # missing-dependency is true here for the vision configs (no torchvision): test_import_dependencies.py
        assert [f for f in found if f.severity is Severity.ERROR and f.code != "missing-dependency"] == [], file
        assert not {"missing-argument", "missing-key", "supplied-argument", "recipe-mismatch"} & {f.code for f in found}
