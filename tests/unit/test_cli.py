"""`tuneconf check`: formats, exit codes, folders, and bad input (never a traceback)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tuneconf.cli import main

GOOD = "# tune run my_recipe.py --config x\nmodel:\n  _component_: torch.optim.AdamW\nepochs: 1\n"
BAD = "model:\n  _component_: torch.optim.AdamW\nepochs: 1\nepochs: 2\nlst: [1\n"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "bad.yml").write_text(BAD)
    (tmp_path / "sub" / "workflow.yaml").write_text("name: ci\nname: again\n")  # not a torchtune config
    (tmp_path / "notes.txt").write_text("epochs: 1\nepochs: 1\n")
    return tmp_path


def test_folder_is_walked_and_other_yaml_is_left_alone(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", str(tree))
    assert code == 1
    assert out.splitlines() == [
        f"{tree}/sub/bad.yml:4:1: error[duplicate-key] Duplicate key 'epochs' (first on line 3); "
        "OmegaConf refuses to load the config. Remove one of them.",
        f"{tree}/sub/bad.yml:5:6: error[yaml-syntax] YAML syntax: unclosed '['. Close the list with ']'.",
    ]


def test_a_named_file_is_always_checked(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", str(tree / "sub" / "workflow.yaml"))
    assert code == 1 and "duplicate-key" in out


def test_json_is_one_array_with_one_based_positions(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--format", "json", str(tree))
    rows = json.loads(out)
    assert code == 1 and isinstance(rows, list) and len(rows) == 2
    assert rows[0] == {
        "file": f"{tree}/sub/bad.yml",
        "line": 4,
        "column": 1,
        "end_line": 4,
        "end_column": 7,
        "severity": "error",
        "code": "duplicate-key",
        "message": "Duplicate key 'epochs' (first on line 3); OmegaConf refuses to load the config. "
        "Remove one of them.",
    }


def test_clean_files_exit_zero_and_json_is_an_empty_array(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "check", str(tree / "good.yaml")) == (0, "", "")
    assert run(capsys, "check", "--format", "json", str(tree / "good.yaml"))[:2] == (0, "[]\n")


def test_github_annotations(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "check", "--format", "github", str(tree / "sub" / "bad.yml"))
    first = out.splitlines()[0]
    assert re.fullmatch(
        r"::error file=.*bad\.yml,line=4,col=1,endLine=4,endColumn=7,title=duplicate-key::Duplicate key 'epochs'.*",
        first,
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01binary\xff", "binary file"),
        (b"a: \xff\xfe\n", "not UTF-8"),
    ],
)
def test_unreadable_files_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    file = tmp_path / "x.yaml"
    file.write_bytes(content)
    code, out, err = run(capsys, "check", str(file))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(capsys, "check", str(tmp_path / "missing.yaml"))[0] == 2
    code, _, err = run(capsys, "check", "model.lora_rank=8")
    assert code == 2 and "no config files" in err
    with pytest.raises(SystemExit) as exit_info:
        main(["check"])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--format", "xml", "x.yaml"])
    assert exit_info.value.code == 2


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\xef\xbb\xbfmodel:\n  _component_: torch.optim.AdamW\n",
        b"model:\r\n  _component_: torch.optim.AdamW\r\nepochs: 1\r\n",
        b"a: " + b"[" * 10_000 + b"]" * 10_000 + b"\n",
        b"".join(b"k%d: " % i + b"x" * 60 + b"\n" for i in range(80_000)),
        b"a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        + b"".join(b"a%d: &a%d [" % (i, i) + b", ".join([b"*a%d" % (i - 1)] * 10) + b"]\n" for i in range(1, 10)),
    ],
    ids=["empty", "bom", "crlf", "deep", "5mb", "alias-bomb"],
)
def test_bad_input_gets_findings_or_silence_never_a_traceback(tmp_path: Path, content: bytes) -> None:
    file = tmp_path / "x.yaml"
    file.write_bytes(content)
    proc = subprocess.run(
        [sys.executable, "-m", "tuneconf", "check", "--format", "json", str(file)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    assert isinstance(json.loads(proc.stdout), list)


def test_a_folder_that_cannot_be_listed_is_reported_and_exits_2(
    tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # chmod 000 does not stop root (these tests run as root in CI): the walk's own scandir refuses instead.
    locked = tree / "sub"
    scandir = os.scandir

    def refusing(path: str | os.PathLike[str]) -> object:
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    code, out, err = run(capsys, "check", str(tree))
    assert code == 2 and out == ""
    assert err == f"tuneconf: {locked}: cannot read: Permission denied\n"


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_one_finding_is_one_line_whatever_its_message_holds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    keys = ['"a\\nb"', '"c\\rd"', '"e\\u2028f\\x85g\\x1b[31m"']  # quoted keys: a line break, CR, others
    file = tmp_path / "x.yaml"
    file.write_text("optimizer:\n  _component_: torch.optim.AdamW\n" + "".join(f"{k}: 1\n{k}: 2\n" for k in keys))
    code, out, _ = run(capsys, "check", "--format", fmt, str(file))
    lines = out.splitlines()
    assert code == 1 and len(lines) == len(keys)
    assert all(("duplicate-key" in line) and line.startswith(("::error ", str(file))) for line in lines), lines
    assert "Duplicate key 'a\\nb'" in out or "Duplicate key 'a%0Ab'" in out
