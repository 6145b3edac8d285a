"""The static index over a package with every shape it must follow, never importing it."""

from __future__ import annotations

from pathlib import Path

import pytest

from fakepkg import write_package
from tuneconf.index.cache import DiskCache
from tuneconf.index.environment import probe
from tuneconf.index.records import ParamKind, Status
from tuneconf.index.service import Index


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return write_package(tmp_path / "ws")


@pytest.fixture
def index(workspace: Path) -> Index:
    return Index(probe(None, [workspace]))


def params(index: Index, dotpath: str) -> list[tuple[str, str, str | None]]:
    resolution = index.resolve(dotpath)
    assert resolution is not None and resolution.symbol is not None, resolution
    return [(p.name, p.kind.value, p.default) for p in resolution.symbol.parameters or ()]


def test_functions_partials_and_later_docstrings(index: Index) -> None:
    assert params(index, "canarypkg.tiny_model")[:2] == [
        ("layers", "positional or keyword", None),
        ("heads", "positional or keyword", "4"),
    ]
    # inspect.signature of partial(f, quantize=True): quantize and what follows become keyword-only.
    assert params(index, "canarypkg.qtiny_model")[3:] == [
        ("quantize", "keyword-only", "True"),
        ("tags", "keyword-only", "None"),
    ]
    symbol = index.resolve("canarypkg.qtiny_model").symbol  # type: ignore[union-attr]
    assert symbol is not None and symbol.doc.startswith("Quantized tiny model.")
    assert symbol.parameter("layers").doc == "(int) number of layers, quantized."  # type: ignore[union-attr]


def test_classes_inherited_init_new_only_and_dataclasses(index: Index) -> None:
    assert params(index, "canarypkg.Plain") == [
        ("width", "positional or keyword", None),
        ("mode", "keyword-only", "'fast'"),
        ("extra", "variadic keyword", None),
    ]
    assert params(index, "canarypkg.NewOnly") == [("seed", "positional or keyword", "0")]
    assert params(index, "canarypkg.Config") == [
        ("name", "positional or keyword", None),
        ("size", "positional or keyword", "3"),
        ("tags", "positional or keyword", "<factory>"),
    ]
    assert params(index, "canarypkg.Widget")[0] == ("size", "positional-only", None)


def test_reexports_wildcards_rebinding_and_submodule_aliases(index: Index) -> None:
    for dotpath, target in [
        ("canarypkg.make", "canarypkg._impl.make"),
        ("canarypkg.rebound", "canarypkg._builders.tiny_model"),
        ("canarypkg.builders_alias.tiny_model", "canarypkg._builders.tiny_model"),
        ("canarypkg.sub.widgets.Widget", "canarypkg.sub.widgets.Widget"),
    ]:
        resolution = index.resolve(dotpath)
        assert resolution is not None and resolution.symbol is not None, dotpath
        assert resolution.symbol.target == target


def test_types_docs_and_enums(index: Index) -> None:
    symbol = index.resolve("canarypkg.make").symbol  # type: ignore[union-attr]
    assert symbol is not None
    color = symbol.parameter("color")
    assert color is not None and color.type.kind == "enum" and color.type.values == ("RED", "BLUE")
    name = symbol.parameter("name")
    assert name is not None and {a.kind for a in name.type.args} == {"str", "none"}
    assert symbol.parameter("ratio").doc == "(float) a ratio,\nover two lines."  # type: ignore[union-attr]
    mode = index.resolve("canarypkg.Plain").symbol.parameter("mode")  # type: ignore[union-attr]
    assert mode is not None and mode.type.kind == "literal" and mode.type.values == ("'fast'", "'slow'")


@pytest.mark.parametrize(
    ("dotpath", "status", "segment"),
    [
        ("canarypkg.tiny_modle", Status.UNKNOWN_MEMBER, 1),
        ("canarypkgg.tiny_model", Status.NOT_INSTALLED, 0),  # no guess at another top-level package
        ("notapackage.x", Status.NOT_INSTALLED, 0),
        ("canarypkg.broken.broken", Status.UNREADABLE, 2),
        ("canarypkg.cycle_a.thing", Status.UNREADABLE, 2),
        (".canarypkg.x", Status.INVALID, 0),
        ("canarypkg..x", Status.INVALID, 1),
        ("canarypkg.tïny", Status.UNKNOWN_MEMBER, 1),
        ("canarypkg.tiny-model", Status.INVALID, 1),
        ("a." * 5000 + "b", Status.INVALID, 0),
        ("", Status.INVALID, 0),
    ],
)
def test_what_does_not_resolve_says_why_and_where(index: Index, dotpath: str, status: Status, segment: int) -> None:
    resolution = index.resolve(dotpath)
    assert resolution is not None
    assert (resolution.status, resolution.segment) == (status, segment)


