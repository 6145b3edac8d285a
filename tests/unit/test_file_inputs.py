"""What tuneconf reads from disk: only regular files, never past the size cap, whoever asks (the CLI's
check, show, run and schema; the server's workspace scan): a FIFO must not block it, /dev/zero must
not fill memory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tuneconf.files import read_text

GOOD = "model:\n  _component_: torch.optim.AdamW\nepochs: 1\n"
ZERO = Path("/dev/zero")
pytestmark = [
    pytest.mark.skipif(not hasattr(os, "mkfifo") or not ZERO.exists(), reason="needs FIFOs and /dev/zero"),
    pytest.mark.timeout(60),  # without the fix, reading a FIFO blocks forever
]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A good config beside a FIFO and a symlink to /dev/zero, both named like configs."""
    (tmp_path / "good.yaml").write_text(GOOD)
    os.mkfifo(tmp_path / "x.yaml")
    (tmp_path / "z.yaml").symlink_to(ZERO)
    return tmp_path


def tuneconf(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """The CLI in a process of its own: one that blocks is killed by the timeout, failing the test."""
    return subprocess.run(
        [sys.executable, "-m", "tuneconf", *map(str, args)], capture_output=True, text=True, timeout=60
    )


def test_read_text_reads_regular_files_only_and_never_past_the_cap(folder: Path) -> None:
    assert read_text(folder / "good.yaml") == (GOOD, "")
    assert read_text(folder / "x.yaml") == (None, "not a regular file (a FIFO)")
    assert read_text(folder / "z.yaml") == (None, "not a regular file (a character device)")
    assert read_text(folder) == (None, "a folder, not a file")
    assert read_text(folder / "good.yaml", limit=len(GOOD)) == (GOOD, "")
    text, problem = read_text(folder / "good.yaml", limit=len(GOOD) - 1)
    assert text is None and problem.startswith("too large to check")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("check", "{folder}"),
            ["x.yaml: not a regular file (a FIFO)", "z.yaml: not a regular file (a character device)"],
        ),
        (("show", "{folder}/x.yaml"), ["x.yaml: not a regular file (a FIFO)"]),
        (("run", "--dry-run", "{folder}/z.yaml"), ["z.yaml: not a regular file (a character device)"]),
    ],
    ids=["check-folder", "show-fifo", "run-dev-zero"],
)
def test_the_cli_ends_with_a_message_on_files_that_are_not_regular(
    folder: Path, args: tuple[str, ...], expected: list[str]
) -> None:
    proc = tuneconf(*(a.format(folder=folder) for a in args))
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert all(any(line.endswith(e) for line in proc.stderr.splitlines()) for e in expected), proc.stderr


def test_the_workspace_scan_skips_files_that_are_not_regular(folder: Path) -> None:
    (folder / "more.yaml").write_text("optimizer:\n  _component_: torch.optim.SGD\n")
    script = (
        "import sys; from pathlib import Path; from tuneconf.project import Project; "
        "print(sorted(Project(folders=[Path(sys.argv[1])]).workspace_dotpaths()))"
    )
    proc = subprocess.run([sys.executable, "-c", script, folder], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "['torch.optim.AdamW', 'torch.optim.SGD']", proc.stderr
