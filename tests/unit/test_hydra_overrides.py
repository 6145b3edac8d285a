"""Our parser of Hydra's override grammar equals Hydra 1.3's own: a corpus of valid and invalid overrides
is parsed by Hydra (in its own virtual environment, one subprocess) and by us, and kind, key, package,
value (sweeps: kind and values) and error messages must be the same. Spans and speed are checked
without Hydra."""

from __future__ import annotations

import json
import math
import subprocess
import time
from typing import Any

import pytest

from hydra_parity import HYDRA_PYTHON
from tuneconf.hydra.override_grammar import Parser
from tuneconf.hydra.overrides import (
    Override,
    OverrideError,
    Sweep,
    _build,
    _fast,
    is_sweep_text,
    parse,
    parse_all,
)

# fmt: off
VALID = [
    # primitives
    "a=1", "a=-7", "a=+3", "a=1_000", "a=0", "a=1.5", "a=-0.0", "a=1e-3", "a=1E5", "a=.5", "a=5.", "a=1.5e+2_0",
    "a=inf", "a=-inf", "a=+Inf", "a=nan", "a=NaN", "a=true", "a=True", "a=FALSE", "a=null", "a=NULL", "a=nullx",
    "a=abc", "a=foo-bar_10", "a=/path/to/file.txt", "a=-x", "a=1abc", "a=1.5.3", "a=00.5", "a=infinity",
    "a=-infinity", "a=a:b", "a=:", "a=@", "a=$", "a=%*?|", "a=..", "a=1__0",
    # whitespace and escapes
    "a=b c", "a=  x y  ", "a=1 ", "a=1 2 3", r"a=\,b", r"a=\\", r"a=x\ ", r"a=\(\)\[\]\{\}\:\=", "a=x\\", "a=\\t",
    # quoted strings
    "a='hello world'", 'a="hello world"', "a=''", 'a=""', r"a='it\'s'", r'a="a\"b"', r"a='a\\'", r'a="a\\\\"',
    "a='${x}'", "a='1'", 'a="a,b"', "a='[1,2]'", r"a='\\\''",
    # interpolations
    "a=${b.c}", "a=${oc.env:USER,me}", "a=x${b}y", "a=${b}${c}", "a=$x",
    # lists and dicts
    "a=[]", "a=[1,2,3]", "a=[ ]", "a=[ 1 , 2 ]", "a=[a,[b,[c]]]", "a=['a b',\"c\"]", "a=[null,true,1.5]", "a={}",
    "a={ }", "a={a:1,b:[x,y]}", "a={a b:c d}", "a={1:2}", "a={true:1}", "a={null:1}", "a={a:1,a:2}",
    "a={a:{b:{c:1}}}", "a={k:'v,w'}", "a=[{a:1},{b:2}]", "a={x: 1 , y : 2}",
    # sweeps
    "a=1,2,3", "a=1 , 2", "a=x y,z", "a=[1,2],[3]", "a={a:1},{b:2}", "a='a','b'", "a=choice(1,2)", "a=choice('x', y)",
    "a=choice([1,2],[3])", "a=range(5)", "a=range(1,5)", "a=range(1,10,3)", "a=range(5,0,-1)", "a=range(0,1,0.25)",
    "a=range(0,1,0.1)", "a=range(1,5,0)", "a=range(0,nan)", "a=range(0,inf,0.5)", "a=range(0,100000)",
    "a=range(start=1,stop=3)", "a=range(0.5,2)", "a=interval(0,1)", "a=interval(1.5, 2)", "a=glob(*)",
    "a=glob(include=[a*,b],exclude=c)", "a=glob(x*, exclude=[y*])", "a=sort(3,1,2)",
    "a=sort(choice(3,1,2), reverse=true)", "a=sort(range(5,0,-1))", "a=sort(range(1,5), reverse=true)",
    "a=shuffle(1,2,3)", "a=shuffle(choice(1,2))", "a=shuffle(range(3))", "a=tag(t1,choice(1,2))",
    "a=tag(t1,t2,sweep=range(1,3))", "a=tag(interval(0,1))", "a=choice(int(1,2))", "a=1,choice(2,3)",
    "a=x,choice(2,3)", "a=float(range(1,3))", "a=glob(['q s',\"d\"])",
    # functions that give elements
    "a=int(1.5)", "a=int('3')", "a=float(2)", "a=str(1)", "a=str(true)", "a=bool(1)", "a=bool('False')",
    "a=int([1.5,'2'])", "a=str({a:1})", "a=int(value=3)", "a=sort([3,1,2])", "a=sort(list=[3,1], reverse=true)",
    "a=sort(x)", "a=sort([])", "a=shuffle([1])", "a=shuffle(7)", "a=[choice(1,2)]", "a={k:range(2)}", "a=int (1)",
    # keys
    "a.b.c=1", "model.lr=0.1", "a.1=1", "1.2=3", "$a.b=1", "a-b=1", "_=1", "$=1", "db=mysql", "hydra/launcher=joblib",
    "db/nested=x", "a/b/c=1", "db@pkg=mysql", "db@pkg.sub=x", "a/b@c.d=1", "db@=x", "@=1", "a@$b=1", "=1", "a=",
    "+a=1", "+a.b=[1]", "++a=1", "++db@p=x", "+db/x=y", "~a", "~a=", "~a=1", "~db", "~a.b", "~db@pkg", "~", "~a=1,2",
    "~db@pkg=mysql", "+=1", "++=1",
]
# fmt: on

