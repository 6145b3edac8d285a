"""What a Hydra project's code instantiates from its config (tuneconf/hydra/callsites.py), on the small
projects under tests/hydra_projects/calls_*/ and a few written on the spot."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tuneconf.hydra.callsites import ITEM, CallSites, call_sites
from tuneconf.hydra.discover import entry_points

PROJECTS = (Path(__file__).parent.parent / "hydra_projects").absolute()
TEMPLATE = PROJECTS / "calls_template"
RESEARCH = PROJECTS / "calls_research"
DISCOVER = PROJECTS / "calls_discover"

Row = tuple[tuple[str | int, ...], int, tuple[str, ...], bool | None, bool | None, bool, str, int]


def _rows(found: CallSites) -> set[Row]:
    return {
        (s.path, s.positional, s.keywords, s.recursive, s.partial, s.unpacked, s.file.name, s.line) for s in found.sites
    }


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))


def test_the_template_project_from_its_entry_point() -> None:
    (entry,) = entry_points(TEMPLATE)
    found = call_sites(entry, None, [TEMPLATE])
    assert _rows(found) == {
        (("data",), 0, (), None, None, False, "train.py", 13),
        (("model",), 0, (), None, None, False, "train.py", 14),
        (("trainer",), 0, ("callbacks", "logger"), None, None, False, "train.py", 17),
        (("callbacks", ITEM), 0, (), None, None, False, "builders.py", 18),  # `for _, one in cfg.items()`
        (("logger", ITEM), 0, (), None, None, False, "builders.py", 23),  # a comprehension over .values()
    }
    assert found.unknown == []
    # The whole config goes to the project's own helpers (followed), never to a library: only leaves escape.
    assert found.escapes == {("ckpt_path",), ("optimized_metric",)}
    assert not found.escaped(("model",)) and not found.escaped(("callbacks", "early"))
    followed = {f.relative_to(TEMPLATE).as_posix() for f in found.followed}
    assert {"src/train.py", "src/utils/__init__.py", "src/utils/builders.py", "src/utils/records.py"} <= followed
    assert {"src/utils/setup.py", "src/utils/printing.py"} <= followed  # `from . import printing`
    assert "src/utils/wrappers.py" not in followed  # the decorator never sees the config


def test_a_file_without_an_entry_point_object_finds_its_hydra_main() -> None:
    (entry,) = entry_points(TEMPLATE)
    assert _rows(call_sites(entry.file, None, [TEMPLATE])) == _rows(call_sites(entry, None, [TEMPLATE]))


def test_a_named_function_binds_its_first_parameter() -> None:
    found = call_sites(TEMPLATE / "src" / "utils" / "builders.py", "build_callbacks", [TEMPLATE])
    assert _rows(found) == {((ITEM,), 0, (), None, None, False, "builders.py", 18)}


def test_the_research_project_extra_arguments_and_flags() -> None:
    (entry,) = entry_points(RESEARCH)
    found = call_sites(entry, None, [RESEARCH])
    assert _rows(found) == {
        (("model",), 0, (), False, None, False, "main.py", 15),  # _recursive_=False
        (("optimizer",), 0, ("params",), None, None, False, "main.py", 16),  # h.utils.instantiate, params=
        (("scheduler",), 1, (), None, True, False, "main.py", 17),  # a positional argument, _partial_=True
        (("model", "net"), 1, (), None, None, True, "main.py", 19),  # an alias, *vocab
        (("data",), 0, (), None, None, True, "main.py", 20),  # cfg["data"], **vocab
        (("loss",), 0, ("reduction",), None, None, False, "main.py", 21),  # config=cfg.get("loss")
        (("callbacks", ITEM), 0, (), None, None, False, "main.py", 23),  # for cb in cfg.callbacks
        (("metrics", ITEM), 0, ("index",), None, None, False, "main.py", 25),  # enumerate(...)
        (("aux", "head"), 0, (), None, None, False, "main.py", 27),  # OmegaConf.select
        (("ema",), 0, (), None, None, False, "main.py", 28),  # getattr(cfg, "ema")
        (("hooks", "on_start"), 1, (), None, None, False, "main.py", 29),  # hu.call
        (("layers", 0), 0, (), None, None, False, "main.py", 30),  # call(cfg.layers[0])
        (("encoder", "backbone"), 1, (), None, None, False, "builders.py", 8),  # relative import, renamed
        (("encoder", "head"), 0, ("encoder",), None, None, False, "heads.py", 6),  # bound by keyword
        (("learner", "net"), 0, (), None, None, False, "module.py", 8),  # a class's __init__
        (("learner", "optimizer"), 0, ("params",), None, None, False, "module.py", 12),  # self.cfg elsewhere
        (("learner", "scheduler"), 0, ("optimizer",), None, None, False, "module.py", 17),  # self.method(...)
    }
    main = RESEARCH / "main.py"
    assert found.unknown == [(main, 31, False), (main, 33, True)]  # a literal; dict(cfg.extra), _recursive_=False
    assert found.escapes == {("dynamic",), ("state",)}  # REGISTRY[...](cfg.dynamic); torch.save(cfg.state)
    assert found.escaped(("dynamic", "inner")) and not found.escaped(("debug",))  # print() is harmless
    assert [s.line for s in found.at(("learner", "optimizer"))] == [12]
    assert {s.path for s in found.at(("callbacks", "early"))} == {("callbacks", ITEM)}


def test_initialize_and_compose_entry_points() -> None:
    by_file = {e.file.name: e for e in entry_points(DISCOVER)}
    composed = call_sites(by_file["composed.py"], None, [DISCOVER])
    assert _rows(composed) == {(("model",), 0, (), False, None, False, "composed.py", 7)}
    script = call_sites(by_file["config_dir.py"], None, [DISCOVER])  # `with initialize_config_dir(...)` at the top
    assert _rows(script) == {(("trainer",), 0, ("devices",), None, None, False, "config_dir.py", 8)}
    wrapped = call_sites(by_file["wrapped.py"], None, [DISCOVER])  # hydra.main(...)(task)
    assert _rows(wrapped) == {(("model",), 0, (), None, None, False, "wrapped.py", 4)}


def test_module_forms_and_closures(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "app/run.py": """\
                import hydra
                import hydra.utils as hu
                import pkg.parts as parts
                from pkg import tools

                @hydra.main(config_path=None, version_base=None)
                def main(cfg):
                    def make_head():
                        return hu.instantiate(cfg.head)
                    parts.build(cfg.body)
                    tools.helpers.build(config=cfg.tail)
                    make_head()
                """,
            "pkg/__init__.py": "",
            "pkg/parts.py": "from hydra.utils import instantiate\ndef build(c):\n    instantiate(c.block, 1)\n",
            "pkg/tools/__init__.py": "from . import helpers\n",
            "pkg/tools/helpers.py": "import hydra\ndef build(config):\n    hydra.utils.instantiate(config)\n",
        },
    )
    found = call_sites(tmp_path / "app" / "run.py", None, [tmp_path])
    assert {(s.path, s.positional) for s in found.sites} == {(("head",), 0), (("body", "block"), 1), (("tail",), 0)}
    assert found.escapes == set() and found.unknown == []


def test_imports_are_followed_four_hops_deep(tmp_path: Path) -> None:
    files = {"run.py": "import hydra\nfrom m1 import go\n@hydra.main()\ndef main(cfg):\n    go(cfg.a)\n"}
    for hop in range(1, 7):
        nxt = f"from m{hop + 1} import go as deeper\n" if hop < 6 else ""
        body = f"    hydra.utils.instantiate(c.k{hop})\n" + ("    deeper(c)\n" if hop < 6 else "")
        files[f"m{hop}.py"] = f"import hydra\n{nxt}def go(c):\n{body}"
    _write(tmp_path, files)
    found = call_sites(tmp_path / "run.py", None, [tmp_path])
    assert {s.path for s in found.sites} == {("a", f"k{hop}") for hop in range(1, 5)}
    assert found.escapes == {("a",)}  # handed to m5's `go`, which is too deep to read
    assert len(found.followed) == 5


def test_a_recursive_walk_and_a_broken_module_end_quietly(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "run.py": """\
                import hydra
                from broken import helper

                def visit(node):
                    for value in node.values():
                        visit(value)
                    hydra.utils.instantiate(node)

                @hydra.main()
                def main(cfg):
                    visit(cfg.tree)
                    helper(cfg.other)
                """,
            "broken.py": "def helper(c:\n",
        },
    )
    found = call_sites(tmp_path / "run.py", None, [tmp_path])
    assert ("tree",) in {s.path for s in found.sites}
    assert ("tree", ITEM, ITEM) in {s.path for s in found.sites}
    assert max(len(s.path) for s in found.sites) <= 12
    assert found.escapes == {("other",)}


def test_a_missing_file_gives_nothing(tmp_path: Path) -> None:
    found = call_sites(tmp_path / "nope.py", None, [tmp_path])
    assert found == CallSites()
    assert found.followed == ()
