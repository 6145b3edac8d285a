"""Recipe evidence found wrong on real public configs (issue 13, item 1), each pattern rebuilt small: a
custom recipe named as a module (`tune run custom_generate`), a recipe elsewhere in the workspace that
fits better than a `tune cp` header, a recipe that loads `--config` itself with `OmegaConf.load`, and
keys the config reads itself through interpolations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from builtin import builtin_configs
from sample_configs import LORA
from tuneconf.cli import main
from tuneconf.findings import Finding
from tuneconf.index.environment import Environment
from tuneconf.index.modules import ModuleFinder
from tuneconf.project import ConfigView, Project
from tuneconf.recipes import evidence
from tuneconf.recipes.analysis import analyse
from tuneconf.recipes.evidence import GOOD, measure, text_referenced, top_keys
from tuneconf.recipes.registry import Registry, module_file, named_recipe
from tuneconf.settings import Settings
from workspace_files import write

GENERATE_HEADER = "# tune run generate --config generation\n"
LORA_HEADER = "# tune run lora_finetune_single_device --config llama3_2/1B_lora_single_device\n"
GENERATION = """\
output_dir: /tmp/out
model:
  _component_: torchtune.models.llama2.llama2_7b
checkpointer:
  _component_: torchtune.training.FullModelHFCheckpointer
  checkpoint_dir: /tmp/ckpt
  checkpoint_files: [model.safetensors]
  output_dir: ${output_dir}
  model_type: LLAMA2
device: cuda
dtype: bf16
seed: 1234
tokenizer:
  _component_: torchtune.models.llama2.llama2_tokenizer
  path: /tmp/tokenizer.model
prompt: "Tell me a joke."
max_new_tokens: 300
temperature: 0.6
top_k: 300
enable_kv_cache: True
quantizer: null
instruct_template: null
chat_format: null
"""
CUSTOM_GENERATE = """\
from omegaconf import DictConfig
from torchtune import config


@config.parse
def main(cfg: DictConfig) -> None:
    cfg.output_dir, cfg.model, cfg.checkpointer, cfg.device, cfg.dtype, cfg.seed, cfg.tokenizer, cfg.prompt
    cfg.max_new_tokens, cfg.temperature, cfg.top_k, cfg.enable_kv_cache, cfg.quantizer
    cfg.get("instruct_template", None), cfg.get("chat_format", None)