# fmt: off
INVALID = [
    "", "x", "a", "+a", "+", "++", "+++a=1", "~~a", "~+a", "+~a=1", "~:", "/a=1", ":a=1", "a:b=1", "a:=1", "a b=1",
    " a=1", "a =1", "1=2", "0a=1", "a.b..c=1", "a.=1", "a/=1", "a/b/=1", "~a/", "a/", "a/b.c=1", "a.b/c=1", "a@b@c=1",
    "a@b:c=1", "a@b/c=1", "a@/=1", "~a@b@", "~a@b:", "a==1", "a=1=2", "a=1=", "a=)", "a=(", "a=,", "a=,1", "a=1,",
    "a=1, ", "a=1,)", "a=1)", "a=1,2=", "a=]", "a=[1,2", "a=[1", "a=[1,]", "a=[ , ]", "a=[1]]", "a=[1],", "a=1,[2",
    "a=1,[2,", "a=1,[2,3", "a=[1=2]", "a=1,[a=1]", "a={a:}", "a={:1}", "a={a}", "a={a:1", "a=1,{a:1", "a=1,{a}",
    "a=1,{a:1,}", "a=1,{a:1,b:2", "a=1,{a [1]}", "a={'a':1}", "a={${x}:1}", "a=choice(1", "a=choice(1,",
    "a=1,choice(1", "a=1,f(1,2", "a=1,f(x=)", "a=1,f(x]", "a=f(x]", "a=1,[f(x]", "a=f(x=1,)", "a='x", 'a="x',
    "a='x\\'", "a=b'c", 'a="a" b"', "a='a' 'b'", "a=${x", "a=${a.${b}}", "a=#", "a=é", "a=1\n", "a=foo(1)",
    "a=foo (1)", "a=range(a)", "a=choice()", "a=choice(choice(1,2))", "a=choice(a=1)", "a=choice(x=1,2)",
    "a=choice(null)", "a=range(1,2,3,4)", "a=glob()", "a=glob(1)", "a=glob(x,y,z)", "a=range(1,x=2)",
    "a=range(1,start=2)", "a=sort(reverse=1)", "a=int(glob(*))", "a=interval(a,b)", "a=tag(1,choice(1))", "a=tag(a)",
    "a=tag()", "a=shuffle(list=1)", "a=str(interval(1,2))", "a=int(a)", "a=bool(x)", "a=sort(1,'b')", "a=sort([1,b])",
    "a=sort()", "a=str(range(1,3))", "a=bool(range(1,3))", "a=int(1,value=2)", "a=int()", "a=int(value=null)",
    "a=http://x.org/a?b=1", "a='x' ", "a=${}", "a=choice(1,2)(3)", "a=[foo(1)]", "a=x,foo(1)", "a=f(g(x=1,2))",
    "a=sort(1,['x'])", "a=++=1",
]
# fmt: on

KINDS = {"change": "CHANGE", "add": "ADD", "force_add": "FORCE_ADD", "delete": "DEL"}

