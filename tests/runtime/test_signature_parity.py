"""Our parameters equal inspect.signature's for every built-in dotpath that imports here.

The import happens in a child process (tests/runtime/signature_probe.py), never in tuneconf.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from builtin import builtin_configs
from tuneconf.index.environment import probe
from tuneconf.index.service import Index

PROBE = Path(__file__).with_name("signature_probe.py")


def builtin_dotpaths() -> list[str]:
    found: set[str] = set()
    for file in builtin_configs():
        found.update(re.findall(r"_component_:\s*([\w.]+)", file.read_text()))
    return sorted(found)


def literal(text: str | None) -> object:
    try:
        value = ast.literal_eval(text) if text is not None else None
    except (ValueError, SyntaxError):
        return NotImplemented
    return list(value) if isinstance(value, tuple) else value


@pytest.mark.skipif(importlib.util.find_spec("torchtune") is None, reason="needs the recipe runtime")
def test_parameters_match_inspect_signature() -> None:
    dotpaths = builtin_dotpaths()
    assert len(dotpaths) == 109
    proc = subprocess.run(
        [sys.executable, str(PROBE)], input="\n".join(dotpaths), capture_output=True, text=True, timeout=300
    )
    index = Index(probe(None, []))
    compared = 0
    for line in proc.stdout.splitlines():
        row = json.loads(line)
        if not row["ok"]:  # bitsandbytes is not installed; llama3_2_vision needs torchvision
            assert "bitsandbytes" in row["dotpath"] or "llama3_2_vision" in row["dotpath"], row
            continue
        symbol = index.resolve(row["dotpath"]).symbol  # type: ignore[union-attr]
        assert symbol is not None and symbol.parameters is not None, row["dotpath"]
        ours = [(p.name, p.kind.value) for p in symbol.parameters]
        assert ours == [(name, kind) for name, kind, _, _ in row["params"]], row["dotpath"]
        for param, (_, _, theirs, value) in zip(symbol.parameters, row["params"]):
            assert (param.default is None) == (theirs is None), (row["dotpath"], param.name)
            mine = literal(param.default)
            if mine is not NotImplemented and value is not None:
                assert mine == value, (row["dotpath"], param.name)
        compared += 1
    assert compared == 100
