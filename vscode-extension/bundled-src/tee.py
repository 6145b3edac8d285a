"""Run a command, pass its output through, and keep its last lines for the Run view.

The extension runs a recipe as `python -I -S bundled/tool/tee.py TAIL_FILE -- ARGV...` in a VS Code
task: the command (no shell) writes stdout and stderr to one pipe (PYTHONUNBUFFERED=1, so progress
shows live), every byte is copied to this process's stdout (the task's terminal) as it comes, and on
exit the last lines go to TAIL_FILE, which the extension reads when the run fails (a task's output
cannot be read through VS Code's API). SIGTERM, SIGINT and SIGHUP (Stop in the Run view, Ctrl+C, the
terminal closing) are passed on to the command's process group, and this exits with the command's exit
code (killed by signal N: 128+N). Standard library only: it runs under the user's interpreter.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

TAIL_LINES = 40
TAIL_BYTES = 16 * 1024
CHUNK = 64 * 1024
USAGE = "usage: tee.py TAIL_FILE -- COMMAND [ARG...]"
# CSI sequences (colours, cursor moves) and OSC sequences (titles, links): the tail is plain text.
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
FORWARDED = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, name))


class Tail:
    """The last TAIL_BYTES bytes of the output, as at most TAIL_LINES lines of text."""

    def __init__(self) -> None:
        self.data = bytearray()

    def add(self, chunk: bytes) -> None:
        self.data += chunk
        if len(self.data) > 2 * TAIL_BYTES:
            del self.data[:-TAIL_BYTES]

    def lines(self) -> list[str]:
        text = bytes(self.data[-TAIL_BYTES:]).decode("utf-8", errors="replace")
        # A progress bar redraws its line with \r: keep what the terminal shows last.
        shown = [ANSI.sub("", line.rstrip("\r").rsplit("\r", 1)[-1]).rstrip() for line in text.split("\n")]
        while shown and not shown[-1]:
            shown.pop()
        return shown[-TAIL_LINES:]


class Child:
    """The command, in its own process group, with the signals this process gets passed on to it."""

    def __init__(self, argv: list[str]) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.pending: list[int] = []
        for signum in FORWARDED:
            signal.signal(signum, self.forward)
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        # A group of its own: a signal the terminal sends this process reaches the command once (from
        # here), and a forwarded one reaches the command's own children too (torchrun's workers).
        self.process = subprocess.Popen(
            argv,
            stdin=None,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=os.name == "posix",
        )
        for signum in self.pending:
            self.forward(signum, None)

    def forward(self, signum: int, _frame: object) -> None:
        if self.process is None:
            self.pending.append(signum)
            return
        if self.process.returncode is not None:
            return
        try:
            if os.name == "posix":
                os.killpg(self.process.pid, signum)
            else:
                self.process.send_signal(signum)
        except (ProcessLookupError, PermissionError):
            pass

    def exit_code(self) -> int:
        assert self.process is not None
        code = self.process.wait()
        return 128 - code if code < 0 else code


def copy(source: int, tail: Tail) -> None:
    """Copies the command's output to stdout until it ends; a closed terminal stops the copying, not the reading."""
    out: int | None = sys.stdout.fileno()
    while chunk := os.read(source, CHUNK):
        tail.add(chunk)
        view = memoryview(chunk)
        while out is not None and view:
            try:
                view = view[os.write(out, view) :]
            except OSError:  # EIO or EPIPE: nobody reads the terminal any more; keep draining the pipe
                out = None


def write_tail(path: str, lines: list[str]) -> None:
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "w", encoding="utf-8") as file:
            file.write("".join(f"{line}\n" for line in lines))
    except OSError as error:
        print(f"tee.py: cannot write {path}: {error}", file=sys.stderr)


def main(args: list[str]) -> int:
    if len(args) < 3 or args[1] != "--":
        print(USAGE, file=sys.stderr)
        return 2
    tail_file, argv = args[0], args[2:]
    tail = Tail()
    try:
        child = Child(argv)
    except OSError as error:
        message = f"cannot start {argv[0]}: {error}"
        print(message, file=sys.stderr)
        write_tail(tail_file, [message])
        return 127
    assert child.process is not None and child.process.stdout is not None
    with child.process.stdout:
        copy(child.process.stdout.fileno(), tail)
    code = child.exit_code()
    write_tail(tail_file, tail.lines())
    return code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
