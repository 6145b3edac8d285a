"""Hydra entry points, registered resolvers and hydra.searchpath folders, read from a project's code with
`ast` (tuneconf/hydra/discover.py), on the small projects under tests/hydra_projects/calls_*/."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

from hydra_parity import HYDRA_PYTHON
from tuneconf.hydra.discover import (
    UNREAD_NAME,
    EntryPoint,
    entry_points,
    entry_points_in,
    registered_resolvers,
    searchpath_roots,
)

PROJECTS = Path(__file__).parent.parent / "hydra_projects"
DISCOVER = (PROJECTS / "calls_discover").absolute()


def _table(root: Path, found: list[EntryPoint]) -> set[tuple[str, int, str | None, str | None, str | None, str]]:
    def rel(folder: Path | None) -> str | None:
        return None if folder is None else folder.relative_to(root).as_posix()

    return {(e.file.name, e.line, rel(e.config_dir), e.config_name, e.version_base, e.kind) for e in found}


def test_every_entry_point_form_of_the_project() -> None:
    assert _table(DISCOVER, entry_points(DISCOVER)) == {
        ("positional.py", 3, "conf", "app", "1.1", "main"),  # config_path, config_name, version_base by position
        ("aliases.py", 7, "configs", "app", "1.3", "main"),  # `from hydra import main as ...`, a joined constant
        ("defaults.py", 3, "apps", None, None, "main"),  # nothing given: the file's folder (1.1 rule)
        ("defaults.py", 8, None, None, "1.3", "main"),  # no config_path under 1.3: no folder
        ("defaults.py", 13, None, "app", "None", "main"),  # config_path=None, version_base=None
        ("packaged.py", 3, "src/mypkg/conf", "app", "1.3", "main"),  # pkg:// under src/
        ("wrapped.py", 7, "conf", "app", "1.3", "main"),  # hydra.main(...)(task)
        ("composed.py", 5, "conf", "app", "1.3", "initialize"),  # initialize + compose in one function
        ("config_dir.py", 6, "configs", "app", "1.3", "initialize"),  # Path(__file__).parent / ..., compose("app")
        ("config_module.py", 4, "src/mypkg/conf", "app", "1.3", "initialize"),
    }


def test_config_dirs_are_absolute_and_resolved() -> None:
    for entry in entry_points(DISCOVER):
        assert entry.file.is_absolute()
        if entry.config_dir is not None:
            assert entry.config_dir.is_absolute() and ".." not in entry.config_dir.parts
            assert entry.config_dir.is_dir()


def test_a_file_that_does_not_parse_or_mention_hydra_gives_nothing(tmp_path: Path) -> None:
    assert "not_hydra.py" not in {e.file.name for e in entry_points(DISCOVER)}
    broken = 'import hydra\n\n@hydra.main(config_path="conf"\ndef main(cfg):\n'
    (tmp_path / "broken.py").write_text(broken)
    (tmp_path / "fine.py").write_text("import hydra\n@hydra.main()\ndef main(cfg): ...\n")
    assert [e.file.name for e in entry_points(tmp_path)] == ["fine.py"]
    assert entry_points_in(tmp_path / "broken.py", broken) == []
    assert entry_points_in(DISCOVER / "x.py", "import os\n@main(config_path='c')\ndef f(c): pass\n") == []


def test_unsaved_text_is_read(tmp_path: Path) -> None:
    text = textwrap.dedent(
        """\
        import os
        from hydra import main

        ROOT = os.path.dirname(os.path.abspath(__file__))


        @main(config_path=os.path.join(ROOT, "settings"), config_name="run.yml", version_base="1.2")
        def go(cfg):
            pass
        """
    )
    (found,) = entry_points_in(tmp_path / "go.py", text)
    assert found == EntryPoint(tmp_path / "go.py", 6, (tmp_path / "settings").resolve(), "run", "1.2", "main")


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('"conf"', "conf"),
        ('f"{BASE}/conf"', "parts/conf"),
        ('BASE + "/conf"', "parts/conf"),
        ('str(Path(__file__).parent / "conf")', "conf"),
        ('Path(__file__).resolve().parents[0].joinpath("conf")', "conf"),
        ('os.path.join(os.path.dirname(__file__), BASE, "conf")', "parts/conf"),
        ("os.environ['CONF']", None),
    ],
)
def test_config_path_expressions(tmp_path: Path, expression: str, expected: str | None) -> None:
    header = 'import os\nfrom pathlib import Path\nimport hydra\nBASE = "parts"\n'
    text = f"{header}@hydra.main(config_path={expression})\ndef f(c): ...\n"
    (found,) = entry_points_in(tmp_path / "f.py", text)
    assert found.config_dir == (None if expected is None else (tmp_path / expected).resolve())
    assert found.version_base is None and found.config_name is None


def test_initialize_config_dir_needs_an_absolute_folder(tmp_path: Path) -> None:
    text = "from hydra import initialize_config_dir\nwith initialize_config_dir(config_dir='conf'):\n    pass\n"
    (found,) = entry_points_in(tmp_path / "f.py", text)
    assert found.kind == "initialize" and found.config_dir is None and found.config_name is None


def test_environments_caches_and_hidden_folders_are_skipped(tmp_path: Path) -> None:
    entry = "import hydra\n@hydra.main(config_path='c', version_base='1.3')\ndef f(cfg): ...\n"
    for folder in (".venv/lib/python3.11/site-packages/x", "node_modules/y", ".hidden", "env/site-packages", "app"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "train.py").write_text(entry)
    assert [e.file.relative_to(tmp_path).as_posix() for e in entry_points(tmp_path)] == ["app/train.py"]


def test_a_large_workspace_scans_fast_and_max_files_is_kept(tmp_path: Path) -> None:
    filler = "def f(x):\n    return x + 1\n" * 40
    for index in range(1000):
        folder = tmp_path / f"pkg{index // 50}"
        folder.mkdir(exist_ok=True)
        entry = "import hydra\n@hydra.main(config_path='c')\ndef f(cfg): ...\n" if index % 100 == 0 else ""
        (folder / f"m{index:04}.py").write_text(entry + filler)
    start = time.perf_counter()
    found = entry_points(tmp_path)
    elapsed = time.perf_counter() - start
    assert len(found) == 10
    assert elapsed < 1.0, f"{elapsed:.2f} s for 1,000 files"
    assert len(entry_points(tmp_path, max_files=100)) == 1  # only pkg0/ and pkg1/ are looked at


def test_registered_resolvers() -> None:
    found = registered_resolvers(DISCOVER)
    resolvers = DISCOVER / "apps" / "resolvers.py"
    assert found == {"add": (resolvers, 5), "mul": (resolvers, 6), "legacy": (resolvers, 7), "double": (resolvers, 8)}


def test_the_first_registration_of_a_resolver_wins(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("from omegaconf import OmegaConf\nOmegaConf.register_new_resolver('x', len)\n")
    (tmp_path / "b.py").write_text("import omegaconf\n\nomegaconf.OmegaConf.register_new_resolver('x', len)\n")
    (tmp_path / "c.py").write_text(
        "from omegaconf import OmegaConf\nfor n in N:\n    OmegaConf.register_new_resolver(n, f)\n"
    )
    # a name computed at run time is noted as UNREAD_NAME: any resolver may be registered so
    assert registered_resolvers(tmp_path) == {"x": (tmp_path / "a.py", 1), UNREAD_NAME: (tmp_path / "c.py", 2)}


def test_searchpath_roots(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    primary = workspace / "configs"
    for folder in ("configs/extra", "shared", "src/team/conf", "elsewhere"):
        (workspace / folder).mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    entries = [
        "file://shared",  # relative to the working directory: the workspace folder
        "extra",  # a plain path; found under the primary config folder
        f"file://{outside}",
        "pkg://team.conf",
        "file://${oc.env:HOME}/x",
        "s3://bucket/conf",
        "file://missing",
        "shared",  # already there
    ]
    assert searchpath_roots(entries, primary, [workspace]) == [
        (workspace / "shared").resolve(),
        (primary / "extra").resolve(),
        outside.resolve(),
        (workspace / "src/team/conf").resolve(),
    ]


PARITY = [
    'config_path="../conf", config_name="app", version_base="1.3"',
    '"../conf", None, "1.1"',
    "",  # the file's folder, as Hydra 1.1 did
    'version_base="1.1"',
    'version_base="1.3"',  # no folder
    "config_path=None, version_base=None",
    'config_path=os.path.join(os.path.dirname(__file__), "..", "conf"), version_base="1.3"',
    'config_path="pkg://team.conf", version_base="1.3"',
]


@pytest.mark.skipif(not HYDRA_PYTHON.exists(), reason="needs the Hydra venv (.venv-hydra)")
@pytest.mark.parametrize("arguments", PARITY)
def test_config_dir_matches_hydras_own_search_path(tmp_path: Path, arguments: str) -> None:
    import subprocess

    for folder in ("conf", "app", "team/conf"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "team" / "__init__.py").write_text("")
    (tmp_path / "team" / "conf" / "__init__.py").write_text("")
    (tmp_path / "conf" / "app.yaml").write_text("x: 1\n")
    script = tmp_path / "app" / "run.py"
    text = f"import os\nimport hydra\n\n@hydra.main({arguments})\ndef main(cfg):\n    pass\n\nmain()\n"
    script.write_text(text)
    run = subprocess.run(
        [str(HYDRA_PYTHON), str(script), "--info", "searchpath"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        check=True,
    )
    rows = [line.split("|") for line in run.stdout.splitlines() if line.startswith("| main")]
    hydra_dir = rows[0][2].strip() if rows else None
    (found,) = entry_points_in(script, text)
    if hydra_dir is None:
        assert found.config_dir is None
    elif hydra_dir.startswith("pkg://"):
        assert found.config_dir == (tmp_path / hydra_dir.removeprefix("pkg://").replace(".", "/")).resolve()
    else:
        assert found.config_dir == Path(hydra_dir.removeprefix("file://")).resolve()