"""
EXTRA = "output_hidden_states: true\nlayer_mapping: [[0, 0]]\nloss_scaling: 1.0\n"
RECIPE_CODES = {"missing-key", "unused-key", "missing-argument", "supplied-argument", "recipe-mismatch", "recipe-fit"}


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    builtin_configs()  # skips without torchtune
    return tmp_path_factory.mktemp("cache")


def analysed(root: Path, cache: Path, files: dict[str, str], config: str) -> ConfigView:
    write(root, files)
    path = root / config
    return Project(Settings(), [root], cache_dir=cache).view(path.as_uri(), None, path.read_text())


def recipe_findings(view: ConfigView) -> list[Finding]:
    return [f for f in view.findings() if f.code in RECIPE_CODES]


def shown(view: ConfigView) -> tuple[str, str]:
    assert view.ctx.recipe is not None
    return view.ctx.recipe.choice.name, view.ctx.recipe.choice.how


def reading(keys: list[str]) -> str:
    """A custom recipe that reads exactly `keys` (optionally)."""
    return "from torchtune import config\n\n\n@config.parse\ndef recipe_main(cfg):\n" + "".join(
        f"    cfg.get({k!r})\n" for k in keys
    )


def check_json(
    root: Path, config: str, cache: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> list[dict[str, Any]]:
    """The recipe findings of `tuneconf check --format json CONFIG` run in `root`."""
    monkeypatch.setenv("TUNECONF_CACHE_DIR", str(cache))
    monkeypatch.chdir(root)
    main(["check", "--format", "json", config])
    return [d for d in json.loads(capsys.readouterr().out) if d["code"] in RECIPE_CODES]


# -- (a) a custom recipe named as a module ----------------------------------------------------------------


def test_a_launch_command_naming_a_module_finds_its_file(tmp_path: Path, cache: Path) -> None:
    files = {
        "math/custom_generation.yaml": GENERATE_HEADER + GENERATION,
        "math/custom_generate.py": CUSTOM_GENERATE,
        "math/README.md": "```\ntune run custom_generate --config custom_generation.yaml\n```\n",
    }
    view = analysed(tmp_path, cache, files, "math/custom_generation.yaml")
    assert shown(view) == ("custom_generate", "from math/README.md:2")
    assert view.ctx.recipe is not None and view.ctx.recipe.choice.file == (tmp_path / "math/custom_generate.py")
    assert recipe_findings(view) == []
    # the header's `generate` alone never reads the two keys
    alone = analysed(tmp_path / "alone", cache, {"c.yaml": GENERATE_HEADER + GENERATION}, "c.yaml")
    assert shown(alone) == ("generate", "from the header")
    assert sorted(f.message.split("'")[1] for f in recipe_findings(alone)) == ["chat_format", "instruct_template"]


def test_a_module_name_resolves_as_run_module_would(tmp_path: Path) -> None:
    write(tmp_path, {"pkg/__init__.py": "", "pkg/__main__.py": "", "pkg/sub.py": "", "flat.py": ""})
    assert module_file("flat", None, [tmp_path]) == tmp_path / "flat.py"
    assert module_file("pkg/sub", None, [tmp_path]) == tmp_path / "pkg/sub.py"  # a/b is a.b
    assert module_file("pkg", None, [tmp_path]) == tmp_path / "pkg/__main__.py"  # a package runs __main__
    # torchtune 0.6.1 drops a last `.x` (os.path.splitext): `pkg.sub` runs the package `pkg`
    assert module_file("pkg.sub", None, [tmp_path]) == tmp_path / "pkg/__main__.py"
    assert module_file("not-a-module", None, [tmp_path]) is None
    assert module_file("missing", None, [tmp_path]) is None
    header = named_recipe("flat", "tune run header", tmp_path / "my.yaml", Registry(), [])
    assert header is not None and (header.name, header.file) == ("flat", tmp_path / "flat.py")
    assert named_recipe("missing", "tune run header", tmp_path / "my.yaml", Registry(), []) is None


def test_a_module_on_the_search_path_comes_first(tmp_path: Path) -> None:
    """sys.path before the folder `tune run` appends: the environment's module wins over the local one."""
    write(tmp_path, {"site/custom_generate.py": "", "ws/custom_generate.py": "", "site/pkg/__init__.py": ""})
    finder = ModuleFinder(Environment("python", search_path=[tmp_path / "site"]))
    assert module_file("custom_generate", finder, [tmp_path / "ws"]) == tmp_path / "site/custom_generate.py"
    assert module_file("pkg", finder, [tmp_path / "ws"]) is None  # a package without __main__ cannot run
    assert module_file("other", finder, [tmp_path / "ws"]) is None


