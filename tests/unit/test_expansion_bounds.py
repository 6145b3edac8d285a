"""Nothing expands or resolves a config without a bound: every caller that expands values refuses an
alias bomb with OmegaConf's own limit, and OmegaConf resolves an interpolation only where its cost is
bounded (interpolation/bounds.py), so that bombs answer at once, and built-in configs as before."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from omegaconf import OmegaConf
from omegaconf.base import Container

from builtin import builtin_configs
from tuneconf.cli import main
from tuneconf.document.parse import parse
from tuneconf.document.positions import Converter, encoding_of
from tuneconf.document.values import ExpansionLimitError, to_python
from tuneconf.effective import MAX_TOTAL_CHARS, MAX_TOTAL_STEPS, effective_view, effective_yaml, prepare
from tuneconf.features.interpolations import interpolation_hover, resolved_value
from tuneconf.interpolation.bounds import MAX_STEPS
from tuneconf.launch.gpus import GPUs
from tuneconf.launch.plan import plan_for
from tuneconf.project import Project
from tuneconf.settings import Settings


def alias_bomb(levels: int) -> str:
    """10^(levels+1) values from a few lines (the issue's bomb has 9 levels: 10^10)."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


# 12,349 nodes expanded from 19 written: past OmegaConf's limit (10,000) as any bomb is, yet a moment
# (not hours) to expand should a bound be lost.
BOMB = alias_bomb(3)
LIMIT_MESSAGE = "more than 10,000 YAML nodes once its aliases are expanded"


def _cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    config = tmp_path / "bomb.yaml"
    config.write_text(BOMB)
    code = main([*args, str(config)])
    assert code == 2
    return capsys.readouterr().err


def _plan(tmp_path: Path, _: Any) -> str:
    config = tmp_path / "bomb.yaml"
    project = Project(Settings(), [tmp_path])
    view = project.view(config.as_uri(), None, "# tuneconf: recipe=full_finetune_single_device\n" + BOMB, config=True)
    return "\n".join(plan_for(project, view, [], gpus=GPUs(0, "none")).problems)


def _to_python(_: Path, __: Any) -> str:
    with pytest.raises(ExpansionLimitError) as refused:
        to_python(parse(BOMB).root)
    return str(refused.value)


EXPANDERS: dict[str, Callable[[Path, Any], str]] = {
    "to_python": _to_python,
    "show": lambda tmp, capsys: _cli(tmp, capsys, "show"),
    "show --resolve": lambda tmp, capsys: _cli(tmp, capsys, "show", "--resolve"),
    "schema": lambda tmp, capsys: _cli(tmp, capsys, "schema"),
    "run --dry-run": lambda tmp, capsys: _cli(tmp, capsys, "run", "--dry-run"),
    "launch plan": _plan,
    "effective config view": lambda _, __: effective_view(prepare(parse(BOMB), [])),
    "hover": lambda _, __: resolved_value(parse(BOMB), ("a3",))[1],
}


@pytest.mark.parametrize("caller", list(EXPANDERS))
def test_every_caller_that_expands_values_refuses_an_alias_bomb_with_a_message(
    caller: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    message = EXPANDERS[caller](tmp_path, capsys)
    assert LIMIT_MESSAGE in message
    assert "Traceback" not in message and "MemoryError" not in message


def _refuses(load: Callable[[], object]) -> str:
    try:
        load()
    except Exception as exc:
        return str(exc).splitlines()[0]
    return ""


@pytest.mark.parametrize("limit", [str(n) for n in range(8, 16)] + [" 12 ", "1_000", "lots", "0", "-3", "none"])
def test_the_limit_is_omegaconfs_and_read_as_omegaconf_reads_it(limit: str, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "a: [1, 2, 3]\nb: &b {c: 1, d: 2}\ne: *b\n"
    monkeypatch.setenv("OMEGACONF_MAX_YAML_EXPANDED_NODES", limit)
    ours = _refuses(lambda: to_python(parse(text).root))
    theirs = _refuses(lambda: OmegaConf.load(io.StringIO(text)))
    assert bool(ours) == bool(theirs)
    assert ("Invalid value" in ours) == ("Invalid value" in theirs)


def test_no_limit_for_omegaconf_is_still_a_limit_for_tuneconf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMEGACONF_MAX_YAML_EXPANDED_NODES", "none")
    with pytest.raises(
        ExpansionLimitError,
        match="more than 1,000,000 YAML nodes once its aliases are expanded, more than tuneconf expands",
    ):
        to_python(parse(alias_bomb(5)).root)


INTERPOLATION_BOMB = "a0: x\n" + "".join(f"a{i}: ${{a{i - 1}}}${{a{i - 1}}}\n" for i in range(1, 31))
"""a30 is 2^30 characters, and OmegaConf takes 2^30 steps to build it."""
DEEP_CHAIN = "k0: 1\n" + "".join(f"k{i}: ${{k{i - 1}}}\n" for i in range(1, 1001))
"""OmegaConf walks the chain down for each value until its stack ends (~10 ms a value)."""
HOPS = INTERPOLATION_BOMB + "m: {v: '${a30}'}\nb1: ${m}\nb2: ${b1}\nx: ${b2.v}\n"
"""x is a30, through b2 → b1 → m."""
MISNAMED = INTERPOLATION_BOMB + '"": ${a0}\n"a30.x": ${a0}\n'
"""Cheap values whose keys OmegaConf.select reads as others: "" is the whole config, "a30.x" is in a30."""


@pytest.fixture
def omegaconf_steps(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts the values OmegaConf resolves; past 10,000 each one fails, so a lost bound fails the
    test in seconds instead of running for hours."""
    steps = [0]
    original = Container._maybe_resolve_interpolation

    def counted(self: Container, *args: Any, **kwargs: Any) -> Any:
        steps[0] += 1
        if steps[0] > 10_000:
            raise RuntimeError("unbounded resolution")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Container, "_maybe_resolve_interpolation", counted)
    yield steps


def _hover(text: str, _: Path, __: Any) -> str:
    doc = parse(text)
    line = len(doc.lines) - 2  # the last key, on its `${`
    hover = interpolation_hover(doc, line, doc.lines[line].index("${") + 2, Converter(doc.lines, encoding_of(None)))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    return hover.contents.value


def _show(text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    config = tmp_path / "c.yaml"
    config.write_text(text)
    assert main(["show", "--resolve", str(config)]) == 1  # shown, some values left as written
    out, err = capsys.readouterr()
    return out + err


RESOLVERS: dict[str, tuple[Callable[[str, Path, Any], str], int]] = {
    "hover": (_hover, MAX_STEPS),
    "effective_yaml": (lambda text, _, __: effective_yaml(parse(text), [], resolve=True).text, MAX_TOTAL_STEPS),
    "show --resolve": (_show, MAX_TOTAL_STEPS),
}


@pytest.mark.parametrize(
    "text", [INTERPOLATION_BOMB, DEEP_CHAIN, HOPS, MISNAMED], ids=["doubling", "chain-1000", "hops", "misnamed"]
)
@pytest.mark.parametrize("caller", list(RESOLVERS))
def test_resolution_is_bounded_and_says_what_it_left(
    caller: str, text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], omegaconf_steps: list[int]
) -> None:
    resolve, budget = RESOLVERS[caller]
    answer = resolve(text, tmp_path, capsys)
    assert omegaconf_steps[0] <= budget
    assert "not resolved" in answer
    assert any(reason in answer for reason in ("too large: ", "too deep: ", "OmegaConf would select another value"))


def test_copies_of_a_long_value_stop_at_the_size_budget() -> None:
    text = "big: " + "x" * 50_000 + "\n" + "".join(f"c{i}: ${{big}}\n" for i in range(1500))
    result = effective_yaml(parse(text), [], resolve=True)
    assert len(result.text) < 2 * MAX_TOTAL_CHARS  # 75 MB, were each copy resolved
    assert "c1499: too large: the config's resolved values come to more than 2,000,000 characters" in result.unresolved
    shown, note = resolved_value(parse(text), ("c0",))
    assert shown is not None and len(shown) <= 301 and note == "50,000 characters"


@pytest.mark.runtime  # a sweep over the 156 built-in configs
def test_resolved_values_are_omegaconfs_on_every_builtin_config() -> None:
    for file in builtin_configs():
        text = file.read_text(encoding="utf-8")
        result = effective_yaml(parse(text), [], resolve=True)
        expected = OmegaConf.to_container(OmegaConf.load(file), resolve=True)
        assert result.unresolved == [] and OmegaConf.to_container(OmegaConf.create(result.text)) == expected, file


FORMS = """\
out: /tmp/out
n: 3
f: 2.0e-05
flag: true
none: null
lst: [1, "${f}", "${.0}"]
m:
  x: 1
  y: ${.x}
  z: ${..n}
  w: ${m.x}-${lst[1]}
models:
  small: {dim: 8}
  big: {dim: 64}
choice: big
pick: ${models.${choice}.dim}
whole: ${m}
text_of_container: see ${m}
typed: ${n}
concat: ${out}/${n}/${f}/${flag}/${none}
env: ${oc.env:HOME}/x
env_default: ${oc.env:TUNECONF_SURELY_UNSET,fallback}
decoded: ${oc.decode:'[1, 2]'}
selected: ${oc.select:m.x,0}
selected_missing: ${oc.select:nope,dflt}
keys: ${oc.dict.keys:models}
values: ${oc.dict.values:m}
created: "${oc.create:{a: 1}}"
escaped: \\${out}
missing: ${nope}
mandatory: ???
to_mandatory: ${mandatory}
custom: ${not_registered:1}
cycle_a: ${cycle_b}
cycle_b: ${cycle_a}
"""


def test_every_cheap_form_resolves_to_omegaconfs_value_and_failures_stay_failures() -> None:
    result = effective_yaml(parse(FORMS), [], resolve=True)
    ours = OmegaConf.to_container(OmegaConf.create(result.text))
    config = OmegaConf.load(io.StringIO(FORMS))
    raw = OmegaConf.to_container(config)
    assert isinstance(ours, dict) and isinstance(raw, dict)
    refused = [line.split(":")[0] for line in result.unresolved if ": circular: " in line or ": too " in line]
    assert refused == ["cycle_a", "cycle_b"]  # the bounds refuse nothing OmegaConf resolves cheaply
    for key in [k for k, v in raw.items() if "${" in str(v)]:
        try:
            theirs = OmegaConf.select(config, key, throw_on_resolution_failure=True)
            theirs = OmegaConf.to_container(theirs, resolve=True) if OmegaConf.is_config(theirs) else theirs
        except Exception:
            assert ours[key] == raw[key], key  # left as written
            continue
        assert ours[key] == theirs, key
