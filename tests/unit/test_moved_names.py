"""Moved names: an unknown member whose name is defined elsewhere in its package says where it lives
now, from the index of the package's public names (index/names.py), against the real torchtune."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from builtin import builtin_configs
from edit_oracle import apply, edits_of
from tuneconf.document.positions import Converter, encoding_of
from tuneconf.features.actions import code_actions
from tuneconf.findings import Finding
from tuneconf.index.cache import DiskCache
from tuneconf.index.environment import Environment
from tuneconf.index.modules import ModuleFinder
from tuneconf.index.names import build, request
from tuneconf.project import Project
from tuneconf.settings import Settings

EVERYWHERE = types.Range(types.Position(0, 0), types.Position(10**6, 0))
MOVED = [
    ("torchtune.utils.FullModelHFCheckpointer", "torchtune.training.FullModelHFCheckpointer"),
    ("torchtune.utils.metric_logging.DiskLogger", "torchtune.training.metric_logging.DiskLogger"),
    # torchtune.training re-exports it in __all__ (and documents it there): the shortest public path.
    ("torchtune.modules.get_cosine_schedule_with_warmup", "torchtune.training.get_cosine_schedule_with_warmup"),
]
# Defined twice: torchtune.utils._device and (deprecated) torchtune.training._distributed.
AMBIGUOUS = ("torchtune.utils.get_world_size_and_rank", "torchtune.training.get_world_size_and_rank")


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return Project(Settings(), [], cache_dir=tmp_path_factory.mktemp("cache"))


def member_findings(project: Project, text: str) -> list[Finding]:
    return [f for f in project.view("file:///tmp/moved.yaml", None, text).findings() if f.code == "unknown-member"]


def component(dotpath: str, key: str = "m") -> str:
    return f"{key}:\n  _component_: {dotpath}\n"


@pytest.mark.parametrize(("old", "home"), MOVED)
def test_a_moved_name_says_where_it_is_now_and_offers_it_preferred(real: Project, old: str, home: str) -> None:
    (finding,) = member_findings(real, component(old))
    name = old.rsplit(".", 1)[1]
    assert finding.message == f"{name} is not in {old.rsplit('.', 1)[0]}; it is {home} now."
    (only,) = finding.data["fixes"]
    assert only["preferred"] and only["edits"] == [[1, 15, 1, 15 + len(old), home]]
    assert finding.data["moved"] == home
    assert real.index.resolve(home).symbol is not None  # the home resolves, so the fix is right


def test_the_shorter_home_is_the_same_object_as_the_module_path_configs_use(real: Project) -> None:
    short = real.index.resolve("torchtune.training.get_cosine_schedule_with_warmup").symbol
    long = real.index.resolve("torchtune.training.lr_schedulers.get_cosine_schedule_with_warmup").symbol
    assert short is not None and long is not None and short.target == long.target


def test_a_name_defined_in_two_public_places_lists_both_and_prefers_neither(real: Project) -> None:
    (finding,) = member_findings(real, component("torchtune.modules.get_world_size_and_rank"))
    assert " or ".join(AMBIGUOUS) in finding.message
    fixes = finding.data["fixes"]
    assert [f["edits"][0][4] for f in fixes] == list(AMBIGUOUS)
    assert not any(f["preferred"] for f in fixes) and "moved" not in finding.data


def test_a_name_found_nowhere_keeps_did_you_mean(real: Project) -> None:
    (finding,) = member_findings(real, component("torchtune.datasets.alpaca_datset"))
    assert "did you mean 'alpaca_dataset'" in finding.message and "now" not in finding.message


def test_the_server_does_not_wait_for_the_names_and_checks_again_once_read(tmp_path: Path) -> None:
    server = Project(Settings(), [], blocking=False, cache_dir=tmp_path)
    text = component(MOVED[0][0], "a") + component(MOVED[1][0], "b")  # two sections wait on the same names
    view = server.view("file:///tmp/a.yaml", 1, text)
    first = view.findings()  # the dotpaths resolve at once; the package's names are not read yet
    assert [f.code for f in first] == ["unknown-member"] * 2 and not any("now" in f.message for f in first)
    assert view.ctx.pending == {request("torchtune")} and server.index.names("torchtune", wait=False) is None
    server.index.warm(sorted(view.ctx.pending)).join()
    view.forget_findings()
    assert [f.data.get("moved") for f in view.findings()] == [MOVED[0][1], MOVED[1][1]]
    assert view.ctx.pending == set()


def test_the_names_come_from_disk_while_the_package_is_unchanged(real: Project, tmp_path: Path) -> None:
    names = real.index.names("torchtune")
    assert names is not None and names.complete
    cache = DiskCache(tmp_path, "k")
    root = write_pkg(tmp_path / "ws")
    finder = ModuleFinder(Environment("python", search_path=[root]))
    index, deps = build(finder, "movedpkg")
    cache.put_names(index, deps)
    again = DiskCache(tmp_path, "k").get_names("movedpkg")
    assert again is not None and again.entries == index.entries
    (root / "movedpkg" / "extra.py").write_text("def Helper(): ...\n")
    assert DiskCache(tmp_path, "k").get_names("movedpkg") is None  # a module added: read again


def test_every_moved_name_in_the_file_is_fixed_by_one_action(real: Project) -> None:
    text = "".join(component(old, f"k{i}") for i, (old, _) in enumerate(MOVED))
    view = real.view("file:///tmp/all.yaml", None, text)
    conv = Converter(view.parsed.lines, encoding_of(None))
    actions = code_actions(view.uri, view.parsed, view.findings(), EVERYWHERE, conv, view.ctx)
    (every,) = [a for a in actions if a.title.startswith("Fix every moved name")]
    assert apply(text, edits_of(every))[0] == "".join(component(home, f"k{i}") for i, (_, home) in enumerate(MOVED))
    one = real.view("file:///tmp/one.yaml", None, component(MOVED[0][0]))
    single = code_actions(one.uri, one.parsed, one.findings(), EVERYWHERE, conv, one.ctx)
    assert not any(a.title.startswith("Fix every") for a in single)  # the quick fix alone does it


def write_pkg(root: Path) -> Path:
    """A package whose names travel: re-exported through a private module, by `import *`, by partial."""
    pkg = root / "movedpkg"
    (pkg / "_impl").mkdir(parents=True)
    (pkg / "api").mkdir()
    (pkg / "__init__.py").write_text("from .api import *\n")
    (pkg / "_impl" / "__init__.py").write_text("from ._core import Widget, make\n")
    (pkg / "_impl" / "_core.py").write_text("class Widget: ...\ndef make(): ...\n")
    (pkg / "api" / "__init__.py").write_text(
        "from functools import partial\nfrom movedpkg._impl import Widget, make\n"
        "small = partial(make)\nLIMIT = 3\n__all__ = ['Widget', 'make', 'small', 'LIMIT']\n"
    )
    (pkg / "other.py").write_text("import logging\nlogger = logging.getLogger()\ndef make(): ...\n")
    return root


def test_the_index_follows_re_exports_to_one_object_and_keeps_the_shortest_path(tmp_path: Path) -> None:
    finder = ModuleFinder(Environment("python", search_path=[write_pkg(tmp_path)]))
    index, _ = build(finder, "movedpkg")
    widget = index.moved("movedpkg.gone.Widget")
    assert widget is not None and widget.homes == ("movedpkg.Widget",) and widget.unique
    make = index.moved("movedpkg.gone.make")  # two objects: api's (via _impl) and other's
    assert make is not None and make.homes == ("movedpkg.make", "movedpkg.other.make") and not make.unique
    small = index.moved("movedpkg.gone.small")
    assert small is not None and small.homes == ("movedpkg.small",)
    assert index.moved("movedpkg.gone.logger") is None  # not something a config instantiates


def test_a_scan_cut_short_prefers_nothing(tmp_path: Path) -> None:
    finder = ModuleFinder(Environment("python", search_path=[write_pkg(tmp_path)]))
    index, _ = build(finder, "movedpkg", max_modules=3)
    widget = index.moved("movedpkg.gone.Widget")
    assert not index.complete and widget is not None and not widget.unique


def test_no_builtin_config_needs_the_names(tmp_path: Path) -> None:
    project = Project(Settings(), [], cache_dir=tmp_path)
    for file in builtin_configs():
        findings = project.view(file.as_uri(), None, file.read_text()).findings()
        assert not [f for f in findings if "moved" in f.data or f.code == "unknown-member"], file
    assert project.index.names("torchtune", wait=False) is None  # never asked: no unknown member
