"""The Run view's commands through the real server: tuneconf.server.runs lists a config's runs,
tuneconf.server.runSeries answers a log's points and then only the ones appended since, and bad
arguments are answered, never raised."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp_session import open_doc, request
from tuneconf.command_ids import RUN_SERIES, RUNS

CONFIG = """output_dir: out
epochs: 1
max_steps_per_epoch: 4
metric_logger:
  _component_: torchtune.training.metric_logging.DiskLogger
  log_dir: ${output_dir}/logs
"""


def line(step: int, loss: float) -> str:
    return f"Step {step} | loss:{loss} lr:2e-05 tokens_per_second_per_gpu:100.0 \n"


async def execute(client: LanguageClient, command: str, *arguments: Any) -> Any:
    params = types.ExecuteCommandParams(command=command, arguments=list(arguments))
    return await request(client.workspace_execute_command_async(params))


async def test_runs_and_series_of_an_open_config(vscode: LanguageClient, tmp_path: Path) -> None:
    logs = tmp_path / "elsewhere" / "logs"
    logs.mkdir(parents=True)
    log = logs / "log_1700000000.txt"
    log.write_text(line(1, 2.0) + line(2, 1.5))
    uri = (tmp_path / "config.yaml").as_uri()
    open_doc(vscode, uri, CONFIG)
    overrides = ["output_dir=elsewhere"]

    listed = await execute(vscode, RUNS, uri, overrides)
    assert listed["logger"]["logDir"] == str(logs)
    assert [(r["file"], r["steps"], r["lastLoss"], r["lowestLoss"]) for r in listed["runs"]] == [
        (str(log), 2, 1.5, 1.5)
    ]

    first = await execute(vscode, RUN_SERIES, uri, overrides, None, None, 1700000000)
    assert first["reset"] is True and first["steps"] == [1, 2] and first["expectedSteps"] == 4
    assert first["series"]["loss"]["values"] == [2.0, 1.5]
    with log.open("a") as handle:
        handle.write(line(3, 1.0) + line(4, 0.5))
    since = {"file": first["file"], "offset": first["offset"], "generation": first["generation"]}
    second = await execute(vscode, RUN_SERIES, uri, overrides, str(log), since)
    assert second["reset"] is False and second["steps"] == [3, 4]
    assert second["series"]["loss"]["values"] == [1.0, 0.5] and second["state"] == "finished"

    waiting = await execute(vscode, RUN_SERIES, uri, [], None, None, 1700000000)
    assert waiting["waiting"] == f"no log yet in {tmp_path / 'out' / 'logs'}"


async def test_bad_arguments_are_answered_not_raised(vscode: LanguageClient, tmp_path: Path) -> None:
    uri = (tmp_path / "config.yaml").as_uri()
    open_doc(vscode, uri, CONFIG)
    assert await execute(vscode, RUN_SERIES, 42, "x") is None
    odd = await execute(vscode, RUN_SERIES, uri, "not a list", 7, "nope", "later")
    assert odd["waiting"].startswith("no log yet")
    assert (await execute(vscode, RUNS, uri, {"a": 1}))["runs"] == []
