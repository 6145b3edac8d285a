"""TensorBoardLogger's runs (tuneconf/runs/tensorboard.py): real event files written by torch's
SummaryWriter, read through an interpreter's `tensorboard`, served as the Run view's reply and listed by
`tuneconf runs`; an interpreter without tensorboard says how to install it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tuneconf.cli.app import main
from tuneconf.runs.loggers import LoggerTarget
from tuneconf.runs.series import Tails, run_series, runs_json
from tuneconf.runs.tensorboard import Boards, metrics_of, read_boards

pytest.importorskip("tensorboard")
summary = pytest.importorskip("torch.utils.tensorboard")

TB = "torchtune.training.metric_logging.TensorBoardLogger"
CONFIG = (
    "epochs: 1\nmax_steps_per_epoch: 3\noutput_dir: out\n"
    f"metric_logger:\n  _component_: {TB}\n  log_dir: ${{output_dir}}/tb\n"
)


def write_run(folder: Path, steps: range, lr_every: int = 1) -> None:
    writer = summary.SummaryWriter(log_dir=str(folder))
    for step in steps:
        writer.add_scalar("loss", 3.0 - step / 2, step)
        if step % lr_every == 0:
            writer.add_scalar("lr", 1e-4, step)
    writer.close()


def target(log_dir: Path, expected: int | None = None) -> LoggerTarget:
    return LoggerTarget(TB, "tensorboard", log_dir=log_dir, expected_steps=expected)


def test_event_files_are_read_into_series(tmp_path: Path) -> None:
    run = tmp_path / "run_0_1700000000.5"
    write_run(run, range(1, 4), lr_every=2)
    tails = Tails()
    reply = run_series(tails, target(tmp_path, expected=3), interpreter=sys.executable)
    assert "waiting" not in reply, reply.get("waiting")
    assert reply["reset"] is True and reply["file"] == str(run)
    assert reply["steps"] == [1, 2, 3] and reply["lastStep"] == 3 and reply["stepCount"] == 3
    assert reply["series"]["loss"] == {"values": [2.5, 2.0, 1.5]}
    assert reply["series"]["lr"]["steps"] == [2] and reply["series"]["lr"]["values"] == [pytest.approx(1e-4)]
    assert reply["state"] == "finished" and reply["started"] == 1700000000.5
    since = {"file": reply["file"], "offset": reply["offset"], "generation": reply["generation"]}
    quiet = run_series(tails, target(tmp_path, expected=3), since=since, interpreter=sys.executable)
    assert quiet["reset"] is False and quiet["steps"] == [] and quiet["series"] == {}


def test_new_event_files_are_read_again(tmp_path: Path) -> None:
    run = tmp_path / "run_0_1700000000.5"
    write_run(run, range(1, 3))
    tails = Tails()
    first = run_series(tails, target(tmp_path), interpreter=sys.executable)
    write_run(run, range(3, 5))  # a second writer in the same folder: a new event file
    since = {"file": first["file"], "offset": first["offset"], "generation": first["generation"]}
    again = run_series(tails, target(tmp_path), since=since, interpreter=sys.executable)
    assert again["reset"] is True and again["steps"] == [1, 2, 3, 4]
    assert again["generation"] != first["generation"] and again["offset"] > first["offset"]


def test_the_runs_list_and_the_cli_show_steps_and_loss(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_run(tmp_path / "out" / "tb" / "run_0_1700000000.5", range(1, 4))
    listed = runs_json(Tails(), target(tmp_path / "out" / "tb", expected=3), sys.executable)
    ((run,),) = [listed["runs"]]
    assert (run["steps"], run["lastStep"], run["lastLoss"], run["state"]) == (3, 3, 1.5, "finished")
    assert "note" not in listed
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cfg.yaml").write_text(CONFIG)
    assert main(["runs", "cfg.yaml"]) == 0
    out = capsys.readouterr().out
    assert "finished" in out and "1.5" in out and "run_0_1700000000.5" in out


def fake_python(folder: Path, body: str) -> str:
    script = folder / "python"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def without_tensorboard(folder: Path) -> str:
    """The base interpreter (under -I it has no venv's packages) when it lacks tensorboard, else a fake
    one answering as the reader script does when the import fails."""
    base = Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}"
    probe = subprocess.run([str(base), "-I", "-c", "import tensorboard"], capture_output=True, check=False)
    if base.is_file() and probe.returncode != 0 and b"No module named" in probe.stderr:
        return str(base)
    return fake_python(folder, """echo '{"missing": true, "error": "No module named tensorboard"}'""")


def test_an_interpreter_without_tensorboard_says_to_install_it(tmp_path: Path) -> None:
    write_run(tmp_path / "run_0_1700000000.5", range(1, 3))
    python = without_tensorboard(tmp_path)
    reply = run_series(Tails(), target(tmp_path), interpreter=python)
    assert reply["waiting"].startswith(f"install tensorboard in {python} to chart TensorBoard runs")
    assert "series" not in reply
    listed = runs_json(Tails(), target(tmp_path), python)
    assert listed["note"].startswith("install tensorboard") and listed["runs"][0]["steps"] is None


def test_a_broken_or_silent_reader_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    write_run(tmp_path, range(1, 2))
    crashing = fake_python(tmp_path, "echo 'Segmentation fault' >&2; exit 139")
    (board,) = read_boards(crashing, [tmp_path]).values()
    assert "exit code 139" in board.problem and "Segmentation fault" in board.problem
    assert "not an absolute path" in read_boards("python3", [tmp_path])[tmp_path].problem
    slow = fake_python(tmp_path, "exec sleep 5")
    assert "took over 0.2 s" in read_boards(slow, [tmp_path], timeout=0.2)[tmp_path].problem


def test_a_folder_is_read_again_only_when_its_event_files_change(tmp_path: Path) -> None:
    write_run(tmp_path, range(1, 2))
    calls = tmp_path / "calls"
    counting = fake_python(
        tmp_path,
        f"""echo x >> {calls}; echo '{{"folders": {{"{tmp_path}": {{"scalars": {{"loss": [[1, 2.0]]}}}}}}}}'""",
    )
    boards = Boards()
    (board, generation), *_ = boards.read(counting, [tmp_path]).values()
    again, *_ = boards.read(counting, [tmp_path]).values()
    assert board.metrics.series["loss"].values == [2.0] and again == (board, generation)
    assert calls.read_text().count("x") == 1
    os.utime(next(tmp_path.glob("events.out.tfevents.*")), ns=(1, 1))
    (_, later), *_ = boards.read(counting, [tmp_path]).values()
    assert later != generation and calls.read_text().count("x") == 2


def test_reader_output_is_checked_point_by_point() -> None:
    metrics = metrics_of({"loss": [[2, 1.0], [1, 2.0], [2, 0.5], ["x", 1], [3, True], [4]], "empty": [], "bad": 3})
    assert metrics.steps == [1, 2] and list(metrics.series) == ["loss"]
    assert metrics.series["loss"].values == [2.0, 0.5]  # sorted by step; step 2's later value kept
