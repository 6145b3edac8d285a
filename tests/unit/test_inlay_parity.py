"""Inlay hint values equal OmegaConf's own (features/inlay_values.py resolves on our tree): on a corpus of
edge cases, and on the 156 built-in configs with and without overrides merged the torchtune way (OmegaConf
runs here, in the test, never in the server). The hints themselves: tests/unit/test_inlay_hints.py."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from omegaconf import OmegaConf

from builtin import builtin_configs
from tuneconf.document.parse import parse
from tuneconf.document.positions import Converter
from tuneconf.features.inlay_hints import LABEL_CHARS, inlay_hints
from tuneconf.features.inlay_values import Resolver, shown
from tuneconf.interpolation.resolve import occurrences
from tuneconf.project import Project


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return Project(cache_dir=tmp_path_factory.mktemp("cache"))


CORPUS = r"""
f: 3e-4
g: 1.0
h: 1e10
big: 123456789012345678901234567890
b: true
b2: off
n: null
n2: ~
i: 0x1F
o: 0o17
u: 1_000
inf: .inf
nan: .nan
s: '???'
q: "3"
e: ''
ts: 2001-12-14
d: {a: 1, b: '${f}'}
l: [1, '${i}', x]
nest: {deep: {er: '${..d.a}'}, x: '${.deep.er}'}
x01: ${f}/a
x02: ${b}-${n}-${n2}-${b2}
x03: ${i}
x04: ${o}/${u}
x05: ${s}
x06: ${q}
x07: ${h}x${big}
x08: "  ${q}  "
x09: ${d.a}
x10: ${l.0}
x11: ${l[1]}
x12: ${.f}
x13: ${inf}/${nan}
x14: ${ts}/
x15: ${e}
x16: a${e}b
x17: ${d.b}
x18: ${nest.x}
x20: ${x01}|${x09}
x21: '${f}'
x22: "'${f}'"
x23: ${ f }
x24: ${d}
x25: ${l}
x26: a${d}
x27: ${missing}
x28: ${d.zz}
x29: ${l.7}
x30: ${oc.env:HOME}
x31: ${oc.select:f,1}
x32: \${f}
x33: ${f}\\
x34: ${c1}
c1: ${c2}
c2: ${c1}
x35: ${d.${e}}
x37: ${l.-1}
x38: ${..f}
x39: "${f}\n${i}"
x40: ${u}${u}${u}
x41: |
  line ${f}
  two
