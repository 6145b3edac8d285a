"""Runs: DiskLogger text read tolerantly and incrementally, the metric logger resolved to its files, the
runs table, `--html` and `--follow` (tuneconf/runs/, cli/runs.py)."""

from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path

import pytest

from tuneconf.cli import main
from tuneconf.cli import runs as runs_cli
from tuneconf.document.parse import parse
from tuneconf.runs import logs
from tuneconf.runs.history import open_files, runs_of, state_of
from tuneconf.runs.loggers import LoggerTarget, resolve_logger
from tuneconf.runs.logs import LogReader, Metrics, parse_line, read_log

DISK = "torchtune.training.metric_logging.DiskLogger"
CONFIG = f"""output_dir: out
epochs: 1
max_steps_per_epoch: 3
metric_logger:
  _component_: {DISK}
  log_dir: ${{output_dir}}/logs
"""


def line(step: int, loss: float, lr: float = 2e-5, tps: float = 1234.5) -> str:
    """A line as DiskLogger.log_dict writes it (a space after each pair)."""
    return f"Step {step} | loss:{loss} lr:{lr} tokens_per_second_per_gpu:{tps} \n"


def losses(metrics: Metrics) -> list[tuple[int, float]]:
    series = metrics.series["loss"]
    return list(zip(series.steps, series.values))


# The parser


def test_a_log_dict_line_and_its_values() -> None:
    assert parse_line(line(3, 1.5).rstrip("\n")) == (
        3,
        [("loss", 1.5), ("lr", 2e-5), ("tokens_per_second_per_gpu", 1234.5)],
        0,
    )
    assert parse_line("Step 7 | grad_norm:tensor(0.5, device='cuda:0') loss:2") == (
        7,
        [("grad_norm", 0.5), ("loss", 2.0)],
        0,
    )
    assert parse_line("Step 2 | loss:nope lr:1") == (2, [("lr", 1.0)], 1)
    for bad in ("Writing logs to x", "Step x | loss:1", "Step 1 loss:1", "Step -1 | loss:1", "Step 1 | junk"):
        assert parse_line(bad) is None, bad


def test_a_half_written_last_line_waits_for_its_end(tmp_path: Path) -> None:
    path = tmp_path / "log_1.txt"
    path.write_text(line(1, 2.0) + "Step 2 | loss:1.")
    reader = LogReader(path)
    assert reader.read() == 1
    assert losses(reader.metrics) == [(1, 2.0)] and reader.pending == b"Step 2 | loss:1."
    with path.open("a") as handle:
        handle.write("75 lr:1e-05 \n")
    assert reader.read() == 1
    assert losses(reader.metrics) == [(1, 2.0), (2, 1.75)] and reader.pending == b""
    assert reader.metrics.corrupt == 0


def test_one_line_per_name_makes_one_step(tmp_path: Path) -> None:
    # DiskLogger.log writes `Step N | name:value` once per scalar: interleaved names of one step.
    path = tmp_path / "log_1.txt"
    path.write_text("Step 1 | loss:2.0\nStep 1 | lr:0.1\nStep 2 | loss:1.5\nStep 2 | lr:0.05\nStep 2 | loss:1.4\n")
    metrics = read_log(path)
    assert metrics.steps == [1, 2]
    assert losses(metrics) == [(1, 2.0), (2, 1.4)]  # logged twice for one step: the later value
    assert metrics.series["lr"].values == [0.1, 0.05]


def test_a_restart_that_appends_replaces_the_steps_it_logs_again(tmp_path: Path) -> None:
    path = tmp_path / "log.txt"
    first = "".join(line(s, 3.0 - s / 10) for s in range(1, 6))
    # The first run crashed mid-line; the restart resumed from step 3 and appended to the same file.
    path.write_text(first + "Step 6 | loss:2." + "".join(line(s, 1.0 / s) for s in range(3, 8)))
    metrics = read_log(path)
    assert metrics.restarts == 1 and metrics.corrupt == 1
    assert metrics.steps == [1, 2, 3, 4, 5, 6, 7]
    assert losses(metrics)[:2] == [(1, 3.0 - 1 / 10), (2, 3.0 - 2 / 10)]
    assert losses(metrics)[2:] == [(s, 1.0 / s) for s in range(3, 8)]


def test_corrupt_lines_are_skipped_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "log.txt"
    garbage = b"\x00\xff\xfe binary\n" + b"Traceback (most recent call last):\n" + b"Step 9 | \xff:\xfe\n"
    path.write_bytes(line(1, 2.0).encode() + garbage + b"\n\n" + line(2, 1.0).encode() + b"x" * (1 << 17))
    reader = LogReader(path)
    reader.read()
    assert losses(reader.metrics) == [(1, 2.0), (2, 1.0)]
    assert reader.metrics.corrupt == 4  # three lines of garbage, and a "line" longer than any DiskLogger writes
    assert reader.pending == b""


