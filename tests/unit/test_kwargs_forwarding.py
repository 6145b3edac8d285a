"""Keys in **kwargs followed to where they go: torchtune's dataset builders → datasets.load_dataset →
the config of the dataset builder `source` names (index/forwarding.py, diagnostics/forwarded.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from text_marks import unmark
from tuneconf.cli import main
from tuneconf.findings import Finding, Severity
from tuneconf.index.cache import DiskCache
from tuneconf.index.environment import probe
from tuneconf.index.records import Forward
from tuneconf.index.service import Index
from tuneconf.project import Project
from tuneconf.settings import Settings

pytest.importorskip("datasets")
pytest.importorskip("torchtune")

CHAT = """\
dataset:
  _component_: torchtune.datasets.chat_dataset
  source: {source}
  data_files: data.jsonl
  conversation_column: conversations
  conversation_style: sharegpt
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return Project(Settings(), [tmp_path_factory.mktemp("ws")], cache_dir=tmp_path_factory.mktemp("cache"))


def forwarded(project: Project, text: str) -> list[Finding]:
    codes = ("kwargs-argument", "unexpected-argument", "forwarded-argument")
    return [f for f in project.view("file:///x.yaml", None, text).findings() if f.code in codes]


def chat(source: str, extra: str) -> str:
    return CHAT.format(source=source) + textwrap.indent(extra, "  ")


@pytest.mark.parametrize("key", ["max_seq_len", "shuffle", "chat_format"])
def test_a_key_the_json_builder_config_lacks_is_an_error_on_that_key(project: Project, key: str) -> None:
    text, (span,), _ = unmark(chat("json", f"«{key}»: 5\n"))
    (finding,) = [f for f in forwarded(project, text) if f.severity is not Severity.INFORMATION]
    assert (finding.code, finding.severity, finding.span) == ("unexpected-argument", Severity.ERROR, span)
    assert "JsonConfig, the config of the 'json' dataset builder" in finding.message
    assert "chat_dataset → SFTDataset → load_dataset" in finding.message


@pytest.mark.parametrize(
    "extra", ["split: train\n", "field: data\n", "name: x\n", "trust_remote_code: true\n", "writer_batch_size: 8\n"]
)
def test_keys_that_land_stay_information(project: Project, extra: str) -> None:
    found = forwarded(project, chat("json", extra))
    assert {f.severity for f in found} <= {Severity.INFORMATION}
    assert all("where" in f.message for f in found)  # it says where each lands


def test_a_real_typo_gets_a_did_you_mean_and_a_rename(project: Project) -> None:
    (finding,) = [f for f in forwarded(project, chat("json", "feild: data\n")) if f.severity is Severity.ERROR]
    assert "Did you mean 'field'?" in finding.message
    assert finding.data["fixes"][0]["title"] == "Rename to 'field'"
    (plain,) = [f for f in forwarded(project, chat("json", "shuffle: true\n")) if f.severity is Severity.ERROR]
    assert "Did you mean" not in plain.message


def test_a_key_given_twice_on_the_way_is_an_error(project: Project) -> None:
    (finding,) = [f for f in forwarded(project, chat("json", "message_transform: 1\n")) if f.code != "kwargs-argument"]
    assert finding.severity is Severity.ERROR and "gets it twice" in finding.message


def test_a_hub_source_gives_a_warning_worded_as_a_condition(project: Project) -> None:
    text = "ds:\n  _component_: torchtune.datasets.alpaca_dataset\n  bogus_key: 1\n  field: x\n"
    by_key = {f.message.split("'")[1]: f for f in forwarded(project, text)}
    bogus = by_key["bogus_key"]
    assert (bogus.code, bogus.severity) == ("forwarded-argument", Severity.WARNING)
    assert "if tatsu-lab/alpaca has no such config field" in bogus.message
    assert by_key["field"].severity is Severity.INFORMATION  # a json hub dataset takes it


@pytest.mark.parametrize(
    ("component", "source", "severity"),
    [
        ("instruct_dataset", "json", Severity.ERROR),
        ("instruct_dataset", "org/some-dataset", Severity.WARNING),
        ("alpaca_dataset", "csv", Severity.ERROR),
        ("alpaca_cleaned_dataset", None, Severity.WARNING),  # the partial's source, yahma/alpaca-cleaned
        ("text_completion_dataset", "parquet", Severity.ERROR),
        ("instruct_dataset", "${src}", Severity.INFORMATION),  # not known statically
    ],
)
def test_other_builders(project: Project, component: str, source: str | None, severity: Severity) -> None:
    where = f"  source: {source}\n" if source else ""
    text = f"src: json\nds:\n  _component_: torchtune.datasets.{component}\n{where}  shuffle: true\n"
    (finding,) = forwarded(project, text)
    assert finding.severity is severity