HYDRA_SCRIPT = r"""
import itertools, json, sys
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import ChoiceSweep, Glob, IntervalSweep, QuotedString, RangeSweep

def norm(v):
    if isinstance(v, QuotedString):
        return v.text
    if isinstance(v, float):
        return {"float": repr(v)}
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, list):
        return [norm(x) for x in v]
    if isinstance(v, dict):
        return {"dict": [[norm(k), norm(x)] for k, x in v.items()]}
    if isinstance(v, ChoiceSweep):
        return {"sweep": "list" if v.simple_form else "choice", "values": [norm(x) for x in v.list],
                "tags": sorted(v.tags), "shuffle": v.shuffle}
    if isinstance(v, RangeSweep):
        try:  # as many values as we list; "unlistable" where Hydra fails to enumerate them
            values = [norm(x) for x in itertools.islice(v.range(), 10000)]
        except Exception:
            values = "unlistable"
        return {"sweep": "range", "values": values, "tags": sorted(v.tags),
                "shuffle": v.shuffle, "bounds": [norm(v.start), norm(v.stop), norm(v.step)]}
    if isinstance(v, IntervalSweep):
        return {"sweep": "interval", "values": [norm(v.start), norm(v.end)], "tags": sorted(v.tags)}
    if isinstance(v, Glob):
        return {"sweep": "glob", "values": norm(list(v.include)), "exclude": norm(list(v.exclude))}
    raise TypeError(type(v))

parser = OverridesParser.create()
out = []
for text in json.load(sys.stdin):
    try:
        o = parser.parse_overrides([text])[0]
    except Exception as e:
        out.append({"ok": False, "error": type(e).__name__, "message": str(e)})
        continue
    out.append({"ok": True, "type": o.type.name, "key": o.key_or_group, "package": o.package, "value": norm(o.value())})
print(json.dumps(out))
"""


def norm(v: Any) -> Any:
    """Our values in the JSON form the Hydra script gives Hydra's."""
    if isinstance(v, float):
        return {"float": repr(v)}
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, list):
        return [norm(x) for x in v]
    if isinstance(v, dict):
        return {"dict": [[norm(k), norm(x)] for k, x in v.items()]}
    assert isinstance(v, Sweep), type(v)
    values: Any = [norm(x) for x in v.values] if v.complete or v.values else "unlistable"
    out: dict[str, Any] = {"sweep": v.kind, "values": values}
    if v.kind in ("list", "choice", "range", "interval"):
        out["tags"] = sorted(v.tags)
    if v.kind in ("list", "choice", "range"):
        out["shuffle"] = v.shuffle
    if v.kind == "range":
        assert v.bounds is not None
        out["bounds"] = [norm(x) for x in v.bounds]
    if v.kind == "glob":
        out["exclude"] = norm(list(v.exclude))
    return out


def ours(text: str) -> dict[str, Any]:
    try:
        o = parse(text)
    except OverrideError as e:
        return {"ok": False, "message": e.hydra_message}
    value = norm(o.sweep) if o.sweep is not None else norm(o.value)
    return {"ok": True, "type": KINDS[o.kind], "key": o.key, "package": o.package, "value": value}


