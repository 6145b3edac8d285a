"""The run wrapper the VS Code extension puts around a recipe (vscode-extension/bundled-src/tee.py): output
passed through byte for byte, the last lines kept in a file, the exit code kept, signals passed on."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

TEE = Path(__file__).resolve().parents[2] / "vscode-extension" / "bundled-src" / "tee.py"
posix_only = pytest.mark.skipif(os.name != "posix", reason="process groups and POSIX signals")


def tee(tail: Path, code: str) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-I", "-S", str(TEE), str(tail), "--", sys.executable, "-c", code]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def gone(pid: int) -> bool:
    """No such process, or only its zombie (killed, not yet reaped by whoever inherited it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[-1].split()[0] == "Z"


def wait_until(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_exit_code_and_last_lines(tmp_path: Path) -> None:
    tail = tmp_path / "runs" / "tail.txt"  # the folder is made when missing
    code = (
        "import sys\n"
        "for i in range(100): print(f'line {i}')\n"
        "print('\\x1b[31merror:\\x1b[0m boom', file=sys.stderr)\n"
        "sys.stdout.write('step 1/3\\rstep 2/3\\rstep 3/3\\n')\n"
        "sys.exit(3)\n"
    )
    process = tee(tail, code)
    out, _ = process.communicate(timeout=30)
    assert process.returncode == 3
    lines = tail.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 40
    assert lines[:2] == ["line 62", "line 63"]
    assert lines[-3:] == ["line 99", "error: boom", "step 3/3"]  # colours dropped, the progress bar's last draw
    assert b"line 0\n" in out and b"\x1b[31merror:" in out  # the terminal gets it all, colours included


def test_output_passes_through_byte_for_byte(tmp_path: Path) -> None:
    expression = "bytes(range(256)) * 600 + b'\\xff\\xfeno newline at the end\\r'"
    payload = eval(expression)
    code = f"import sys; sys.stdout.buffer.write({expression}); sys.stdout.flush()"
    process = tee(tmp_path / "tail.txt", code)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0
    assert out == payload
    assert err == b""


def test_stderr_is_merged_and_python_is_unbuffered(tmp_path: Path) -> None:
    code = "import os, sys; print(os.environ.get('PYTHONUNBUFFERED')); print('to stderr', file=sys.stderr)"
    process = tee(tmp_path / "tail.txt", code)
    out, _ = process.communicate(timeout=30)
    assert out.splitlines() == [b"1", b"to stderr"]
    assert (tmp_path / "tail.txt").read_text().splitlines() == ["1", "to stderr"]


@posix_only
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_ends_the_command_and_its_children(tmp_path: Path, signum: int) -> None:
    # Like torchrun: the command starts a worker of its own, and both sleep until stopped.
    code = (
        "import subprocess, sys, time\n"
        "worker = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        "import os; print(os.getpid(), worker.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    process = tee(tmp_path / "tail.txt", code)
    assert process.stdout is not None
    child, worker = (int(pid) for pid in process.stdout.readline().split())
    process.send_signal(signum)
    process.communicate(timeout=30)
    assert process.returncode == 128 + signum
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)  # reaped by the wrapper before it exits
    assert wait_until(lambda: gone(worker)), f"worker {worker} still runs"
    assert (tmp_path / "tail.txt").read_text().split()[:2] == [str(child), str(worker)]


@posix_only
def test_a_command_that_handles_sigterm_keeps_its_exit_code(tmp_path: Path) -> None:
    code = (
        "import os, signal, sys, time\n"
        "signal.signal(signal.SIGTERM, lambda *_: (print('stopping'), sys.exit(5)))\n"
        "print(os.getpid(), flush=True)\n"
        "time.sleep(600)\n"
    )
    process = tee(tmp_path / "tail.txt", code)
    assert process.stdout is not None
    child = int(process.stdout.readline())
    process.terminate()
    out, _ = process.communicate(timeout=30)
    assert process.returncode == 5
    assert out == b"stopping\n"
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)


def test_a_missing_command_and_bad_usage(tmp_path: Path) -> None:
    tail = tmp_path / "tail.txt"
    missing = subprocess.run(
        [sys.executable, "-I", "-S", str(TEE), str(tail), "--", str(tmp_path / "no-such-tune")], capture_output=True
    )
    assert missing.returncode == 127
    assert "cannot start" in tail.read_text()
    usage = subprocess.run([sys.executable, "-I", "-S", str(TEE), str(tail), "tune"], capture_output=True)
    assert usage.returncode == 2
    assert b"usage:" in usage.stderr
