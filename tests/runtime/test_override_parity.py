"""Our override merge beside torchtune's own `_merge_yaml_and_cli_args`: same result or both refuse."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from builtin import CONFIG_ROOT
from tuneconf.document.parse import parse
from tuneconf.document.values import to_python
from tuneconf.findings import Severity
from tuneconf.overrides import merge

PROBE = Path(__file__).with_name("merge_probe.py")
REAL = CONFIG_ROOT / "llama3_2" / "1B_lora_single_device.yaml"
SYNTHETIC = """\
a: 1
lst: [1, 2, {x: 1}]
model:
  _component_: m.x
  r: 8
  sub: {k: 1}
opt:
  lr: 1.0
  nested: {deep: {v: 1}}
s: str
n: null
anchor: &base {p: 1}
uses: *base
"""

CASES: list[list[str]] = [
    ["a=2"],
    ["model=other.y"],
    ["model.r=16"],
    ["~model.r"],
    ["~model"],
    ["~opt.nested.deep.v"],
    ["~missing"],
    ["a=b=c"],
    ["justakey"],
    ["a=None"],
    ["ckpt.max_filename=0001"],
    ["lst=[a,b]"],
    ["lst=['a', 'b']"],
    ["opt=5"],
    ["a.b=3"],
    ["s.x=1"],
    ["lst[0]=9"],
    ["lst.0=9"],
    ["new.key=1"],
    ["model._component_=z"],
    ["~model._component_"],
    ["opt.lr=1e-4"],
    ["a=yes"],
    ["a='quoted'"],
    ["a=[1"],
    ["a={x: 1}"],
    ["opt={lr: 2}"],
    ["~a.b"],
    ["~lst"],
    ["a="],
    ["=1"],
    ["~"],
    ["opt.nested=null"],
    ["a=!!str 5"],
    ["é=1"],
    ["a=${s}"],
    ["a=5", "a.b=1"],
    ["a.b=1", "a=5"],
    ["opt=5", "opt.x=1"],
    ["opt.x=1", "~opt.lr"],
    ["~opt.lr", "opt.lr=2"],
    ["model=p.q", "model.r=2"],
    ["~uses.p"],
    ["uses.p=9"],
    ["--lr=1"],
    ["model.sub=null"],
    ["n.x=1"],
    ["lst={k: 1}"],
]
REAL_CASES: list[list[str]] = [
    ["model.lora_rank=16", "model.lora_alpha=32"],
    ["model=torchtune.models.llama3_2.lora_llama3_2_3b"],
    ["optimizer=bitsandbytes.optim.PagedAdamW"],
    ["~profiler"],
    ["~profiler.enabled"],
    ["model.lora_attn_modules=[q_proj,v_proj]"],
    ["checkpointer.checkpoint_files=[a.safetensors,b.safetensors]"],
    ["dataset.packed=True", "batch_size=8", "epochs=3"],
    ["seed=None", "max_steps_per_epoch=10"],
    ["output_dir=/tmp/x", "checkpointer.output_dir=${output_dir}/ckpt"],
    ["~dataset.packed", "~shuffle"],
]


@pytest.mark.skipif(importlib.util.find_spec("torchtune") is None, reason="needs the recipe runtime")
def test_our_merge_equals_torchtunes(tmp_path: Path) -> None:
    synthetic = tmp_path / "synthetic.yaml"
    synthetic.write_text(SYNTHETIC)
    cases = [(synthetic, c) for c in CASES] + [(REAL, c) for c in REAL_CASES]
    assert len(cases) >= 40
    stdin = "".join(json.dumps({"config": str(f), "overrides": c}) + "\n" for f, c in cases)
    proc = subprocess.run([sys.executable, str(PROBE)], input=stdin, capture_output=True, text=True, timeout=300)
    answers = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(answers) == len(cases), proc.stderr
    for (file, overrides), theirs in zip(cases, answers):
        merged = merge(parse(file.read_text()), overrides)
        errors = [f for f in merged.findings if f.severity is Severity.ERROR]
        if theirs["ok"]:
            assert errors == [], (overrides, errors)
            assert to_python(merged.doc.root) == theirs["result"], overrides
        else:
            assert errors, (overrides, theirs["error"])
