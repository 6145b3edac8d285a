"""Download the model: the `tune download` line a config's header (or the built-in it was copied from)
names, offered for a missing checkpoint folder or tokenizer; its argv, run against a fake `tune`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from lsprotocol import types

from tuneconf.cli import main
from tuneconf.command_ids import DOWNLOAD_MODEL
from tuneconf.context import AnalysisContext
from tuneconf.diagnostics import stats
from tuneconf.diagnostics.download import DownloadSource, download_for, tune_downloads
from tuneconf.diagnostics.pathvalues import PathValue
from tuneconf.document.parse import parse
from tuneconf.document.positions import Converter
from tuneconf.document.tree import Scalar, walk
from tuneconf.features.download import download_actions, download_lenses
from tuneconf.findings import Finding
from tuneconf.launch.download import download_plan, tune_argv
from tuneconf.project import Project
from tuneconf.recipes.registry import Registry, RegistryConfig, RegistryRecipe
from tuneconf.settings import Settings

REPO = "acme/Tiny-Model"
HEADER = "# Get the model first:\n#   tune download {args}\n#\n"
MODEL = """\
tokenizer:
  _component_: torchtune.models.llama3.llama3_tokenizer
  path: {folder}/original/tokenizer.model
checkpointer:
  _component_: torchtune.training.FullModelHFCheckpointer
  checkpoint_dir: {folder}
  checkpoint_files: [model.safetensors]
  output_dir: out
  model_type: LLAMA3
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return Project(Settings(), [], cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture(autouse=True)
def fresh_stats() -> Iterator[None]:
    stats.STATS.clear()
    yield
    stats.STATS.clear()


def missing(ws: Path, project: Project, text: str) -> list[Finding]:
    (ws / "cfg.yaml").write_text(text)
    project.configure(Settings())
    project.folders = [ws]
    return [f for f in project.view((ws / "cfg.yaml").as_uri(), None, text).findings() if f.code == "path-missing"]


# --- the header line, as tokens -------------------------------------------------------------------------


def test_a_line_with_ignore_patterns_keeps_them_unquoted() -> None:
    text = HEADER.format(args=f'{REPO} --output-dir /models/tiny --ignore-patterns "original/consolidated.00.pth"')
    assert tune_downloads(text, None) == [DownloadSource(REPO, "/models/tiny", "original/consolidated.00.pth")]


def test_a_line_without_flags_downloads_where_torchtune_would() -> None:
    assert tune_downloads(HEADER.format(args=REPO), None) == [DownloadSource(REPO, "/tmp/Tiny-Model")]


@pytest.mark.parametrize("token", ["--hf-token <HF_TOKEN>", "--hf-token=hf_abc", "--kaggle-api-key k"])
def test_a_token_in_the_comment_is_dropped(token: str) -> None:
    (found,) = tune_downloads(HEADER.format(args=f"{REPO} {token} --output-dir /m"), None)
    assert found == DownloadSource(REPO, "/m") and "hf_abc" not in found.shown() and "HF_TOKEN" not in found.shown()
    assert found.shown() == f"tune download {REPO} --output-dir /m"


def test_a_relative_output_is_taken_from_the_run_folder() -> None:
    assert tune_downloads(HEADER.format(args=f"{REPO} --output-dir=models/tiny"), "/ws") == [
        DownloadSource(REPO, "/ws/models/tiny")
    ]
    assert tune_downloads(HEADER.format(args=f"{REPO} --output-dir models/tiny"), None) == []


@pytest.mark.parametrize(
    "args",
    [
        f"{REPO} --output-dir /m --source kaggle",  # not the Hub
        f"{REPO} --output-dir /m --force",  # a flag tune download does not know
        f"{REPO} and then run it",  # prose: more than one positional
        f'{REPO} --output-dir "/m',  # an unclosed quote
        "--output-dir /m",  # no repo
        f"{REPO} --output-dir",  # a flag without its value
    ],
)
def test_a_line_we_cannot_read_for_certain_is_not_offered(args: str) -> None:
    assert tune_downloads(HEADER.format(args=args), None) == []


# --- offered for the missing checkpoint folder or tokenizer ---------------------------------------------


def test_the_missing_folder_and_tokenizer_get_the_download(tmp_path: Path, project: Project) -> None:
    header = HEADER.format(args=f"{REPO} --output-dir models/Tiny-Model --ignore-patterns '*.pth' --hf-token <T>")
    found = missing(tmp_path, project, header + MODEL.format(folder="models/Tiny-Model"))
    assert len(found) == 2
    output = str(tmp_path / "models" / "Tiny-Model")
    for finding in found:
        assert finding.data["download"] == {"repo": REPO, "output_dir": output, "ignore_patterns": "*.pth"}
        assert finding.message.endswith(
            f"does not exist on this machine; download it with: tune download {REPO} --output-dir {output} "
            "--ignore-patterns '*.pth'"
        )


def test_an_output_dir_that_is_not_the_missing_folder_is_not_offered(tmp_path: Path, project: Project) -> None:
    header = HEADER.format(args=f"{REPO} --output-dir models/Other")
    found = missing(tmp_path, project, header + MODEL.format(folder="models/Tiny-Model"))
    assert len(found) == 2 and all("download" not in f.data and f.message.endswith("machine.") for f in found)


def test_a_line_inside_a_multi_line_string_is_not_a_comment(tmp_path: Path, project: Project) -> None:
    text = f"notes: |\n  text\n  # tune download {REPO} --output-dir models/Tiny-Model\n"
    found = missing(tmp_path, project, text + MODEL.format(folder="models/Tiny-Model"))
    assert len(found) == 2 and all("download" not in f.data for f in found)


def fake_registry(tmp_path: Path, header: str) -> Registry:
    configs = tmp_path / "recipes" / "configs" / "tiny"
    configs.mkdir(parents=True)
    (configs / "1B_lora.yaml").write_text(header + "output_dir: /tmp/out\n")
    config = RegistryConfig("tiny/1B_lora", "tiny/1B_lora.yaml")
    recipe = RegistryRecipe("lora_finetune_single_device", "lora_finetune_single_device.py", (config,), False)
    return Registry([recipe], tmp_path / "recipes")


def test_a_copy_of_a_builtin_gets_the_builtins_download(tmp_path: Path) -> None:
    """A `tune cp` copy whose header was cut to its `tune run` line: the built-in's own header has the line."""
    folder = tmp_path / "models" / "Tiny-Model"
    registry = fake_registry(tmp_path, HEADER.format(args=f"{REPO} --output-dir {folder} --hf-token <HF_TOKEN>"))
    doc = parse("# tune run lora_finetune_single_device --config tiny/1B_lora\n" + MODEL.format(folder=folder))
    ctx = AnalysisContext(registry=registry, run_folder=tmp_path)
    assert doc.root is not None
    node = next(n for n in walk(doc.root) if isinstance(n, Scalar))  # where a finding would point
    value = PathValue("checkpoint_dir", "FullModelHFCheckpointer", node, str(folder), str(folder), False, True, "dir")
    assert download_for(doc, value, ctx) == DownloadSource(REPO, str(folder), None, "the header of tiny/1B_lora")
    tokenizer = PathValue(
        "path", "llama3_tokenizer", node, "t", str(folder / "original" / "tokenizer.model"), False, True
    )
    assert download_for(doc, tokenizer, ctx) is not None
    other = PathValue("data_dir", "instruct_dataset", node, "d", str(folder / "data"), False, True, "dir")
    assert download_for(doc, other, ctx) is None  # only the checkpoint folder and the tokenizer
    assert download_for(parse(MODEL.format(folder=folder)), value, ctx) is None  # nothing names a built-in


def test_a_copy_of_a_real_builtin(tmp_path: Path, project: Project) -> None:
    """The installed torchtune's llama3_2/1B_lora_single_device names meta-llama/Llama-3.2-1B-Instruct."""
    if os.path.exists("/tmp/Llama-3.2-1B-Instruct"):
        pytest.skip("the model is downloaded on this machine")
    text = "# tune run lora_finetune_single_device --config llama3_2/1B_lora_single_device\n"
    found = missing(tmp_path, project, text + MODEL.format(folder="/tmp/Llama-3.2-1B-Instruct/"))
    assert [f.data["download"]["repo"] for f in found] == ["meta-llama/Llama-3.2-1B-Instruct"] * 2
    assert all("--ignore-patterns original/consolidated.00.pth" in f.message for f in found)


def test_the_cli_prints_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    header = HEADER.format(args=f"{REPO} --output-dir models/Tiny-Model --hf-token <HF_TOKEN>")
    (tmp_path / "cfg.yaml").write_text(header + MODEL.format(folder="models/Tiny-Model"))
    assert main(["check", "cfg.yaml"]) == 0  # warnings only
    out = capsys.readouterr().out
    command = f"download it with: tune download {REPO} --output-dir {tmp_path / 'models' / 'Tiny-Model'}\n"
    assert out.count(command) == 2 and "HF_TOKEN" not in out
    assert "cfg.yaml:9:19: warning[path-missing] 'checkpoint_dir' of FullModelHFCheckpointer" in out


# --- the argv, run against a fake `tune` ----------------------------------------------------------------

FAKE_TUNE = """\
#!{python}
import json, os, sys
with open({log!r}, "w") as log:
    json.dump({{"argv": sys.argv[1:], "token": os.environ.get("HF_TOKEN"), "cwd": os.getcwd()}}, log)
out = sys.argv[sys.argv.index("--output-dir") + 1]
os.makedirs(os.path.join(out, "original"), exist_ok=True)
for name in ("original/tokenizer.model", "config.json", "model.safetensors"):
    open(os.path.join(out, name), "w").close()
"""


def fake_tune(folder: Path, log: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "tune"
    script.write_text(FAKE_TUNE.format(python=sys.executable, log=str(log)))
    script.chmod(0o755)
    return script


def test_the_download_runs_tune_from_path_and_the_warning_goes(
    tmp_path: Path, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    header = HEADER.format(args=f"{REPO} --output-dir models/Tiny-Model --ignore-patterns '*.pth' --hf-token <T>")
    text = header + MODEL.format(folder="models/Tiny-Model")
    (finding, _tokenizer) = missing(ws, project, text)
    tune = fake_tune(tmp_path / "bin", tmp_path / "argv.json")
    monkeypatch.setenv("PATH", f"{tune.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("HF_TOKEN", "hf_from_the_environment")
    plan = download_plan(str(tmp_path / "no-env" / "bin" / "python"), finding.data["download"], ws)
    output = str(ws / "models" / "Tiny-Model")
    expected = ["download", REPO, "--output-dir", output, "--ignore-patterns", "*.pth"]
    assert plan == {"repo": REPO, "argv": [str(tune), *expected], "cwd": str(ws), "outputDir": output}
    subprocess.run(plan["argv"], cwd=plan["cwd"], check=True, timeout=60)  # an argv: no shell
    recorded = json.loads((tmp_path / "argv.json").read_text())
    assert recorded == {"argv": expected, "token": "hf_from_the_environment", "cwd": str(ws)}
    stats.STATS.clear()  # what the server's recheck does when the task ends
    assert missing(ws, project, text) == []
    after = project.view((ws / "cfg.yaml").as_uri(), None, text).findings()
    assert [f.code for f in after if f.code.startswith(("path", "checkpoint"))] == []  # files and config.json too


def test_the_tune_beside_the_interpreter_comes_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_tune = fake_tune(tmp_path / "env" / "bin", tmp_path / "log.json")
    path_tune = fake_tune(tmp_path / "bin", tmp_path / "log.json")
    monkeypatch.setenv("PATH", str(path_tune.parent))
    assert tune_argv(str(tmp_path / "env" / "bin" / "python")) == [str(env_tune)]
    assert tune_argv(str(tmp_path / "other" / "python")) == [str(path_tune)]
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    python = str(tmp_path / "other" / "python")
    assert tune_argv(python) == [python, "-m", "torchtune._cli.tune"]


def test_the_editor_gets_nothing_it_did_not_name(tmp_path: Path, project: Project) -> None:
    header = HEADER.format(args=f"{REPO} --output-dir models/Tiny-Model")
    text = header + MODEL.format(folder="models/Tiny-Model")
    found = missing(tmp_path, project, text)
    view = project.view((tmp_path / "cfg.yaml").as_uri(), None, text)
    conv = Converter(view.parsed.lines)
    everything = types.Range(types.Position(0, 0), types.Position(99, 0))
    assert download_actions(view.uri, found, everything, conv, view.ctx, frozenset()) == []
    assert download_lenses(view.uri, found, view.ctx, frozenset()) == []
    named = frozenset({DOWNLOAD_MODEL})
    lenses = download_lenses(view.uri, found, view.ctx, named)
    assert [(lens.range.start.line, lens.command.title if lens.command else "") for lens in lenses] == [
        (5, f"Download {REPO} (tune download)"),
        (8, f"Download {REPO} (tune download)"),
    ]
    (action,) = download_actions(view.uri, found, conv.range(found[1].span), conv, view.ctx, named)
    assert action.kind == types.CodeActionKind.QuickFix and action.edit is None and action.command is not None
    assert action.command.arguments is not None and action.command.arguments[0] == view.uri
