"""missing-dependency: a component whose module's import chain needs a package that is not installed."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from builtin import builtin_configs
from tuneconf.findings import Finding, Severity
from tuneconf.index.cache import DiskCache
from tuneconf.index.environment import probe
from tuneconf.index.service import Index
from tuneconf.project import Project
from tuneconf.settings import Settings
from workspace_files import write

VISION = "torchtune.models.llama3_2_vision"
GUARDED = '''\
"""Imports that may never run: none of them counts."""
import sys
from typing import TYPE_CHECKING

try:
    import absentpkg_try
except ImportError:
    absentpkg_try = None
if TYPE_CHECKING:
    import absentpkg_typing
if sys.version_info < (3, 0):
    import absentpkg_version
with open(__file__):
    import absentpkg_with


def build(width: int = 1) -> int:
    import absentpkg_inside

    return width


class Widget:
    def __init__(self, size: int = 1) -> None:
        from absentpkg_method import thing
'''


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = write(
        tmp_path_factory.mktemp("ws"),
        {
            "guarded/__init__.py": "from .impl import build, Widget\n",
            "guarded/impl.py": GUARDED,
            "broken/__init__.py": "from .models import build\n",
            "broken/models/__init__.py": "from ..layers import build\n",
            "broken/layers.py": "import os\n\nimport absentpkg_top.sub as top\n\n\ndef build(w: int = 1) -> int: ...\n",
            "fine/__init__.py": "from . import helpers\nimport guarded\n",
            "fine/helpers.py": "import json\n\n\ndef build(width: int = 1) -> int:\n    return width\n",
            "unreadable/__init__.py": "from .bad import build\n",
            "unreadable/bad.py": "import absentpkg_bad\ndef build(:\n",
        },
    )
    return Project(Settings(), [root], cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return Project(Settings(), [], cache_dir=tmp_path_factory.mktemp("cache"))


def missing(project: Project, dotpath: str) -> list[Finding]:
    text = f"model:\n  _component_: {dotpath}\n"
    findings = project.view("file:///x.yaml", None, text).findings()
    return [f for f in findings if f.code == "missing-dependency"]


def test_guarded_typing_and_function_level_imports_do_not_count(local: Project) -> None:
    assert missing(local, "guarded.build") == []
    assert missing(local, "guarded.Widget") == []
    assert missing(local, "fine.helpers.build") == []


def test_an_unconditional_import_in_a_submodule_the_init_imports_is_an_error(local: Project) -> None:
    (finding,) = missing(local, "broken.build")
    assert finding.severity is Severity.ERROR
    assert (finding.span.start_line, finding.span.start_col) == (1, 15)
    assert "'absentpkg_top' is not installed" in finding.message
    assert f"{Path('broken', 'layers.py')}:3: import absentpkg_top.sub as top" in finding.message


def test_a_module_that_cannot_be_read_says_nothing(local: Project) -> None:
    assert missing(local, "unreadable.build") == []


def test_a_vision_builder_needs_torchvision_and_says_where(real: Project) -> None:
    if importlib.util.find_spec("torchvision") is not None:
        pytest.skip("torchvision is installed here")
    (finding,) = missing(real, f"{VISION}.llama3_2_vision_11b")
    assert finding.severity is Severity.ERROR
    where = Path(sysconfig.get_paths()["purelib"], "torchtune", "models", "clip", "_transform.py")
    number = where.read_text().splitlines().index("import torchvision") + 1
    assert f"'torchvision' is not installed ({where}:{number}: import torchvision)" in finding.message
    assert missing(real, "torchtune.models.llama3_2.llama3_2_1b") == []
    assert missing(real, "torch.optim.AdamW") == []


@pytest.mark.runtime  # a sweep over the 156 built-in configs, then torchtune itself
def test_only_the_vision_builtins_get_it_and_each_fails_at_run_time(real: Project) -> None:
    if importlib.util.find_spec("torchvision") is not None:
        pytest.skip("torchvision is installed here")
    flagged: dict[str, set[str]] = {}
    for file in builtin_configs():
        for finding in real.view(file.as_uri(), None, file.read_text()).findings():
            if finding.code == "missing-dependency":
                flagged.setdefault(f"{file.parent.name}/{file.name}", set()).add(finding.message.split("'")[1])
    assert sorted(flagged) == [
        "dev/11B_lora_multi_dataset.yaml",
        *(f"llama3_2_vision/{n}" for n in ("11B_evaluation.yaml", "11B_full.yaml", "11B_full_single_device.yaml")),
        *(f"llama3_2_vision/{n}" for n in ("11B_generation_v2.yaml", "11B_lora.yaml", "11B_lora_single_device.yaml")),
        *(f"llama3_2_vision/{n}" for n in ("11B_qlora.yaml", "11B_qlora_single_device.yaml", "90B_full.yaml")),
        "llama3_2_vision/90B_lora.yaml",
        "llama3_2_vision/90B_qlora.yaml",
    ]
    dotpaths = sorted(set().union(*flagged.values()))
    assert all(d.startswith(f"{VISION}.") for d in dotpaths)
    probe = (
        "import json, sys\nfrom torchtune.config._utils import _get_component_from_path\nerrors = []\n"
        "for d in sys.argv[1:]:\n    try:\n        _get_component_from_path(d)\n        errors.append(None)\n"
        "    except Exception as e:\n        errors.append(str(e))\nprint(json.dumps(errors))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe, *dotpaths], capture_output=True, text=True, check=True)
    errors = json.loads(out.stdout.strip().splitlines()[-1])
    assert all(e is not None and "torchvision" in e for e in errors), errors


def test_the_disk_cache_keeps_import_lines_until_the_file_changes(tmp_path: Path) -> None:
    root = write(
        tmp_path / "ws",
        {
            "pkg/__init__.py": "from .impl import build\n",
            "pkg/impl.py": "import absentpkg\n\n\ndef build(w: int = 1) -> int: ...\n",
        },
    )
    cache = DiskCache(tmp_path / "cache", "key")
    first = Index(probe(None, [root]), cache).dependencies("pkg.build")
    assert first is not None and first.missing is not None and first.missing.package == "absentpkg"
    cache.flush()
    (root / "pkg" / "impl.py").write_text("import os\n\n\ndef build(width: int = 1) -> int: ...\n")
    again = Index(probe(None, [root]), DiskCache(tmp_path / "cache", "key")).dependencies("pkg.build")
    assert again is not None and again.missing is None


def test_a_check_never_reads_a_chain_it_defers_it(tmp_path: Path) -> None:
    """In the server a check only asks what is known; the chain is read in the background."""
    root = write(tmp_path / "ws", {"pkg/__init__.py": "import absentpkg\n\n\ndef build(w: int = 1) -> int: ...\n"})
    project = Project(Settings(), [root], cache_dir=tmp_path / "cache", blocking=False)
    text = "model:\n  _component_: pkg.build\n"
    project.index.resolve("pkg.build")
    view = project.view("file:///x.yaml", 1, text)
    assert [f.code for f in view.findings() if f.code == "missing-dependency"] == []
    assert "imports:pkg.build" in view.ctx.pending
    project.index.warm(sorted(view.ctx.pending)).join()
    again = project.view("file:///x.yaml", 2, text)
    assert [f.code for f in again.findings() if f.code == "missing-dependency"] == ["missing-dependency"]
    assert again.ctx.pending == set()


def test_reading_a_chain_does_not_hold_the_index_for_requests(tmp_path: Path) -> None:
    """The first attempt read chains under the index lock and a completion missed its 0.25 s."""
    root = write(tmp_path / "ws", {"pkg/__init__.py": "def build(w: int = 1) -> int: ...\n"})
    index = Index(probe(None, [root]))
    with index.imports._lock:  # a chain being read in the background, for as long as this block lasts
        assert index.dependencies("pkg.build", wait=False) is None
        resolved = index.resolve("pkg.build", wait=0.25)
        assert resolved is not None and resolved.symbol is not None
        assert index.listing("pkg", wait=0.25) is not None
    checked = index.dependencies("pkg.build")
    assert checked is not None and checked.missing is None


def test_the_cli_reports_it_with_the_import_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tuneconf.cli import main

    root = write(tmp_path / "ws", {"pkg/__init__.py": "import absentpkg_cli\n\n\ndef build(w: int = 1) -> int: ...\n"})
    (root / "c.yaml").write_text("m:\n  _component_: pkg.build\n")
    monkeypatch.chdir(root)
    monkeypatch.setenv("TUNECONF_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["check", "--format", "json", "c.yaml"]) == 1
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["code"], row["severity"], row["line"], row["column"]) == ("missing-dependency", "error", 2, 16)
    assert "'absentpkg_cli' is not installed" in row["message"] and "import absentpkg_cli" in row["message"]