def test_compiled_modules_have_unknown_signatures(index: Index) -> None:
    resolution = index.resolve("canarypkg.fast.thing")
    assert resolution is not None and resolution.symbol is not None
    assert resolution.symbol.kind == "compiled" and resolution.symbol.parameters is None


def test_module_listing_for_completion(index: Index) -> None:
    listing = index.listing("canarypkg")
    assert listing is not None
    by_name = {m.name: m for m in listing.members}
    assert by_name["tiny_model"].public and by_name["Widget"].kind == "class"
    assert by_name["sub"].kind == "module" and not by_name["_impl"].public
    assert "Path" not in by_name and "_P" not in by_name  # imports are not members


def test_public_path_of_a_private_dotpath(index: Index) -> None:
    assert index.public_path("canarypkg._builders.tiny_model") == "canarypkg.tiny_model"


def test_nothing_is_imported(index: Index, workspace: Path) -> None:
    for dotpath in ("canarypkg.tiny_model", "canarypkg.Config", "canarypkg.make", "canarypkg.Plain"):
        index.resolve(dotpath)
    index.listing("canarypkg")
    assert not (workspace / "canarypkg" / "IMPORTED").exists()


def test_the_disk_cache_answers_and_notices_edits(workspace: Path, tmp_path: Path) -> None:
    env = probe(None, [workspace])
    first = Index(env, DiskCache(tmp_path / "cache", env.key))
    assert first.resolve("canarypkg.tiny_model") is not None
    first.cache.flush()  # type: ignore[union-attr]
    second = Index(env, DiskCache(tmp_path / "cache", env.key))
    cached = second.resolve("canarypkg.tiny_model")
    assert cached is not None and cached.symbol is not None
    assert second.loader._visited == {}  # answered from disk, nothing read
    builders = workspace / "canarypkg" / "_builders.py"
    builders.write_text(builders.read_text().replace("heads: int = 4", "heads: int = 8") + "\n")
    third = Index(env, DiskCache(tmp_path / "cache", env.key))
    fresh = third.resolve("canarypkg.tiny_model")
    assert fresh is not None and fresh.symbol is not None
    assert fresh.symbol.parameter("heads").default == "8"  # type: ignore[union-attr]
    assert fresh.symbol.parameters[0].kind is ParamKind.POSITIONAL_OR_KEYWORD  # type: ignore[index]


def test_the_environment_probe_runs_no_workspace_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A workspace file named like a module the probe imports is never run (the probe is isolated)."""
    for name in ("json", "sysconfig", "site", "encodings"):
        (tmp_path / f"{name}.py").write_text(f"open({str(tmp_path / 'RAN')!r}, 'a').write('{name}\\n')\n")
    extra = tmp_path / "extra"
    extra.mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PYTHONPATH", str(extra))
    env = probe(None, [tmp_path])
    assert not (tmp_path / "RAN").exists()
    assert env.problem == "" and env.search_path[0] == extra and env.search_path[-1] == tmp_path
    assert any((p / "torchtune").is_dir() for p in env.search_path)  # site-packages still found


def test_an_installed_package_wins_over_a_workspace_folder_of_that_name(tmp_path: Path) -> None:
    """`tune run` appends the working folder to sys.path: a fork's torchtune/ checkout that is not
    installed does not run, the installed torchtune does."""
    fork = tmp_path / "torchtune"
    fork.mkdir()
    (fork / "__init__.py").write_text("import torchvision_absent_here\n")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "__init__.py").write_text("def build(w: int = 1) -> int: ...\n")
    index = Index(probe(None, [tmp_path]))
    resolved = index.resolve("torchtune.training.FullModelHFCheckpointer")
    assert resolved is not None and resolved.symbol is not None and resolved.symbol.location is not None
    assert str(fork) not in resolved.symbol.location.file
    assert index.resolve("mine.build").status is Status.OK  # a module only the workspace has still resolves
