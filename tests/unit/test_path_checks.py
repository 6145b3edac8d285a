"""Path checks: configs in temporary folders against the real torchtune's signatures, and the CLI."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tuneconf.cli import main
from tuneconf.diagnostics import paths, stats
from tuneconf.diagnostics.pathvalues import formatted_files
from tuneconf.document.tree import Span
from tuneconf.findings import Finding, Severity
from tuneconf.project import Project
from tuneconf.settings import Settings

TOKENIZER = "tokenizer:\n  _component_: torchtune.models.llama3.llama3_tokenizer\n  path: {path}\n"
CHECKPOINTER = """\
checkpointer:
  _component_: torchtune.training.FullModelHFCheckpointer
  checkpoint_dir: {folder}
  checkpoint_files: {files}
  output_dir: {output}
  model_type: LLAMA3
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """One index for the module; each check sets the workspace folder and the settings."""
    return Project(Settings(), [], cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """A workspace with a downloaded model: tokenizer, two safetensors files, config.json."""
    folder = tmp_path / "Llama-3.2-1B-Instruct"
    (folder / "original").mkdir(parents=True)
    for name in ("original/tokenizer.model", "config.json", *(f"model-0000{i}-of-00002.safetensors" for i in (1, 2))):
        (folder / name).write_text("x")
    return tmp_path


@pytest.fixture(autouse=True)
def fresh_stats() -> Iterator[None]:
    stats.STATS.clear()  # each test makes its own files: no answer from the last one
    yield
    stats.STATS.clear()


def check(
    ws: Path, project: Project, text: str, settings: Settings | None = None, name: str = "cfg.yaml"
) -> list[Finding]:
    file = ws / name
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text)
    project.configure(settings or Settings())
    project.folders = [ws]
    return [f for f in project.view(file.as_uri(), None, text).findings() if f.code.startswith(("path", "checkpoint"))]


def model(ws: Path, files: str = "[model-00001-of-00002.safetensors, model-00002-of-00002.safetensors]") -> str:
    folder = ws / "Llama-3.2-1B-Instruct"
    tokenizer = TOKENIZER.format(path=f"{folder}/original/tokenizer.model")
    return tokenizer + CHECKPOINTER.format(folder=folder, files=files, output=ws / "out")


def test_existing_inputs_and_missing_outputs_are_silent(ws: Path, project: Project) -> None:
    (ws / "data").mkdir()
    (ws / "data" / "train.json").write_text("[]")
    dataset = (
        "dataset:\n  _component_: torchtune.datasets.instruct_dataset\n  source: json\n  data_files: data/train.json\n"
    )
    logger = (
        "metric_logger:\n  _component_: torchtune.training.metric_logging.DiskLogger\n  log_dir: ${output_dir}/logs\n"
    )
    text = f"output_dir: {ws}/out/never/made\n" + model(ws) + dataset + logger
    assert check(ws, project, text) == []


def test_a_missing_input_is_a_warning_that_names_this_machine(ws: Path, project: Project) -> None:
    text = TOKENIZER.format(path="/nowhere/Llama-3.2-1B-Instruct/original/tokenizer.model")
    (finding,) = check(ws, project, text)
    assert (finding.code, finding.severity) == ("path-missing", Severity.WARNING)
    assert finding.message == (
        "'path' of llama3_tokenizer (/nowhere/Llama-3.2-1B-Instruct/original/tokenizer.model)"
        " does not exist on this machine."
    )
    assert finding.span == Span(2, 8, 2, 8 + len("/nowhere/Llama-3.2-1B-Instruct/original/tokenizer.model"))


def test_a_typo_beside_an_existing_entry_is_an_error_with_a_fix(ws: Path, project: Project) -> None:
    text = TOKENIZER.format(path=f"{ws}/Llama-3.2-1B-Instrct/original/tokenizer.model")
    (finding,) = check(ws, project, text)
    assert (finding.code, finding.severity) == ("path-typo", Severity.ERROR)
    assert f"{ws} has no 'Llama-3.2-1B-Instrct'. Did you mean 'Llama-3.2-1B-Instruct'?" in finding.message
    (fixed,) = finding.data["fixes"]
    ((line, start, _, end, new),) = fixed["edits"]
    assert text.splitlines()[line][start:end] == "Llama-3.2-1B-Instrct" and new == "Llama-3.2-1B-Instruct"


def test_another_size_of_a_model_is_missing_not_a_typo(ws: Path, project: Project) -> None:
    text = TOKENIZER.format(path=f"{ws}/Llama-3.2-3B-Instruct/original/tokenizer.model")
    assert [(f.code, f.severity) for f in check(ws, project, text)] == [("path-missing", Severity.WARNING)]