FWDPKG = """\
def sink(a, b=1):
    pass

def direct(x, **kw):
    return sink(x, **kw)

def merged(x, **kw):
    kw.update(a=1)
    return sink(x, **kw)

def branch(x, flag=False, **kw):
    if flag:
        return sink(x, **kw)

def early(x, **kw):
    if x:
        return None
    sink(x, **kw)
"""


@pytest.mark.parametrize(
    ("function", "key", "severity"),
    [
        ("direct", "b", Severity.INFORMATION),  # lands on sink's parameter
        ("direct", "zz", Severity.ERROR),  # sink has no **kwargs
        ("direct", "a", Severity.ERROR),  # given positionally already
        ("merged", "zz", Severity.INFORMATION),  # used other than passed on: we give up
        ("branch", "zz", Severity.INFORMATION),  # the call may not run
        ("early", "zz", Severity.INFORMATION),  # a return before it
    ],
)
def test_plain_functions_and_where_we_give_up(tmp_path: Path, function: str, key: str, severity: Severity) -> None:
    (tmp_path / "fwdpkg.py").write_text(FWDPKG)
    local = Project(Settings(), [tmp_path], cache_dir=tmp_path / "cache")
    (finding,) = forwarded(local, f"m:\n  _component_: fwdpkg.{function}\n  x: 1\n  {key}: 2\n")
    assert finding.severity is severity, finding.message
    gave_up = function in ("merged", "branch", "early")
    assert ("(passed on as a keyword)" in finding.message) is gave_up


def test_the_forwards_are_read_statically_and_survive_the_disk_cache(tmp_path: Path) -> None:
    env = probe(None, [])
    for attempt in range(2):  # the second reads the records back from the disk cache
        index = Index(env, DiskCache(tmp_path, env.key))
        sft = index.resolve("torchtune.datasets._sft.SFTDataset")
        loader = index.resolve("datasets.load_dataset")
        assert sft is not None and sft.symbol is not None and loader is not None and loader.symbol is not None
        assert sft.symbol.forwards == (Forward("datasets.load_dataset", positional=("source",)),)
        assert (
            Forward("datasets.packaged_modules.json.json.JsonConfig", when=("path", "json")) in loader.symbol.forwards
        )
        assert "trust_remote_code" in loader.symbol.accepts
        if attempt == 0 and index.cache is not None:
            index.cache.flush()


def test_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "ds.yaml"
    config.write_text("# tuneconf: recipe=lora_finetune_single_device\n" + chat("json", "max_seq_len: 512\n"))
    main(["check", "--format", "json", str(config)])
    out = json.loads(capsys.readouterr().out)
    items = out if isinstance(out, list) else next(v for v in out.values() if isinstance(v, list))
    text = json.dumps(items)
    assert "max_seq_len" in text and "JsonConfig" in text and "unexpected-argument" in text


def test_the_real_run_fails_as_we_say(tmp_path: Path) -> None:
    """Our severities, proven on the installed datasets and torchtune (offline, from a temp dir)."""
    (tmp_path / "d.jsonl").write_text('{"conversations": [{"from": "human", "value": "hi"}]}\n')
    script = textwrap.dedent(
        """
        import datasets
        from torchtune.datasets import chat_dataset

        class Tok:
            max_seq_len = None

        def outcome(call):
            try:
                call()
                return "ok"
            except Exception as exc:
                return type(exc).__name__

        common = dict(source="json", data_files="d.jsonl", conversation_column="conversations",
                      conversation_style="sharegpt")
        print(outcome(lambda: datasets.load_dataset("json", data_files="d.jsonl", split="train", max_seq_len=5)))
        print(outcome(lambda: chat_dataset(Tok(), shuffle=True, **common)))
        print(outcome(lambda: chat_dataset(Tok(), message_transform=1, **common)))
        print(outcome(lambda: datasets.load_dataset("json", data_files="d.jsonl", split="train", field=None)))
        """
    )
    env = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.stdout.split() == ["TypeError", "TypeError", "TypeError", "ok"], done.stderr[-2000:]