@pytest.fixture(scope="module")
def hydra_results() -> dict[str, dict[str, Any]]:
    if not HYDRA_PYTHON.exists():
        pytest.skip(".venv-hydra (Hydra 1.3 for the parity test) is not installed: make setup")
    corpus = VALID + INVALID
    run = subprocess.run(
        [str(HYDRA_PYTHON), "-c", HYDRA_SCRIPT], input=json.dumps(corpus), capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    return dict(zip(corpus, json.loads(run.stdout)))


def test_the_corpus_is_large_and_sorted_right(hydra_results: dict[str, dict[str, Any]]) -> None:
    assert len(VALID) + len(INVALID) >= 120
    assert len(set(VALID + INVALID)) == len(VALID) + len(INVALID)
    wrong = [t for t in VALID if not hydra_results[t]["ok"]] + [t for t in INVALID if hydra_results[t]["ok"]]
    assert wrong == []


@pytest.mark.parametrize("text", VALID)
def test_valid_overrides_parse_as_in_hydra(text: str, hydra_results: dict[str, dict[str, Any]]) -> None:
    assert ours(text) == hydra_results[text]


@pytest.mark.parametrize("text", INVALID)
def test_invalid_overrides_fail_with_hydras_message(text: str, hydra_results: dict[str, dict[str, Any]]) -> None:
    theirs = hydra_results[text]
    assert theirs["error"] == "OverrideParseException"
    assert ours(text) == {"ok": False, "message": theirs["message"]}


@pytest.mark.parametrize("text", VALID)
def test_the_fast_path_agrees_with_the_full_parser(text: str) -> None:
    fast = _fast(text)
    if fast is not None:
        assert repr(fast) == repr(_build(text, Parser(text).parse()))


def test_spans_of_key_package_and_value() -> None:
    o = parse("+db@backup.main=mysql")
    assert (o.kind, o.key, o.package) == ("add", "db", "backup.main")
    assert o.key_span == (1, 3) and o.package_span == (4, 15) and o.value_text() == "mysql"
    o = parse("model.lr=0.001")
    assert o.key_span == (0, 8) and o.value_span == (9, 14) and o.value == 0.001
    o = parse("a=  x y  ")
    assert o.value == "x y" and o.value_text() == "x y" and o.value_span == (4, 7)
    o = parse(r"a=x\ ")
    assert o.value == "x " and o.value_text() == r"x\ "
    o = parse("~hydra/launcher")
    assert (o.kind, o.key, o.value) == ("delete", "hydra/launcher", None)
    assert o.key_span == (1, 15) and o.value_span == (15, 15) and o.value_text() == ""
    o = parse("a=[1, {b: '2'}]")
    assert o.value == [1, {"b": "2"}] and o.value_text() == "[1, {b: '2'}]"
    o = parse("lr=0.1,0.01")
    assert o.value is None and o.sweep == Sweep("list", (0.1, 0.01), "0.1,0.01")


def test_errors_say_where() -> None:
    cases = {"a=[1,2": 6, "x": 1, "a b=1": 1, "a=1,)": 4, "a=foo(1)": 2, "a.b..c=1": 3, "a=1=2": 3}
    for text, column in cases.items():
        with pytest.raises(OverrideError) as info:
            parse(text)
        assert info.value.column == column, text
    with pytest.raises(OverrideError, match=r"^Error parsing override 'a=\[1,2'\nmissing|^no viable"):
        parse("a=[1,2")


def test_parse_all_and_sweep_test() -> None:
    good, bad = parse_all(["a=1", "b", "c=[", "+d=x"])
    assert [o.key for o in good] == ["a", "d"] and [i for i, _ in bad] == [1, 2]
    assert bad[0][1].message == "Error parsing override 'b'\nmissing EQUAL at '<EOF>'"
    assert [is_sweep_text(t) for t in ("a=1,2", "a=[1,2]", "a=range(3)", "a=int(2)", "a=1", "a=1,")] == [
        True,
        False,
        True,
        False,
        False,
        False,
    ]


def test_ranges_are_listed_like_hydras_and_bounded() -> None:
    tenths = parse("a=range(0,1,0.1)").sweep  # summed as decimals of the binary floats, as Hydra does
    assert tenths is not None and tenths.values[6:8] == (0.6, 0.7000000000000001) and len(tenths.values) == 10
    big = parse("a=range(0,100000000)").sweep
    assert big is not None and len(big.values) == 10_000 and not big.complete
    zero = parse("a=range(1,5,0)").sweep
    assert zero is not None and zero.values == () and not zero.complete
    assert math.isinf(parse("a=-inf").value) and math.isnan(parse("a=nan").value)


def test_a_simple_override_parses_in_under_50_microseconds() -> None:
    def best(text: str) -> float:
        times = []
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(200):
                parse(text)
            times.append((time.perf_counter() - start) / 200)
        return min(times)

    assert best("model.lr=0.001") < 50e-6
    assert best("optimizer.betas=[0.9,0.999]") < 500e-6  # the full parser, for scale


def test_results_are_plain_data() -> None:
    o = parse("a=choice('x',[1,2])")
    assert isinstance(o, Override) and o.sweep is not None
    assert o.sweep.values == ("x", [1, 2]) and o.sweep.kind == "choice"