def test_a_folder_where_a_file_is_read_is_an_error(ws: Path, project: Project) -> None:
    text = TOKENIZER.format(path=f"{ws}/Llama-3.2-1B-Instruct/original")
    assert [(f.code, f.severity) for f in check(ws, project, text)] == [("path-kind", Severity.ERROR)]


def test_checkpoint_files_missing_from_an_existing_folder_list_what_it_holds(ws: Path, project: Project) -> None:
    text = model(ws, files="[model-00001-of-00002.safetensors, model-00002-of-00002.safetensor]")
    (finding,) = check(ws, project, text)
    assert (finding.code, finding.severity) == ("checkpoint-files-missing", Severity.ERROR)
    assert finding.message == (
        f"FullModelHFCheckpointer loads model-00002-of-00002.safetensor from {ws}/Llama-3.2-1B-Instruct,"
        " which lacks it; it holds config.json, model-00001-of-00002.safetensors,"
        " model-00002-of-00002.safetensors, original. Did you mean 'model-00002-of-00002.safetensors'?"
    )


def test_the_hf_checkpointer_needs_config_json(ws: Path, project: Project) -> None:
    (ws / "Llama-3.2-1B-Instruct" / "config.json").unlink()
    (finding,) = check(ws, project, model(ws))
    assert finding.code == "checkpoint-files-missing" and "loads config.json" in finding.message


def test_the_filename_format_form_is_expanded(ws: Path, project: Project) -> None:
    two = "\n    filename_format: model-{}-of-{}.safetensors\n    max_filename: '00002'"
    assert check(ws, project, model(ws, files=two)) == []
    (finding,) = check(ws, project, model(ws, files=two.replace("00002", "00003")))
    assert finding.code == "checkpoint-files-missing"
    assert "loads model-00001-of-00003.safetensors, model-00002-of-00003.safetensors" in finding.message


@pytest.mark.runtime
@pytest.mark.parametrize(
    ("fmt", "top"),
    [
        ("model-{}-of-{}.safetensors", "00004"),
        ("file_{}_of_{}.pth", "3"),
        ("model-{}-of-{}.bin", "00012"),
        ("m{}-{}.pt", "0"),
        ("only-{}.pt", "00002"),  # one placeholder: torchtune refuses
        ("x-{}-{}-{}.pt", "2"),
        ("model-{}-of-{}.pt", "two"),
        ("model-{i}-of-{n}.pt", "2"),
    ],
)
def test_filename_format_expansion_matches_torchtune(fmt: str, top: str) -> None:
    from torchtune.training.checkpointing._utils import FormattedCheckpointFiles

    try:
        theirs: list[str] | None = FormattedCheckpointFiles(fmt, top).build_checkpoint_filenames()
    except (ValueError, IndexError, KeyError):
        theirs = None
    assert formatted_files(fmt, top) == theirs


def test_resume_files_are_read_only_when_resuming(ws: Path, project: Project) -> None:
    text = model(ws).replace("  model_type: LLAMA3\n", "  model_type: LLAMA3\n  recipe_checkpoint: recipe_state.pt\n")
    assert check(ws, project, "resume_from_checkpoint: false\n" + text) == []
    (finding,) = check(ws, project, "resume_from_checkpoint: true\n" + text)
    assert (finding.code, finding.severity) == ("path-missing", Severity.WARNING)
    assert f"'recipe_checkpoint' of FullModelHFCheckpointer (recipe_state.pt, relative to {ws}/out)" in finding.message
    (ws / "out").mkdir()
    (ws / "out" / "recipe_state.pt").write_text("x")
    stats.STATS.clear()
    assert check(ws, project, "resume_from_checkpoint: true\n" + text) == []


def test_interpolations_are_resolved_first(ws: Path, project: Project) -> None:
    text = model(ws).replace(
        f"path: {ws}/Llama-3.2-1B-Instruct/original/tokenizer.model",
        "path: ${checkpointer.checkpoint_dir}/original/tokenizer.modle",
    )
    (finding,) = check(ws, project, text)
    assert finding.code == "path-typo" and "Did you mean 'tokenizer.model'?" in finding.message
    assert f"({ws}/Llama-3.2-1B-Instruct/original/tokenizer.modle)" in finding.message
    ((line, start, _, end, new),) = finding.data["fixes"][0]["edits"]
    assert text.splitlines()[line][start:end] == "tokenizer.modle" and new == "tokenizer.model"
    unresolvable = TOKENIZER.format(path="${oc.env:MODEL_DIR}/tokenizer.model")
    assert check(ws, project, unresolvable) == []


