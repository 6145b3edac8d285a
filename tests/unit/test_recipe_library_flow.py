"""The config followed into library code: a recipe that hands `cfg` to torchtune's own code (the
checkpoint client of full_finetune_distributed) counts what that code reads, so unused keys are still
found; where the config goes to code that cannot be followed, it escapes as before."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from builtin import CONFIG_ROOT, builtin_configs
from tuneconf.findings import Finding
from tuneconf.index.environment import probe
from tuneconf.index.modules import ModuleFinder
from tuneconf.project import Project
from tuneconf.recipes.analysis import RecipeUsage
from tuneconf.recipes.catalog import Catalog
from tuneconf.settings import Settings
from workspace_files import write as write_files

RECIPES = CONFIG_ROOT.parent
KNOWN = "# tuneconf: recipe=full_finetune_distributed\n"
CLIENT_READS = {"checkpointer", "device", "enable_async_checkpointing", "optimizer_in_bwd", "resume_from_checkpoint"}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    builtin_configs()  # skips without torchtune
    return Catalog(ModuleFinder(probe(None, [])), [], {})


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    builtin_configs()
    return Project(Settings(), [], cache_dir=tmp_path_factory.mktemp("cache"))


def unused(project: Project, text: str) -> list[Finding]:
    view = project.view("file:///tmp/library-flow-test/c.yaml", None, text)
    return [f for f in view.findings() if f.code == "unused-key"]


def usage_of(catalog: Catalog, file: Path) -> RecipeUsage:
    usage = catalog.usage(file)
    assert usage is not None and usage.error == ""
    return usage


def test_full_finetune_distributed_no_longer_escapes(catalog: Catalog) -> None:
    recipe = RECIPES / "full_finetune_distributed.py"
    usage = usage_of(catalog, recipe)
    assert not usage.escapes
    assert usage.read_keys() >= CLIENT_READS
    # the client instantiates the checkpointer itself, with should_load_recipe_state
    assert "should_load_recipe_state" in usage.supplied(("checkpointer",))[1]
    # reads inside library code are placed at the recipe's call site
    line = next(n for n, text in enumerate(recipe.read_text().splitlines(), 1) if "CheckpointClient(cfg)" in text)
    assert any(r.path == ("resume_from_checkpoint",) and r.line == line and not r.required for r in usage.reads)


def test_a_bogus_key_under_full_finetune_distributed_is_reported(project: Project) -> None:
    text = KNOWN + (CONFIG_ROOT / "llama3_2" / "1B_full.yaml").read_text()
    assert unused(project, text) == []
    found = unused(project, text + "bogus_flag: true\n")
    assert [f.message for f in found] == [
        "full_finetune_distributed never reads 'bogus_flag'. It has no effect; remove it or check the recipe."
    ]


def test_keys_only_the_checkpoint_client_reads_are_not_reported(project: Project) -> None:
    text = KNOWN + (CONFIG_ROOT / "llama3_2" / "1B_full.yaml").read_text()
    extra = "enable_async_checkpointing: false\noptimizer_in_bwd: false\nresume_from_checkpoint: false\n"
    body = "\n".join(line for line in text.splitlines() if not line.startswith(tuple(CLIENT_READS - {"checkpointer"})))
    assert unused(project, body + "\n" + extra) == []


CLIENT = """\
    from omegaconf import OmegaConf


    class Client:
        def __init__(self, cfg, other=None):
            self._cfg = cfg
            self._steps = cfg.steps

        def build(self):
            return self._cfg.get("workers", 1)

        def dump(self):
            return OmegaConf.to_yaml(self._cfg)
"""


def write(root: Path, files: dict[str, str]) -> None:
    write_files(root, {name: textwrap.dedent(text) for name, text in files.items()})


def test_a_class_reexported_by_a_package_is_followed(catalog: Catalog, tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "helpers/__init__.py": "from .client import Client\n",
            "helpers/client.py": CLIENT.replace("    def dump", "    def _unused").replace("OmegaConf.to_yaml", "str"),
            "train.py": "from helpers import Client\n\ndef recipe_main(cfg):\n    client = Client(cfg)\n",
        },
    )
    usage = usage_of(catalog, tmp_path / "train.py")
    assert not usage.escapes
    assert {(r.path, r.line, r.required) for r in usage.reads} == {(("steps",), 4, True), (("workers",), 4, False)}


@pytest.mark.parametrize(
    ("recipe", "files"),
    [
        ("from nowhere import helper\n\ndef recipe_main(cfg):\n    helper(cfg)\n", {}),  # cannot be found
        ("from omegaconf import OmegaConf\n\ndef recipe_main(cfg):\n    OmegaConf.to_yaml(cfg)\n", {}),  # elsewhere
        (
            "from helpers import Client\n\ndef recipe_main(cfg):\n    Client(cfg)\n",
            {"helpers.py": CLIENT},
        ),  # passes it on
        (
            "from helpers import run\n\ndef recipe_main(cfg):\n    run(1, cfg)\n",
            {"helpers.py": "def run(*a):\n    pass\n"},
        ),
        ("from helpers import a\n\ndef recipe_main(cfg):\n    a(cfg)\n", {"helpers.py": "def a(c):\n    b(c)\n"}),
    ],
)
def test_where_the_config_truly_escapes(catalog: Catalog, tmp_path: Path, recipe: str, files: dict[str, str]) -> None:
    write(tmp_path, {"train.py": recipe, **files})
    assert usage_of(catalog, tmp_path / "train.py").escapes


def test_following_is_bounded_in_depth(catalog: Catalog, tmp_path: Path) -> None:
    hops = {f"helpers/m{i}.py": f"import helpers\n\ndef f{i}(c):\n    helpers.f{i + 1}(c)\n" for i in range(1, 4)}
    hops["helpers/m4.py"] = "def f4(c):\n    c.deep\n"
    hops["helpers/__init__.py"] = "".join(f"from .m{i} import f{i}\n" for i in range(1, 5))
    write(tmp_path, {**hops, "train.py": "from helpers import f1\n\ndef recipe_main(cfg):\n    f1(cfg)\n"})
    assert usage_of(catalog, tmp_path / "train.py").escapes  # four calls deep: past MAX_DEPTH
    write(tmp_path, {"shorter.py": "from helpers import f2\n\ndef recipe_main(cfg):\n    f2(cfg)\n"})
    usage = usage_of(catalog, tmp_path / "shorter.py")
    assert not usage.escapes and usage.read_keys() == {"deep"}  # three calls deep


def test_a_custom_recipe_handing_cfg_to_unknown_code_reports_no_unused_key(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "train.py": """\
                from torchtune import config
                from somewhere_unknown import helper

                def recipe_main(cfg):
                    model = config.instantiate(cfg.model)
                    helper(cfg)
            """
        },
    )
    space = Project(Settings(), [tmp_path], cache_dir=tmp_path / "cache")
    model = "model:\n  _component_: torch.nn.Linear\n  in_features: 2\n  out_features: 3\n"
    text = "# tuneconf: recipe=train.py\n" + model + "bogus: 1\n"
    view = space.view((tmp_path / "c.yaml").as_uri(), None, text)
    assert [f for f in view.findings() if f.code == "unused-key"] == []


def test_library_modules_are_parsed_once(catalog: Catalog) -> None:
    recipe = RECIPES / "full_finetune_distributed.py"
    usage_of(catalog, recipe)
    parsed = dict(catalog.library._parsed)
    assert any(p.name == "_checkpoint_client.py" for p in parsed)
    catalog._usages.clear()
    usage_of(catalog, recipe)
    assert all(catalog.library._parsed[p] is entry for p, entry in parsed.items())