def test_an_incremental_read_parses_only_the_new_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "log_1.txt"
    path.write_text("".join(line(s, 1.0) for s in range(1, 1001)))
    reader = LogReader(path)
    reader.read()
    assert len(reader.metrics.steps) == 1000 and reader.offset == path.stat().st_size
    seen: list[str] = []
    original = logs.parse_line
    monkeypatch.setattr(logs, "parse_line", lambda text: seen.append(text) or original(text))
    assert reader.read() == 0 and seen == []
    with path.open("a") as handle:
        handle.write(line(1001, 0.5) + line(1002, 0.25))
    assert reader.read() == 2
    assert [s.split(" |")[0] for s in seen] == ["Step 1001", "Step 1002"]
    assert losses(reader.metrics)[-2:] == [(1001, 0.5), (1002, 0.25)] and len(reader.metrics.steps) == 1002


def test_a_truncated_or_replaced_file_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "log_1.txt"
    path.write_text(line(1, 2.0) + line(2, 1.0))
    reader = LogReader(path)
    reader.read()
    path.write_text(line(1, 5.0))  # shorter: a new file of the same name
    reader.read()
    assert losses(reader.metrics) == [(1, 5.0)]
    replacement = tmp_path / "other.txt"
    replacement.write_text(line(1, 7.0) + line(2, 6.0) + line(3, 5.0))
    os.replace(replacement, path)
    reader.read()
    assert losses(reader.metrics) == [(1, 7.0), (2, 6.0), (3, 5.0)]


# Where the logger writes


def resolve(text: str, overrides: list[str], cwd: Path) -> LoggerTarget:
    return resolve_logger(parse(text), overrides, cwd)


def test_log_dir_through_an_interpolation_and_overrides(tmp_path: Path) -> None:
    target = resolve(CONFIG, [], tmp_path)
    assert (target.kind, target.log_dir, target.filename, target.problem) == ("disk", tmp_path / "out/logs", None, "")
    assert (target.expected_steps, target.log_every) == (3, 1)
    assert resolve(CONFIG, [f"output_dir={tmp_path}/o2"], Path("/elsewhere")).log_dir == tmp_path / "o2/logs"
    moved = resolve(CONFIG, ["metric_logger.log_dir=/var/metrics", "metric_logger.filename=run.txt"], tmp_path)
    assert (moved.log_dir, moved.filename) == (Path("/var/metrics"), "run.txt")
    assert resolve(CONFIG, ["max_steps_per_epoch=null"], tmp_path).expected_steps is None
    assert "cannot be read: torchtune accepts no flag here" in resolve(CONFIG, ["--x=1"], tmp_path).problem


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("epochs: 1\n", "has no metric_logger"),
        ("metric_logger: 3\n", "not a mapping"),
        (f"metric_logger:\n  _component_: {DISK}\n", "log_dir is not set"),
        (f"metric_logger:\n  _component_: {DISK}\n  log_dir: ${{missing}}/x\n", "not known here"),
        (f"metric_logger:\n  _component_: {DISK}\n  log_dir: ${{oc.env:TUNECONF_NO_SUCH_VAR}}\n", "not known"),
        ("metric_logger:\n  _component_: torchtune.training.metric_logging.WandBLogger\n", "cannot be known"),
        ("metric_logger:\n  _component_: torchtune.training.metric_logging.CometLogger\n", "cannot be known"),
        ("metric_logger:\n  _component_: torchtune.training.metric_logging.StdoutLogger\n", "no file"),
        ("metric_logger:\n  _component_: my.Logger\n  log_dir: x\n", "not one of torchtune's loggers"),
    ],
)
def test_a_logger_without_files_to_read_says_why(text: str, says: str, tmp_path: Path) -> None:
    assert says in resolve(text, [], tmp_path).problem


def test_a_tensorboard_logger_lists_its_event_folders(tmp_path: Path) -> None:
    text = "metric_logger:\n  _component_: torchtune.training.metric_logging.TensorBoardLogger\n  log_dir: tb\n"
    target = resolve(text, [], tmp_path)
    assert (target.kind, target.log_dir, target.organize_logs) == ("tensorboard", tmp_path / "tb", True)
    run = tmp_path / "tb" / "run_0_1700000000.5"
    run.mkdir(parents=True)
    (run / "events.out.tfevents.1700000000.host").write_bytes(b"\x00")
    (tmp_path / "tb" / "run_0_1700000001.0").mkdir()  # no event file yet: not a run
    (found,) = runs_of(target, now=time.time() + 3600)
    assert (found.path, found.started, found.steps, found.state) == (run, 1700000000.5, None, "unknown")