def test_check_cli_follows_a_module_recipe(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {
        "custom_generation.yaml": GENERATE_HEADER + GENERATION,
        "custom_generate.py": CUSTOM_GENERATE,
        "README.md": "tune run custom_generate --config custom_generation.yaml\n",
    }
    write(tmp_path, files)
    assert check_json(tmp_path, "custom_generation.yaml", cache, monkeypatch, capsys) == []


# -- (b) a recipe elsewhere in the workspace that fits better than the header -----------------------------


def test_a_workspace_recipe_that_fits_better_than_the_header_wins(tmp_path: Path, cache: Path) -> None:
    keys = top_keys(LORA + EXTRA)
    files = {"configs/distillation.yaml": LORA_HEADER + LORA + EXTRA, "src/lora_kd_recipe.py": reading(keys)}
    view = analysed(tmp_path / "a", cache, files, "configs/distillation.yaml")
    assert shown(view) == ("src/lora_kd_recipe.py", "the best fit among the workspace's recipes")
    assert view.ctx.recipe is not None and view.ctx.recipe.choice.source == evidence.WORKSPACE
    assert recipe_findings(view) == []
    # without it, the header's recipe never reads the three keys
    alone = analysed(
        tmp_path / "b", cache, {"configs/distillation.yaml": LORA_HEADER + LORA + EXTRA}, "configs/distillation.yaml"
    )
    assert shown(alone) == ("lora_finetune_single_device", "from the header")
    assert [f.code for f in recipe_findings(alone)] == ["unused-key"] * 3


def test_a_tie_keeps_the_header_and_the_best_of_several_wins(tmp_path: Path, cache: Path) -> None:
    keys = top_keys(LORA + EXTRA)
    config = {"configs/my.yaml": LORA_HEADER + LORA + EXTRA}
    # reads what the header's recipe reads, no more: a tie (the copy is run with its header's recipe)
    tie = {**config, "recipes/same.py": reading(top_keys(LORA))}
    assert shown(analysed(tmp_path / "tie", cache, tie, "configs/my.yaml"))[0] == "lora_finetune_single_device"
    # one that hands the config to code that cannot be followed seems to read everything: no evidence
    escapes = {**config, "recipes/hands_on.py": reading(["model"]) + "    unknown(cfg)\n"}
    assert shown(analysed(tmp_path / "escapes", cache, escapes, "configs/my.yaml"))[0] == "lora_finetune_single_device"
    several = {**tie, "recipes/closer.py": reading(keys[:-1]), "recipes/exact.py": reading(keys)}
    view = analysed(tmp_path / "several", cache, several, "configs/my.yaml")
    assert shown(view)[0] == "recipes/exact.py"


def test_better_evidence_keeps_its_place_above_the_workspace(tmp_path: Path, cache: Path) -> None:
    keys = top_keys(LORA + EXTRA)
    files = {
        "configs/my.yaml": LORA_HEADER + LORA + EXTRA,
        "src/lora_kd_recipe.py": reading(keys),
        "train.sh": "tune run lora_finetune_single_device --config configs/my.yaml\n",
    }
    assert shown(analysed(tmp_path, cache, files, "configs/my.yaml")) == (
        "lora_finetune_single_device",
        "from train.sh:1",
    )


def test_a_poor_fit_in_the_workspace_is_no_evidence_and_the_count_is_capped(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = {"configs/my.yaml": LORA_HEADER + "model: {}\nfoo: 1\nbar: 2\nbaz: 3\n"}
    # the header's recipe lacks many keys here; one that reads only `model` still leaves 3 of 4 unread
    poor = {**config, "x.py": reading(["model"])}
    view = analysed(tmp_path / "poor", cache, poor, "configs/my.yaml")
    assert shown(view)[0] == "lora_finetune_single_device"
    # but it fits better than the header's: the recipe-fit warning offers to name it
    (finding,) = recipe_findings(view)
    assert finding.code == "recipe-fit"
    assert "Add '# tuneconf: recipe=../x.py' (the best fit among the workspace's recipes)" in [
        f["title"] for f in finding.data["fixes"]
    ]
    monkeypatch.setattr(evidence, "MAX_WORKSPACE_RECIPES", 1)
    scan = evidence.LaunchScan([tmp_path / "cap"])
    write(tmp_path / "cap", {"a_recipe.py": reading([]), "my_recipe.py": reading([]), "my.yaml": ""})
    # the recipe whose name shares the most words with the config's comes first
    assert [c.name for c in scan.recipes(tmp_path / "cap/my.yaml")] == ["my_recipe.py"]


def test_check_cli_takes_the_workspace_recipe(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = top_keys(LORA + EXTRA)
    write(tmp_path, {"configs/my.yaml": LORA_HEADER + LORA + EXTRA, "lora_orpo.py": reading(keys)})
    assert check_json(tmp_path, "configs/my.yaml", cache, monkeypatch, capsys) == []


# -- (c) a recipe that loads --config itself -----------------------------------------------------------------

LOADING = """\
import argparse
from omegaconf import OmegaConf
from torchtune.config import instantiate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    args, overrides = parser.parse_known_args()
    cfg = OmegaConf.load(args.config)
    if overrides:
        cfg = OmegaConf.merge(cfg, OmegaConf.from_dotlist(overrides))
    other = OmegaConf.load("defaults.yaml")
    made = OmegaConf.create({"never": 1})
    other.not_a_key, made.not_a_key_either
    device = getattr(cfg, "device", "cuda")
    model = instantiate(cfg.model)
    shuffle = bool(getattr(cfg.dataset, "shuffle", True))
    experts = getattr(cfg.model, "num_experts", cfg.get("num_experts", 8))
    for epoch in range(int(cfg.epochs)):
        pass


if __name__ == "__main__":
    main()
"""


def test_a_config_loaded_from_the_config_argument_is_read(tmp_path: Path) -> None:
    write(tmp_path, {"r.py": LOADING})
    usage = analyse(tmp_path / "r.py")
    assert not usage.escapes and not usage.error
    assert usage.read_keys() == {"device", "model", "dataset", "num_experts", "epochs"}
    assert set(usage.required_keys()) == {"model", "dataset", "epochs"}
    assert ("dataset", "shuffle") in {r.path for r in usage.reads}
    assert [i.path for i in usage.instantiations] == [("model",)]


@pytest.mark.parametrize(
    ("code", "read", "required"),
    [
        # a script's module level, under its __main__ guard (which runs)
        ('if __name__ == "__main__":\n    cfg = OmegaConf.load(parse().config)\n    cfg.a\n', {"a"}, {"a"}),
        # a name holding the argument; the config as merge's second argument: an earlier one may set it
        (
            "def main(a):\n    path = a.config\n    c = OmegaConf.merge(base, OmegaConf.load(path))\n    c.a\n",
            {"a"},
            set(),
        ),
        ('def main(a):\n    c = OmegaConf.load(vars(a)["config"])\n    c.a\n', {"a"}, {"a"}),
        # another file, or a config made here, is not the run's config
        ('def main():\n    c = OmegaConf.load("teacher.yaml")\n    c.a\n', set(), set()),
        ("def main(a):\n    c = OmegaConf.create(OmegaConf.load(a.other))\n    c.a\n", set(), set()),
    ],
)
def test_which_loads_are_the_runs_config(tmp_path: Path, code: str, read: set[str], required: set[str]) -> None:
    write(tmp_path, {"r.py": "from omegaconf import OmegaConf\n\n" + code})
    usage = analyse(tmp_path / "r.py")
    assert (usage.read_keys(), set(usage.required_keys())) == (read, required)


def test_check_cli_checks_a_config_against_a_recipe_that_loads_it(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = "checkpoint_dir: /tmp/c\nmodel:\n  path: ${checkpoint_dir}\ndevice: cuda\ndataset:\n  shuffle: true\n"
    config += "epochs: 1\nnum_experts: 4\nunread: 1\n"
    files = {
        "configs/moe.yaml": config,
        "recipes/moe.py": LOADING,
        "scripts/launch.sh": "cd ..\ntune run --nproc_per_node 2 recipes/moe.py --config configs/moe.yaml\n",
    }
    write(tmp_path, files)
    found = check_json(tmp_path, "configs/moe.yaml", cache, monkeypatch, capsys)
    # only the key nothing reads (checkpoint_dir is read by the config's own interpolation)
    assert [(d["code"], d["message"].split("'")[1]) for d in found] == [("unused-key", "unread")]


# -- (d) keys the config reads itself ------------------------------------------------------------------------


def test_keys_referenced_by_interpolations_are_not_unread(tmp_path: Path) -> None:
    text = "max_seq_len: 512\nuser: x\ntokenizer:\n  max_seq_len: ${max_seq_len}\n  u: a${user}\n  r: ${.u}\n"
    assert text_referenced(text) == {"max_seq_len", "user"}  # `${.u}` is relative, not a top-level key
    write(tmp_path, {"r.py": "def recipe_main(cfg):\n    cfg.tokenizer\n"})
    usage = analyse(tmp_path / "r.py")
    keys = top_keys(text)
    assert measure(usage, keys).unread == ("max_seq_len", "user")
    fit = measure(usage, keys, text_referenced(text))
    assert (fit.unread, fit.grade) == ((), GOOD)


def test_keys_the_config_interpolates_are_not_unread_by_the_fit(tmp_path: Path, cache: Path) -> None:
    """The checks' Fit and unused-key agree: a key only `${}` uses is used (diagnostics/recipe.py)."""
    config = "model:\n  path: ${a}/${b}/${c}\na: 1\nb: 2\nc: 3\n"
    (tmp_path / "my.yaml").write_text(config)
    (tmp_path / "my.py").write_text("def recipe_main(cfg):\n    cfg.model\n")
    path = tmp_path / "my.yaml"
    view = Project(Settings(), [tmp_path], cache_dir=cache).view(path.as_uri(), None, config, config=True)
    assert view.ctx.recipe is not None and view.ctx.recipe.choice.name == "my.py"
    assert [f.code for f in view.findings() if f.code in {"recipe-fit", "unused-key"}] == []


def test_a_file_that_only_mentions_recipe_main_is_not_a_recipe() -> None:
    assert evidence.is_recipe("@config.parse\ndef recipe_main(cfg: DictConfig) -> None:\n    ...\n")
    assert evidence.is_recipe("def recipe_main(cfg):\n    cfg.model\n")
    assert not evidence.is_recipe('MARKS = ("recipe_main", "config.parse")\nif "recipe_main" in source: ...\n')
    assert not evidence.is_recipe("def parse(recipe_main: Recipe) -> Callable[..., Any]:\n    ...\n")


def test_a_recipe_that_keeps_the_config_on_self_reads_it_in_its_other_methods(tmp_path: Path) -> None:
    """niklasmellgren's kd_recipe.py: `self._config = cfg` in __init__, `self._config.loss_scaling` later."""
    recipe = (
        "class KD:\n    def __init__(self, cfg):\n        self._config = cfg\n        self._epochs = cfg.epochs\n\n"
        "    def train(self):\n        scale = self._config.loss_scaling\n"
        "        self._config.get('layer_mapping', None)\n\n\n"
        "def recipe_main(cfg):\n    KD(cfg).train()\n"
    )
    write(tmp_path, {"r.py": recipe})
    usage = analyse(tmp_path / "r.py")
    assert not usage.escapes and not usage.error
    assert usage.read_keys() == {"epochs", "loss_scaling", "layer_mapping"}
    assert set(usage.required_keys()) == {"epochs"}  # another method may run later, or never
