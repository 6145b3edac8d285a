"""Overrides reported where they are: `<overrides>`, the argument's index and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from tuneconf.cli import main
from tuneconf.document.parse import parse
from tuneconf.overrides import merge

CONFIG = """\
# tune run my_recipe.py --config c.yaml
output_dir: /tmp/out
model:
  _component_: torchtune.models.llama3_2.lora_llama3_2_1b
  lora_attn_modules: [q_proj, v_proj]
  lora_rank: 8
optimizer:
  _component_: torch.optim.AdamW
  fused: True
  lr: 2e-4
profiler:
  _component_: torchtune.training.setup_torch_profiler
  enabled: False
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(CONFIG)
    return path


def check(capsys: pytest.CaptureFixture[str], config: Path, *overrides: str) -> tuple[int, list[str]]:
    code = main(["check", str(config), *overrides])
    return code, capsys.readouterr().out.splitlines()


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (["model.lora_rnak=16"], "<overrides>:1:7: error[unexpected-argument] Unexpected argument 'lora_rnak'"),
        (["model.lora_rank=eight"], "<overrides>:1:17: error[wrong-type] 'lora_rank' expects int"),
        (["a=1", "model=torchtune.models.llama3_2.lora_llama3_2_1c"], "<overrides>:2:33: error[unknown-member]"),
        (["optimizer=torch.optim.LBFGS"], "Add ~optimizer.fused to the overrides."),
        (["~model"], "<overrides>:1:1: error[bad-override] torchtune cannot remove the component 'model'"),
        (["~model._component_"], "error[bad-override] torchtune cannot remove a component's _component_"),
        (["~nothere.x"], "<overrides>:1:1: error[bad-override] Could not find 'nothere.x'"),
        (["lr=1=2"], "error[bad-override] An override must be key=value (one '=')"),
        (["model.lora_attn_modules=['q_proj',v_proj]"], ""),
        (["model.lora_attn_modules=[\"'q_proj'\"]"], "<overrides>:1:26: warning[override-quotes]"),
        (["output_dir=[1"], "<overrides>:1:12: error[bad-override] The value is not valid YAML"),
        (["model.lora_attn_modules[0]=k_proj"], "cannot override one element of a list"),
    ],
)
def test_override_problems_point_at_the_argument(
    capsys: pytest.CaptureFixture[str], config: Path, overrides: list[str], expected: str
) -> None:
    code, lines = check(capsys, config, *overrides)
    if not expected:
        assert (code, lines) == (0, [])
        return
    assert any(expected in line for line in lines), lines
    assert code == (1 if any("error[" in line for line in lines) else 0)


def test_removals_and_shorthand_reach_the_checks(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    code, lines = check(capsys, config, "~profiler.enabled", "optimizer=torch.optim.SGD", "model.lora_rank=16")
    assert (code, lines) == (0, [])


def test_show_prints_the_effective_config_and_resolves(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    assert main(["show", str(config), "model.lora_rank=32", "~profiler.enabled", "ckpt=${output_dir}/c"]) == 0
    out = capsys.readouterr().out
    assert "lora_rank: 32" in out and "enabled" not in out and "ckpt: ${output_dir}/c" in out
    assert main(["show", "--resolve", str(config), "ckpt=${output_dir}/c"]) == 0
    assert "ckpt: /tmp/out/c" in capsys.readouterr().out


def test_show_reports_what_stops_resolution(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    assert main(["show", "--resolve", str(config), "x=${nope}"]) == 1
    assert "nope" in capsys.readouterr().err


DEEP = ".".join(["a"] * 1_000)


@pytest.mark.parametrize(
    ("override", "said"),
    [
        (f"{DEEP}=1", "error[bad-override] This key has 1,000 segments; OmegaConf fails (RecursionError)"),
        (".".join(["a"] * 150) + "=1", "warning[bad-override] This key has 150 segments; tuneconf checks keys of at"),
        (f"~{DEEP}", "error[bad-override] Could not find 'a.a.a"),
        ("model.x=" + "[" * 150 + "]" * 150, "error[bad-override] The value is nested 150 levels deep"),
        ("output_dir=" + "x" * 200_000, "warning[bad-override] This override is 200,011 bytes long"),
        ("~" + "k" * 100_000, "error[bad-override] Could not find 'kkkkkkkk"),
        ("k" * 100_000 + "=[1", "error[bad-override] The value is not valid YAML"),
    ],
    ids=[
        "1000-segments",
        "150-segments",
        "remove-1000-segments",
        "value-150-deep",
        "200k-characters",
        "remove-100k",
        "100k-key",
    ],
)
def test_deep_or_long_overrides_get_a_short_finding_never_a_traceback(
    capsys: pytest.CaptureFixture[str], config: Path, override: str, said: str
) -> None:
    merged = merge(parse(CONFIG), [override])  # returns, whatever the depth: no RecursionError
    assert merged.findings
    for command in ("check", "show"):
        code = main([command, str(config), override])
        out, err = capsys.readouterr()
        reported = (out if command == "check" else err).splitlines()
        assert any(said in line for line in reported), (command, reported[:3])
        assert all(len(line) < 1_000 for line in reported)  # what an argument adds to a message is clipped
        assert code == (1 if "error[" in said else 0)
