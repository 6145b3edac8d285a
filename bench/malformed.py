"""The malformed-input corpus, and how long the server takes to answer each (target: 1 s).

The same corpus drives tests/lsp/test_bad_input.py, which proves every case is answered and the server
survives; this script reports the times (a benchmark reports figures, it never fails on one)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from inputs import SERVER
from lsp_client import Client

HEADER = "# tune run lora_finetune_single_device --config x.yaml\n"


def corpus() -> dict[str, str]:
    """Name → document text (what an editor would send: invalid bytes already decoded with U+FFFD)."""
    chain = "k0: 1\n" + "".join(f"k{i}: ${{k{i - 1}}}\n" for i in range(1, 1000))
    bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 10)
    )
    return {
        "empty": "",
        "nul": HEADER + "a: \x00\x01\nb: 1\n",
        "binary": bytes(range(256)).decode("latin-1") * 40,
        "invalid-utf8": (HEADER.encode() + b"a: caf\xc3\nb: \xff\xfe\x80\n").decode("utf-8", "replace"),
        "bom": "\ufeff" + HEADER + "a: 1\n",
        "crlf": HEADER.replace("\n", "\r\n") + "a: 1\r\nb:\r\n  c: 2\r\n",
        "tabs": HEADER + "model:\n\t_component_: torchtune.models.llama3_2.llama3_2_1b\n\tx: 1\n",
        "deep-sequence": HEADER + "a: " + "[" * 10_000 + "]" * 10_000 + "\n",
        "deep-mapping": HEADER + "a: " + "{b: " * 10_000 + "1" + "}" * 10_000 + "\n",
        "5mb": HEADER + "".join(f"k{i}: {'x' * 60}\n" for i in range(80_000)),
        "long-line": HEADER + "a: " + "x" * 1_000_000 + "\n",
        "alias-bomb": HEADER + bomb,
        "garbage": HEADER + "]]]: [[[\n{{{: '\n\t\t: :\n" * 200,
        "interpolation-cycle": HEADER + "a: ${b}\nb: ${c}\nc: ${a}\nd: ${d}\n",
        "interpolation-chain-1000": HEADER + chain,
        "interpolation-nested-1000": HEADER + "x: " + "${" * 1000 + "a" + "}" * 1000 + "\na: 1\n",
        "huge-dotpath": HEADER + "m:\n  _component_: torchtune." + ".".join(["a" * 50] * 2000) + "\n",
        "huge-key": HEADER + "k" * 200_000 + ": 1\n",
        **adversarial(),
    }


def adversarial() -> dict[str, str]:
    """The adversarial sweep's documents (issue 12): regex, size, line-break, fix and run-path attacks."""
    doubling = "a0: x\n" + "".join(f"a{i}: ${{a{i - 1}}}${{a{i - 1}}}\n" for i in range(1, 31))
    aliases = "a0: &a0 {x: 1}\n" + "".join(f"a{i}: &a{i} {{y: *a{i - 1}}}\n" for i in range(1, 1000))
    merges = "b0: &b0 {x: 1}\n" + "".join(f"b{i}: &b{i} {{<<: *b{i - 1}, y{i}: 1}}\n" for i in range(1, 300))
    keys = ["a\\nb", "c\\rd", "e\\u2028f\\x1b[31m"]  # escapes YAML turns into a newline, a CR, U+2028, ESC
    component = "model:\n  _component_: torchtune.models.llama3_2.lora_llama3_2_1b\n  lora_rank: 8\n"
    return {
        "header-flags": "# tune run" + " --a" * 24 + " r --confi\n" + component,
        "blank-lines": "\n" * 100_000,
        "blank-crlf": "\r\n" * 100_000,
        "whitespace-lines": " \t\n" * 100_000,
        "comment-lines": "#\n" * 100_000,
        "key-spaces": "model:\n  a" + " " * 100_000 + "x\n  b: 1\n",
        "newline-keys": "".join(f'"{key}": 1\n"{key}": 2\n' for key in keys),
        "unusual-line-terminators": HEADER + "a: 1\u2028b: 2\u2029c: 3\x85d: 4\x0be: 5\x0cf: 6\x1cg: 7\n",
        "lone-cr": HEADER.replace("\n", "\r") + "a: 1\rb:\r  c: 2\r",
        "mixed-eol": HEADER + "a: 1\r\nb: 2\nc: 3\rd: 4\n",
        "astral-keys": HEADER + "😀: 1\nm:\n  " + "𝔘" * 1000 + ": 2\n",
        "bidi-combining": HEADER + "a\u0301\u200f\u202e: 1\nb: \u202ex\u202c\n",
        "bom-mid": HEADER + "a: 1\n\ufeffb: 2\n",
        "100k-flat-keys": HEADER + "".join(f"k{i}: {i}\n" for i in range(100_000)),
        "100k-anchors": HEADER + "".join(f"a{i}: &a{i} {i}\nb{i}: *a{i}\n" for i in range(50_000)),
        "100k-duplicate-keys": HEADER + "k: 1\n" * 100_000,
        "alias-chain-1000": HEADER + aliases,
        "merge-chain-300": HEADER + merges,
        "shared-component": HEADER
        + component.replace("lora_rank", "lora_rnak").replace("l:", "l: &m")
        + "teacher: *m\n",
        "crlf-component": (HEADER + component).replace("\n", "\r\n"),
        "interpolation-doubling-30": HEADER + doubling + "output_dir: ${a30}\n",
        "output-dir-cycle": HEADER + "output_dir: ${log_dir}\nlog_dir: ${output_dir}\n",
        "prepare-in-block": HEADER + "notes: |\n  # tuneconf: prepare=../../evil.py\nepochs: 1\n",
        "prepare-outside": HEADER + "# tuneconf: prepare=../../../../etc/passwd\nepochs: 1\n",
    }


def measure() -> dict[str, float]:
    """Milliseconds from didOpen to the first diagnostics, for each case, on one server."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-malformed-"))
    env = dict(os.environ, TUNECONF_CACHE_DIR=str(workdir / "cache"))
    client = Client(SERVER, cwd=str(workdir), env=env)
    client.initialize(workdir)
    times: dict[str, float] = {}
    try:
        for name, text in corpus().items():
            uri = (workdir / f"{name}.yaml").as_uri()
            sent = client.open(uri, text)
            times[name] = round(client.wait_diagnostics(uri, 1, sent, timeout=60) - sent, 1)
    finally:
        client.close()
    return times


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2))
