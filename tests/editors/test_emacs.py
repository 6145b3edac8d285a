"""A real third client: batch Emacs with eglot (Debian's emacs-nox, elpa-eglot, elpa-yaml-mode) runs `tuneconf serve`.

The configuration Emacs loads is the README's "Emacs (eglot)" block, read from README.md, so the two
cannot drift apart. The elisp side (tests/editors/emacs/lsp_check.el) waits with accept-process-output
on conditions and prints one JSON line; the assertions are here.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from editor_plan import completion_steps, expected_ranges, position

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "editors" / "emacs" / "lsp_check.el"
README = ROOT / "README.md"
DEMO = ROOT / "configs" / "demo_mistakes.yaml"
BIN = Path(sys.executable).parent  # the interpreter's environment: its `tuneconf` goes first on PATH
PROBE = """(progn (package-initialize)
  (princ (format "%s|%s|%s" emacs-version (locate-library "eglot") (locate-library "yaml-mode"))))"""
INSTALL = "apt-get install emacs-nox elpa-eglot elpa-yaml-mode; make setup does that as root"


def find_emacs() -> tuple[str | None, str]:
    """Emacs 28+ that finds eglot and yaml-mode once its packages are activated, or None and why not."""
    emacs = shutil.which("emacs")
    if emacs is None:
        return None, f"needs Emacs with eglot and yaml-mode ({INSTALL}): no emacs on PATH"
    with tempfile.TemporaryDirectory() as home:  # not the user's ~/.emacs.d
        proc = subprocess.run(
            [emacs, "--batch", "-q", "--eval", PROBE],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "HOME": home},
        )
    version, _, rest = proc.stdout.partition("|")
    eglot, _, yaml_mode = rest.partition("|")
    match = re.match(r"(\d+)\.", version)
    if not match or int(match.group(1)) < 28:
        return None, f"needs Emacs >= 28 ({INSTALL}): {emacs} says {version or proc.stderr.strip()[-200:]!r}"
    lacking = [name for name, where in (("eglot", eglot), ("yaml-mode", yaml_mode)) if where in ("", "nil")]
    if lacking:
        return None, f"needs {' and '.join(lacking)} for Emacs {version} ({INSTALL})"
    return emacs, ""


EMACS, WHY = find_emacs()


def readme_snippet() -> str:
    """The indented code block right under the README's "## Emacs (eglot)" heading."""
    section = README.read_text().split("\n## Emacs (eglot)\n", 1)[1]
    match = re.match(r"\n((?:    .*\n)+)", section)
    assert match, "README: no indented code block right under '## Emacs (eglot)'"
    return "".join(line[4:] + "\n" for line in match.group(1).splitlines())


@pytest.mark.skipif(EMACS is None, reason=WHY)
@pytest.mark.skipif(importlib.util.find_spec("torchtune") is None, reason="needs torchtune installed (make setup)")
def test_emacs_eglot_gets_diagnostics_hover_and_completion(tmp_path: Path) -> None:
    assert EMACS is not None
    assert (BIN / "tuneconf").exists(), f"no tuneconf script beside {sys.executable}"
    snippet = readme_snippet()
    assert '("tuneconf" "serve")' in snippet and "eglot-ensure" in snippet, snippet
    config_el = tmp_path / "tuneconf-eglot.el"
    config_el.write_text(snippet)
    project = tmp_path / "project"
    project.mkdir()
    config = project / "demo_mistakes.yaml"
    shutil.copy(DEMO, config)
    text = config.read_text()
    lines = len(text.splitlines())
    plan = {
        "config": str(config_el),
        "file": str(config),
        "wait_codes": ["unknown-member", "unexpected-argument"],
        "timeout_s": 60,
        "hover": position(text, "lora_llama3_2_1b", 4),
        "completions": completion_steps(lines),
    }
    home = tmp_path / "home"  # empty: no ~/.emacs.d, so only the README's block configures Emacs
    home.mkdir()
    env = {
        **os.environ,
        "HOME": str(home),
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "TUNECONF_EMACS_PLAN": json.dumps(plan),
    }
    proc = subprocess.run(
        [EMACS, "--batch", "-q", "-l", str(SCRIPT)],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=project,
        env=env,
    )
    found = [line for line in proc.stdout.splitlines() if line.startswith("TUNECONF_EMACS_RESULT ")]
    assert found, f"no result line; exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    result = json.loads(found[-1].removeprefix("TUNECONF_EMACS_RESULT "))
    assert proc.returncode == 0 and result["missing"] == [], (result, proc.stderr)
    assert result["config"] is True  # the README's block loaded without error
    assert result["major_mode"] == "yaml-mode"
    assert result["server"]["name"] == "tuneconf"
    assert "eglot-flymake-backend" in result["flymake_backends"]

    by_code = {(d["code"], tuple(d["range"])) for d in result["diagnostics"]}
    assert expected_ranges(text) <= by_code, by_code
    texts = {d["text"] for d in result["diagnostics"]}  # flymake's text: "source [code]: message"
    rnak = "Unexpected argument 'lora_rnak' for lora_llama3_2_1b. Did you mean 'lora_rank'?"
    assert f"tuneconf [unexpected-argument]: {rnak}" in texts, texts
    assert all(d["source"] == "tuneconf" for d in result["diagnostics"])
    assert {d["type"] for d in result["diagnostics"]} >= {"eglot-error", "eglot-warning"}

    assert any("eglot-hover-eldoc-function" in f for f in result["eldoc_functions"])
    hover = result["hover"]  # eglot's rendering of the markdown (plain text without markdown-mode)
    assert "lora_llama3_2_1b(lora_attn_modules: List[LORA_ATTN_MODULES]" in hover, hover
    assert "lora_rank: int = 8" in hover and "Builder for creating a Llama3.2 1B model with LoRA" in hover, hover

    assert result["capf_installed"] is True
    members, arguments = result["completions"]
    assert {"alpaca_dataset", "chat_dataset", "instruct_dataset"} <= set(members), members
    assert {"packed", "train_on_input", "source", "split"} <= set(arguments), arguments