WANDB = "metric_logger:\n  _component_: torchtune.training.metric_logging.WandBLogger\n"
COMET = "metric_logger:\n  _component_: torchtune.training.metric_logging.CometLogger\n"


@pytest.mark.parametrize(
    ("text", "overrides", "label", "url"),
    [
        (WANDB + "  entity: team\n", [], "Weights & Biases: team/torchtune", "https://wandb.ai/team/torchtune"),
        (
            "who: me\n" + WANDB + "  entity: ${who}\n  project: llama 3/sft\n",
            [],
            "Weights & Biases: me/llama 3/sft",
            "https://wandb.ai/me/llama%203%2Fsft",
        ),
        (
            WANDB,
            ["metric_logger.entity=lab", "metric_logger.project=p"],
            "Weights & Biases: lab/p",
            "https://wandb.ai/lab/p",
        ),
        (COMET + "  workspace: ws\n  project: demo\n", [], "Comet: ws/demo", "https://www.comet.com/ws/demo"),
    ],
)
def test_wandb_and_comet_link_their_project_page(
    text: str, overrides: list[str], label: str, url: str, tmp_path: Path
) -> None:
    target = resolve(text, overrides, tmp_path)
    assert target.link is not None and (target.link.label, target.link.url) == (label, url)
    assert "printed in the terminal when it starts" in target.problem and not target.files_known


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (WANDB, "without metric_logger.entity the project's page cannot be known"),
        (COMET + "  project: demo\n", "without metric_logger.workspace"),
        (COMET + "  workspace: ws\n", "without metric_logger.project"),
        (WANDB + "  entity: ${oc.env:TUNECONF_NO_SUCH_VAR}\n", "metric_logger.entity is not known here"),
    ],
)
def test_no_link_when_the_config_does_not_name_the_page(text: str, says: str, tmp_path: Path) -> None:
    target = resolve(text, [], tmp_path)
    assert target.link is None and says in target.problem and "terminal" in target.problem


def test_the_cli_prints_the_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cfg.yaml").write_text(WANDB + "  entity: team\n")
    code, out, err = run(capsys, "runs", "cfg.yaml")
    assert (code, out) == (0, "Weights & Biases: team/torchtune: https://wandb.ai/team/torchtune\n")
    assert "printed in the terminal" in err


# The runs of a config


def test_state_is_guessed_from_writers_steps_and_age() -> None:
    target = LoggerTarget(kind="disk", expected_steps=10, log_every=3)
    done, partway = Metrics(steps=[3, 6, 9]), Metrics(steps=[3])
    assert state_of(done, target, 5.0, 60.0, False) == "finished"  # 9 is the last step logged every 3 of 10
    assert state_of(done, target, 5.0, 60.0, True) == "running"
    assert state_of(partway, target, 5.0, 60.0, None) == "running"  # cannot tell writers: recent change
    assert state_of(partway, target, 5.0, 60.0, False) == "unknown"
    assert state_of(partway, target, 500.0, 60.0, None) == "unknown"