def test_tilde_is_expanded(ws: Path, project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(ws))
    assert check(ws, project, TOKENIZER.format(path="~/Llama-3.2-1B-Instruct/original/tokenizer.model")) == []
    (finding,) = check(ws, project, TOKENIZER.format(path="~/Llama-3.2-1B-Instruct/tokenizer.model"))
    assert f"(~/Llama-3.2-1B-Instruct/tokenizer.model = {ws}/Llama-3.2-1B-Instruct/tokenizer.model)" in finding.message


def test_relative_paths_start_at_the_workspace_folder(ws: Path, project: Project) -> None:
    text = TOKENIZER.format(path="Llama-3.2-1B-Instruct/original/tokenizer.model")
    assert check(ws, project, text, name="configs/deep/cfg.yaml") == []
    (finding,) = check(ws, project, text.replace("original/", ""), name="configs/deep/cfg.yaml")
    assert f"relative to {ws})" in finding.message


def test_only_local_dataset_sources_make_data_files_paths(ws: Path, project: Project) -> None:
    dataset = (
        "dataset:\n  _component_: torchtune.datasets.instruct_dataset\n  source: {source}\n  data_files: {files}\n"
    )
    assert check(ws, project, dataset.format(source="org/hub_dataset", files="train.json")) == []
    assert check(ws, project, dataset.format(source="json", files="'data/*.json'")) == []
    split = "{train: [data/a.json], test: data/b.json}"
    found = check(ws, project, dataset.format(source="csv", files=split))
    assert [(f.code, f.severity) for f in found] == [("path-missing", Severity.WARNING)] * 2


def test_other_components_are_judged_by_parameter_names_with_warnings_only(ws: Path, project: Project) -> None:
    (ws / "mytok.py").write_text(
        "def build(vocab_file: str, output_dir: str, save_path: str = '', name: str = '') -> None:\n    pass\n"
    )
    (ws / "vocab.json").write_text("{}")
    text = "tok:\n  _component_: mytok.build\n  vocab_file: vocab.jsno\n  output_dir: nowhere/out\n"
    text += "  save_path: nowhere/x.pt\n  name: nowhere/at/all.txt\n"
    assert [(f.code, f.severity) for f in check(ws, project, text)] == [("path-typo", Severity.WARNING)]


def test_an_output_under_a_read_only_folder_is_a_warning(
    ws: Path, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = ws / "locked"
    locked.mkdir()
    real_access = stats.os.access
    monkeypatch.setattr(stats.os, "access", lambda p, mode: str(p) != str(locked) and real_access(p, mode))
    (finding,) = check(ws, project, f"output_dir: {locked}/run1\n" + model(ws))
    assert (finding.code, finding.severity) == ("path-read-only", Severity.WARNING)
    assert f"is under {locked}, which is read-only here" in finding.message


def test_the_setting_turns_path_checks_off(ws: Path, project: Project) -> None:
    text = TOKENIZER.format(path="/nowhere/tokenizer.model")
    assert check(ws, project, text, Settings(path_checks=False)) == []


def test_a_hung_file_system_costs_the_budget_then_silence(
    monkeypatch: pytest.MonkeyPatch, ws: Path, project: Project
) -> None:
    release = threading.Event()

    def hung(path: str) -> stats.Entry:
        release.wait(10)
        return stats.MISSING

    monkeypatch.setattr(stats, "_entry", hung)
    project.configure(Settings())
    view = project.view((ws / "c.yaml").as_uri(), None, TOKENIZER.format(path="/mnt/slow/tokenizer.model"))
    view.ctx.stat_budget_s = 0.05  # the server's budget (the CLI's project waits longer)
    started = time.monotonic()
    assert list(paths.check(view.parsed, view.ctx, stats.StatCache())) == []
    assert time.monotonic() - started < 0.5
    release.set()


def test_the_cli_reports_paths_and_can_skip_them(
    ws: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ws)
    (ws / "cfg.yaml").write_text(TOKENIZER.format(path="Llama-3.2-1B-Instruct/original/tokenizer.modle"))
    assert main(["check", "cfg.yaml"]) == 1
    out = capsys.readouterr().out
    assert "cfg.yaml:3:9: error[path-typo] 'path' of llama3_tokenizer" in out and "tokenizer.model" in out
    assert main(["check", "--no-path-checks", "cfg.yaml"]) == 0
    assert "path-" not in capsys.readouterr().out
