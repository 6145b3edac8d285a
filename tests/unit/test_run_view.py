"""The Run view's data (tuneconf/runs/series.py): points sent incrementally after what the view has,
whole again after a restart or a replaced file, compact arrays, the log chosen for a run, the runs list."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tuneconf.document.parse import parse
from tuneconf.runs.loggers import LoggerTarget, resolve_logger
from tuneconf.runs.series import MAX_MARKS, Tails, choose_log, run_series, runs_json

DISK = "torchtune.training.metric_logging.DiskLogger"


def line(step: int, loss: float, lr: float = 2e-5) -> str:
    return f"Step {step} | loss:{loss} lr:{lr} \n"


def target(folder: Path, expected: int | None = None) -> LoggerTarget:
    return LoggerTarget(DISK, "disk", log_dir=folder, expected_steps=expected)


def since(reply: dict[str, Any]) -> dict[str, Any]:
    return {"file": reply["file"], "offset": reply["offset"], "generation": reply["generation"]}


def append(path: Path, text: str) -> None:
    with path.open("a") as handle:
        handle.write(text)


def test_the_first_answer_is_whole_then_only_new_points(tmp_path: Path) -> None:
    log = tmp_path / "log_100.txt"
    log.write_text("".join(line(s, 3.0 - s / 10) for s in range(1, 4)))
    tails, logger = Tails(), target(tmp_path, expected=5)
    first = run_series(tails, logger)
    assert first["reset"] is True and first["file"] == str(log)
    assert first["steps"] == [1, 2, 3]
    assert first["series"]["loss"] == {"values": [2.9, 2.8, 2.7]}  # shared steps are not repeated
    assert first["lastStep"] == 3 and first["stepCount"] == 3 and first["expectedSteps"] == 5
    append(log, line(4, 2.6) + line(5, 2.5) + "Step 6 | loss:2.")
    second = run_series(tails, logger, since=since(first))
    assert second["reset"] is False
    assert second["steps"] == [4, 5] and second["series"]["loss"]["values"] == [2.6, 2.5]
    quiet = run_series(tails, logger, since=since(second))
    assert quiet["reset"] is False and quiet["steps"] == [] and quiet["series"] == {}
    assert quiet["state"] == "finished"  # step 5 of 5


def test_a_restart_in_the_same_file_sends_everything_again(tmp_path: Path) -> None:
    log = tmp_path / "log_100.txt"
    log.write_text("".join(line(s, 2.0) for s in range(1, 6)))
    tails, logger = Tails(), target(tmp_path)
    first = run_series(tails, logger)
    append(log, line(1, 9.0) + line(2, 8.0))  # a new run appended to the old file: steps went back
    again = run_series(tails, logger, since=since(first))
    assert again["reset"] is True and again["restarts"] == 1
    assert again["steps"] == [1, 2] and again["series"]["loss"]["values"] == [9.0, 8.0]
    assert again["generation"] != first["generation"]


def test_a_truncated_or_replaced_file_is_read_again_from_its_start(tmp_path: Path) -> None:
    log = tmp_path / "log_100.txt"
    log.write_text("".join(line(s, 2.0) for s in range(1, 50)))
    tails, logger = Tails(), target(tmp_path)
    first = run_series(tails, logger)
    log.write_text(line(1, 5.0))  # shorter: truncated
    again = run_series(tails, logger, since=since(first))
    assert again["reset"] is True and again["steps"] == [1] and again["series"]["loss"]["values"] == [5.0]
    replacement = tmp_path / "new.txt"
    replacement.write_text("".join(line(s, 1.0) for s in range(1, 60)))
    os.replace(replacement, log)  # another inode
    third = run_series(tails, logger, since=since(again))
    assert third["reset"] is True and third["stepCount"] == 59


def test_an_unknown_offset_or_another_file_gets_the_whole_series(tmp_path: Path) -> None:
    log = tmp_path / "log_100.txt"
    log.write_text(line(1, 2.0) + line(2, 1.0))
    tails, logger = Tails(), target(tmp_path)
    first = run_series(tails, logger)
    for bad in ({"file": str(log), "offset": 7}, {"file": "other", "offset": first["offset"]}, {"offset": "x"}, None):
        reply = run_series(tails, logger, since=bad)
        assert reply["reset"] is True and reply["steps"] == [1, 2], bad


def test_a_client_further_behind_than_the_marks_gets_everything(tmp_path: Path) -> None:
    log = tmp_path / "log_100.txt"
    log.write_text(line(1, 2.0))
    tails, logger = Tails(), target(tmp_path)
    first = run_series(tails, logger)
    for step in range(2, MAX_MARKS + 3):
        append(log, line(step, 1.0))
        run_series(tails, logger)
    assert run_series(tails, logger, since=since(first))["reset"] is True


def test_a_value_logged_again_for_the_last_step_is_sent_again(tmp_path: Path) -> None:
    log = tmp_path / "log_100.txt"
    log.write_text("Step 1 | loss:2.0\nStep 2 | loss:1.5\n")
    tails, logger = Tails(), target(tmp_path)
    first = run_series(tails, logger)
    append(log, "Step 2 | loss:1.25\nStep 3 | loss:1.0\n")
    second = run_series(tails, logger, since=since(first))
    assert second["series"]["loss"] == {"values": [1.25, 1.0], "steps": [2, 3]}
    assert second["steps"] == [3]


def test_numbers_are_json_and_a_sparser_series_carries_its_steps(tmp_path: Path) -> None:
    log = tmp_path / "log_100.txt"
    log.write_text(
        "Step 1 | loss:nan peak_memory_active:1.5\nStep 2 | loss:inf\nStep 3 | loss:1.0 peak_memory_active:2\n"
    )
    reply = run_series(Tails(), target(tmp_path))
    json.loads(json.dumps(reply, allow_nan=False))  # strict JSON: no NaN
    assert reply["series"]["loss"] == {"values": [None, None, 1.0]}
    assert reply["series"]["peak_memory_active"] == {"values": [1.5, 2.0], "steps": [1, 3]}


def test_the_log_of_a_run_is_the_newest_started_after_it(tmp_path: Path) -> None:
    old, new = tmp_path / "log_1000.txt", tmp_path / "log_2000.txt"
    old.write_text(line(1, 1.0))
    logger = target(tmp_path)
    assert choose_log(logger, None, after=1500.0) is None  # the run has not written its log yet
    assert choose_log(logger, None, after=None) == old
    new.write_text(line(1, 1.0))
    assert choose_log(logger, None, after=1998.0) == new
    assert choose_log(logger, str(old), after=None) == old
    assert choose_log(logger, str(tmp_path / "elsewhere.txt"), after=None) is None  # only the logger's files
    waiting = run_series(Tails(), logger, after=3000.0)
    assert "no log yet" in waiting["waiting"] and "series" not in waiting


def test_a_logger_without_files_says_why(tmp_path: Path) -> None:
    wandb = LoggerTarget("torchtune.training.metric_logging.WandBLogger", "wandb", problem="Weights & Biases: ...")
    assert run_series(Tails(), wandb)["waiting"].startswith("Weights & Biases")
    assert runs_json(Tails(), wandb)["runs"] == []
    assert runs_json(Tails(), wandb)["logger"]["kind"] == "wandb"
    assert "link" not in run_series(Tails(), wandb)


def test_a_wandb_run_is_answered_with_its_link(tmp_path: Path) -> None:
    text = "metric_logger:\n  _component_: torchtune.training.metric_logging.WandBLogger\n  entity: team\n"
    reply = run_series(Tails(), resolve_logger(parse(text), [], tmp_path))
    assert reply["link"] == {"label": "Weights & Biases: team/torchtune", "url": "https://wandb.ai/team/torchtune"}
    assert "printed in the terminal" in reply["waiting"] and "series" not in reply


def test_the_runs_list_reads_each_log_once_and_then_what_was_appended(tmp_path: Path) -> None:
    (tmp_path / "log_1000.txt").write_text(line(1, 3.0) + line(2, 1.0) + line(3, 2.0))
    newer = tmp_path / "log_2000.txt"
    newer.write_text(line(1, 4.0))
    tails, logger = Tails(), target(tmp_path, expected=3)
    listed = runs_json(tails, logger)["runs"]
    assert [Path(r["file"]).name for r in listed] == ["log_2000.txt", "log_1000.txt"]
    assert listed[1] | {"modified": 0} == {
        "file": str(tmp_path / "log_1000.txt"),
        "started": 1000.0,
        "modified": 0,
        "state": "finished",
        "steps": 3,
        "lastStep": 3,
        "lastLoss": 2.0,
        "lowestLoss": 1.0,
        "problem": "",
    }
    append(newer, line(2, 0.5))
    assert runs_json(tails, logger)["runs"][0]["lowestLoss"] == 0.5


def test_the_series_of_a_config_with_overrides(tmp_path: Path) -> None:
    config = f"output_dir: out\nmetric_logger:\n  _component_: {DISK}\n  log_dir: ${{output_dir}}/logs\n"
    logs = tmp_path / "elsewhere" / "logs"
    logs.mkdir(parents=True)
    (logs / "log_5.txt").write_text(line(1, 1.0))
    logger = resolve_logger(parse(config), ["output_dir=elsewhere"], tmp_path)
    assert run_series(Tails(), logger)["series"]["loss"]["values"] == [1.0]