x42: ${x41}
x43: ['${f}', '${i}/x']
x44: {k: '${f}'}
x45: ${x43.1}
x46: ${x44.k}
x47: &anc {p: '${.q}', q: 5}
x48: *anc
x49: ${x48.p}
x50: ${x47.p}
x51: {<<: *anc, q: 6}
x52: ${x51.p}
x53: ${x51.q}
x55: ${b}${b}
x56: ${f}${g}
"""
GIVEN = [
    "d.b",
    "l.1",
    "x01",
    "x02",
    "x03",
    "x04",
    "x06",
    "x07",
    "x08",
    "x09",
    "x10",
    "x11",
    "x12",
    "x13",
    "x14",
    "x15",
    "x16",
    "x17",
    "x20",
    "x21",
    "x22",
    "x23",
    "x39",
    "x40",
    "x41",
    "x42",
    "x43.0",
    "x43.1",
    "x44.k",
    "x45",
    "x46",
    "x47.p",
    "x49",
    "x50",
    "x53",
    "x55",
    "x56",
]
"""Not given: a missing key or `???` (x05, x27-x29, x38, nest.*, x18), a container (x24-x26), a resolver
(x30, x31), an escape (x32, x33), a cycle (x34, c1, c2), a computed key (x35), a negative index (x37) and a
key a merge key brings (x52)."""


def omegaconf_values(text: str) -> dict[str, Any]:
    """What OmegaConf itself resolves each interpolated value of `text` to (an exception where it fails)."""
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "c.yaml"
        file.write_text(text)
        config = OmegaConf.load(file)
    found: dict[str, Any] = {}
    for occ in occurrences(parse(text).root):
        key = ".".join(map(str, occ.path))
        try:
            found[key] = OmegaConf.select(config, key, throw_on_resolution_failure=True)
        except Exception as exc:
            found[key] = exc
    return found


def same(ours: Any, theirs: Any) -> bool:
    if isinstance(theirs, float) and theirs != theirs:
        return isinstance(ours, float) and ours != ours
    return type(ours) is type(theirs) and ours == theirs


def test_every_value_given_is_omegaconfs_on_the_corpus() -> None:
    resolver = Resolver(parse(CORPUS).root)
    given = {}
    for key, theirs in omegaconf_values(CORPUS).items():
        ours = resolver.at(tuple(int(p) if p.isdigit() else p for p in key.split(".")))
        if ours is not None:
            assert same(ours.value, theirs), (key, ours.value, theirs)
            given[key] = ours.value
    assert sorted(given) == sorted(GIVEN)


def test_a_non_string_key_stops_resolution_there() -> None:
    # OmegaConf finds `${1}` by the int key 1; a key of another type beside a name is not followed here.
    text = "1: one\na: 2\nx: ${1}\ny: ${a}\nm: {2: two, b: 3}\nz: ${m.b}\n"
    assert omegaconf_values(text)["x"] == "one"
    resolver = Resolver(parse(text).root)
    assert [resolver.at((k,)) for k in ("x", "y", "z")] == [None, None, None]


def test_chains_stop_where_omegaconfs_stack_would() -> None:
    chain = "k0: 1\n" + "".join(f"k{n}: ${{k{n - 1}}}\n" for n in range(1, 80))
    resolver = Resolver(parse(chain).root)
    assert resolver.at(("k20",)) is not None and resolver.at(("k79",)) is None
    assert resolver.at(("k30",)) is not None and resolver.at(("k33",)) is None  # after k20's chain is memoized
    doubling = "a0: x\n" + "".join(f"a{n}: ${{a{n - 1}}}${{a{n - 1}}}\n" for n in range(1, 40))
    resolver = Resolver(parse(doubling).root)
    assert shown(resolver.at(("a3",)).value) == "x" * 8  # type: ignore[union-attr]
    assert resolver.at(("a39",)) is None  # 2^39 characters: beyond MAX_CHARS, found without building them


def label_of(value: str) -> str:
    value = value.replace("\n", "⏎")
    return "→ " + (value if len(value) <= LABEL_CHARS else value[: LABEL_CHARS - 1] + "…")


def test_every_value_hinted_on_the_builtins_is_omegaconfs(project: Project) -> None:
    """The values of the 156 built-in configs, and with an override of output_dir as torchtune merges it
    (OmegaConf.merge of the YAML and OmegaConf.from_dotlist)."""
    checked = overridden = 0
    for file in builtin_configs():
        text = file.read_text()
        view = project.view(file.as_uri(), 1, text, config=True)
        config = OmegaConf.load(file)
        merged = OmegaConf.merge(config, OmegaConf.from_dotlist(["output_dir=/o/run2"]))
        for overrides, expected_in in (((), config), (("output_dir=/o/run2",), merged)):
            for hint in inlay_hints(view, 0, 100_000, Converter(view.parsed.lines), overrides):
                data = hint.data
                if not isinstance(data, dict) or data.get("kind") != "value":
                    continue
                expected = OmegaConf.select(expected_in, data["path"], throw_on_resolution_failure=True)
                assert data["value"] == shown(expected) and data["type"] == type(expected).__name__, (file, data)
                assert hint.label == label_of(shown(expected)), (file, hint.label)
                checked += 1
                overridden += bool(overrides) and "/o/run2" in data["value"]
    assert checked > 300 and overridden > 150  # most built-ins interpolate output_dir


def test_every_plain_interpolation_of_the_builtins_is_hinted(project: Project) -> None:
    """The other way round: a `${key}` value of a built-in without a resolver gets its hint."""
    missed = []
    for file in builtin_configs():
        view = project.view(file.as_uri(), 1, file.read_text(), config=True)
        hinted = {h.position.line for h in inlay_hints(view, 0, 100_000, Converter(view.parsed.lines))}
        for occ in occurrences(view.parsed.root):
            if not occ.parsed.resolvers and occ.scalar.span.end_line not in hinted:
                missed.append((file.name, occ.path))
    assert missed == []