def test_a_file_held_open_is_seen_when_proc_is_readable(tmp_path: Path) -> None:
    path = tmp_path / "log_1.txt"
    with path.open("a"):
        held = open_files()
        if held is None:
            pytest.skip("no /proc here")
        assert str(path.resolve()) in held
    assert str(path.resolve()) not in (open_files() or set())


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "cfg.yaml").write_text(CONFIG)
    folder = tmp_path / "out" / "logs"
    folder.mkdir(parents=True)
    (folder / "log_1700000000.txt").write_text(line(1, 2.5) + line(2, 1.25) + line(3, 1.5))
    (folder / "log_1700000500.txt").write_text(line(1, 2.0) + "garbage\n")
    (folder / "notes.txt").write_text("not a log")
    old = time.time() - 3600
    for log in folder.iterdir():
        os.utime(log, (old, old))
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_runs_table(project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    code, out, err = run(capsys, "runs", "cfg.yaml")
    assert code == 0, err
    header, newest, oldest = out.splitlines()
    assert header.split() == ["date", "steps", "last", "loss", "lowest", "loss", "state", "log"]
    assert newest.split()[2:] == ["1", "2", "2", "unknown", str(project / "out/logs/log_1700000500.txt")]
    assert oldest.split()[2:] == ["3", "1.5", "1.25", "finished", str(project / "out/logs/log_1700000000.txt")]
    assert "log_1700000500.txt: 1 line(s) skipped" in err


def test_html_report_draws_one_point_per_logged_step(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    logs_dir = project / "out" / "logs"
    (logs_dir / "log_1700000900.txt").write_text("".join(line(s, 10.0 / s) for s in range(1, 301)))
    odd = project / "a<b>&.yaml"
    odd.write_text(CONFIG)
    code, out, err = run(capsys, "runs", odd.name, "--html", "report.html")
    assert code == 0 and out.startswith("wrote report.html"), err
    page = (project / "report.html").read_text()
    assert "a&lt;b&gt;&amp;.yaml" in page and "a<b>" not in page
    assert "<script" not in page and "src=" not in page and "href" not in page
    assert re.findall(r"https?://[^\"]+", page) == ["http://www.w3.org/2000/svg"] * 3  # loss, lr, tok/s
    loss = page[page.index("<h2>loss</h2>") :].split("</svg>")[0]
    counts = {m[0]: len(m[1].split()) for m in re.findall(r'data-run="(\d)"[^>]*points="([^"]*)"', loss)}
    assert counts == {"0": 300, "1": 1, "2": 3}  # newest first: 300 steps, then 1, then 3


def test_follow_prints_new_steps_until_the_file_rests(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    path = project / "out" / "logs" / f"log_{int(time.time())}.txt"
    path.write_text(line(1, 2.0, 3e-5, 100.4))

    watching = threading.Event()
    watch = runs_cli._watch
    monkeypatch.setattr(runs_cli, "_watch", lambda *args: watching.set() or watch(*args))

    def write() -> None:
        watching.wait(10)  # the follower has started (and reads step 1 at once)
        with path.open("a") as handle:  # held open, as the run holds it
            for step in (2, 3):
                time.sleep(0.3)
                handle.write(line(step, 2.0 / step, 2e-5, 1234.4))
                handle.flush()
            time.sleep(0.2)

    writer = threading.Thread(target=write)
    writer.start()
    started = time.monotonic()
    code, out, err = run(capsys, "runs", "cfg.yaml", "--follow", "--follow-timeout", "0.8")
    writer.join()
    assert code == 0, err
    assert out.splitlines() == [
        "step 1/3  loss 2  lr 3e-05  tok/s 100",
        "step 2/3  loss 1  lr 2e-05  tok/s 1234",
        "step 3/3  loss 0.6667  lr 2e-05  tok/s 1234",
    ]
    assert f"following {path}" in err
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["runs", "missing.yaml"], 2, "missing.yaml"),
        (["runs", "plain.yaml"], 1, "has no metric_logger"),
        (["runs", "wandb.yaml"], 1, "cannot be known from the config"),
        (["runs", "tb.yaml", "--follow"], 1, "only listed"),
        (["runs", "cfg.yaml", "--follow", "--follow-timeout", "0"], 2, "positive"),
        (["runs", "cfg.yaml", "--follow", "--follow-timeout", "nan"], 2, "positive"),
        (["runs", "cfg.yaml", "--html", "no/such/folder/r.html"], 2, "cannot write"),
        (["runs", "cfg.yaml", "--follow-timeout", "x"], 2, "invalid float"),
    ],
)
def test_bad_input_is_a_message_and_an_exit_code(
    args: list[str],
    code: int,
    says: str,
    project: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(project)
    (project / "plain.yaml").write_text("epochs: 1\n")
    tensorboard = "torchtune.training.metric_logging.TensorBoardLogger"
    (project / "tb.yaml").write_text(f"metric_logger:\n  _component_: {tensorboard}\n  log_dir: tb\n")
    (project / "wandb.yaml").write_text(
        "metric_logger:\n  _component_: torchtune.training.metric_logging.WandBLogger\n"
    )
    try:
        result = main(args)
    except SystemExit as exit_:  # argparse's own refusals
        result = exit_.code
    err = capsys.readouterr().err
    assert result == code and says in err and "Traceback" not in err


def test_no_runs_yet_is_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cfg.yaml").write_text(CONFIG)
    code, out, err = run(capsys, "runs", "cfg.yaml")
    assert (code, out) == (0, "") and f"no runs yet: DiskLogger writes to {tmp_path / 'out/logs'}" in err
    code, out, err = run(capsys, "runs", "cfg.yaml", "--follow", "--follow-timeout", "0.2")
    assert code == 1 and "no run appeared" in err


def test_a_fifo_named_like_a_log_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "log_1700000000.txt"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="not a regular file"):
        LogReader(fifo).read()
