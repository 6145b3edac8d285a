"""Every regex in tuneconf runs in linear time on any text: timed on adversarial texts of growing size,
the time at 8× the size must stay within a generous multiple of 8× the time at the base size.

The patterns are found, not listed: each module's `re.Pattern` attributes, the literal patterns passed to
`re.compile/search/sub/...` inside functions (read from the source), and the patterns built from
settings (`BUILT`). A new pattern is covered without touching this file.

Each is run with finditer over the whole text, as a search would: a pattern used whole (match, fullmatch)
may start with `^`, so that trying it at every position is linear too."""

from __future__ import annotations

import ast
import gc
import importlib
import pkgutil
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import tuneconf
from tuneconf.document.components import key_pattern
from tuneconf.project import dotpath_pattern
from tuneconf.recipes.registry import tune_runs
from tuneconf.settings import Settings

SETTINGS = Settings()
BUILT = {
    "components.key_pattern": key_pattern(SETTINGS.component_keys[0]),
    "project.dotpath_pattern": dotpath_pattern(SETTINGS.component_keys + SETTINGS.dotpath_keys),
}
"""Patterns made at run time from settings, with the default settings."""

FAMILIES: list[tuple[str, str, str]] = [
    # (prefix, unit repeated n times, suffix): what makes a regex backtrack. Blank lines and whitespace
    # for `^\s*` under MULTILINE; comment lines and `# tune run` headers of value-less flags for headers;
    # interpolations and dotted names; keys and list dashes for line patterns.
    ("", "\n", ""),
    ("", " ", ""),
    ("", "\t", ""),
    ("", " \t\n", "x"),
    ("", "\r\n", ""),
    ("", "#\n", ""),
    ("", "# \n", ""),
    ("", "#", ""),
    ("", " #", "\n"),
    ("# tune run", " --a", ""),
    ("# tune run", " --a", " r"),
    ("# tune run", " --a", " r --confi"),
    ("# tune run", " --a=1 b", " r --confi"),
    ("# tune run r", " --a", ""),
    ("", "# tune run\n", ""),
    ("#", " tune run", " r"),
    ("", "${", ""),
    ("", "${a", ""),
    ("${", "a.", ""),
    ("${", ".", ""),
    ("${", "a", ""),
    ("", "a.", ""),
    ("", "a.b ", ""),
    ("", "a", " "),
    ("a", " ", "x"),
    ("a", " ", ""),
    ("a", " ", ":x"),
    ("", "- ", "x!"),
    ("", "-", ""),
    ("", "a:", ""),
    ("", ": ", ""),
    ("", "a: ", "\n"),
    ("", "'", ""),
    ("", '"', ""),
    ("", "\\", ""),
    ("", "```\n", ""),
    ("", "a(", ""),
    ("", "_component_ ", ""),
    ("", "_component_:\n", ""),
]
MAX_CHARS = 8192
ENOUGH_S = 0.02
"""A series stops growing once one run takes this long: super-linear growth is plain by then."""
SIZE_STEP = 8
FACTOR = 3.0
"""Allowed: time(8n) <= FACTOR · 8 · time(n). Quadratic gives ~64×, exponential far more."""
FLOOR_S = 1e-5
"""Times below this are the cost of the call, not of the text."""

_FLAGS_AT = {"compile": 1, "search": 2, "match": 2, "fullmatch": 2, "finditer": 2, "findall": 2, "split": 3, "sub": 4}


def _modules() -> Iterator[object]:
    for info in pkgutil.walk_packages(tuneconf.__path__, "tuneconf."):
        if not info.name.endswith("__main__"):  # runs the CLI when imported
            yield importlib.import_module(info.name)


def _flags(node: ast.expr | None) -> int:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "re":
        return int(getattr(re, node.attr))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _flags(node.left) | _flags(node.right)
    return 0


def _inline(source: str) -> Iterator[tuple[str, re.Pattern[str] | re.Pattern[bytes]]]:
    """The literal patterns given to re's functions in `source` (a module's), with their flags."""
    for node in ast.walk(ast.parse(source)):
        func = node.func if isinstance(node, ast.Call) else None
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "re"):
            continue
        assert isinstance(node, ast.Call)
        if func.attr not in _FLAGS_AT or not node.args or not isinstance(node.args[0], ast.Constant):
            continue
        at = _FLAGS_AT[func.attr]
        flags = next((k.value for k in node.keywords if k.arg == "flags"), None)
        flags = flags or (node.args[at] if len(node.args) > at else None)
        yield f"line {node.lineno}", re.compile(node.args[0].value, _flags(flags))


def _patterns() -> dict[str, re.Pattern[str] | re.Pattern[bytes]]:
    """name → pattern, each pattern once, named by its module attribute where it has one."""
    found: dict[tuple[object, int], str] = {}
    inline: list[tuple[str, re.Pattern[str] | re.Pattern[bytes]]] = []
    for module in _modules():
        name = module.__name__.removeprefix("tuneconf.")  # type: ignore[attr-defined]
        for attr, value in vars(module).items():
            if isinstance(value, re.Pattern):
                found.setdefault((value.pattern, value.flags), f"{name}.{attr}")
        source = Path(module.__file__).read_text(encoding="utf-8")  # type: ignore[attr-defined]
        inline.extend((f"{name} {where}", pattern) for where, pattern in _inline(source))
    for name, pattern in [*inline, *BUILT.items()]:
        found.setdefault((pattern.pattern, pattern.flags), name)
    return {name: re.compile(source, flags) for (source, flags), name in found.items()}  # type: ignore[call-overload]


PATTERNS = _patterns()


def _own_families(pattern: re.Pattern[str] | re.Pattern[bytes]) -> list[tuple[str, str, str]]:
    """Runs of the pattern's own literal characters and words, alone and spaced."""
    source = pattern.pattern if isinstance(pattern.pattern, str) else pattern.pattern.decode("latin-1")
    chars = sorted({c for c in re.sub(r"\\[A-Za-z]", "", source) if c.isprintable() and not c.isalnum()})
    words = sorted(set(re.findall(r"(?<!\\)[A-Za-z_]{2,}", source)))
    return [("", unit, "") for token in chars + words for unit in (token, token + " ")]


def _time(pattern: re.Pattern[str] | re.Pattern[bytes], text: str, repeats: int) -> float:
    subject = text.encode() if isinstance(pattern.pattern, bytes) else text
    best = float("inf")
    spent = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        for _match in pattern.finditer(subject):  # type: ignore[arg-type]
            pass
        took = time.perf_counter() - start
        best = min(best, took)
        spent += took
        if spent > 0.2:  # a long run is not noise: once is enough
            break
    return best


def _growth(pattern: re.Pattern[str] | re.Pattern[bytes], make: Callable[[int], str]) -> tuple[float, int]:
    """(time at the largest size / time at an 8th of it, largest n), the size grown until it is
    MAX_CHARS long or slow enough to tell."""
    n = 1
    while True:
        text = make(n)
        if len(text) >= MAX_CHARS or (n >= SIZE_STEP and _time(pattern, text, 1) > ENOUGH_S):
            break
        n *= 2
    big = _time(pattern, make(n), 5)
    small = _time(pattern, make(n // SIZE_STEP), 5)
    return max(big, FLOOR_S) / max(small, FLOOR_S), n


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_every_regex_is_linear_on_adversarial_text(name: str) -> None:
    pattern = PATTERNS[name]
    slow: list[str] = []
    gc.disable()  # a collection in one timing is noise
    try:
        for prefix, unit, suffix in FAMILIES + _own_families(pattern):
            ratio, n = _growth(pattern, lambda n, p=prefix, u=unit, s=suffix: p + u * n + s)  # type: ignore[misc]
            if ratio > FACTOR * SIZE_STEP:
                slow.append(f"{prefix!r} + {unit!r} * {n} + {suffix!r}: {ratio:.0f}× the time at 1/{SIZE_STEP}")
    finally:
        gc.enable()
    assert not slow, f"{name} = {pattern.pattern!r} grows super-linearly on:\n" + "\n".join(slow)


def test_the_patterns_are_found_in_modules_in_functions_and_in_settings() -> None:
    assert {"recipes.registry._TUNE_RUN", "document.components._TUNE_RUN", *BUILT} <= set(PATTERNS)
    source = "import re\ndef f(t):\n    return re.sub(r'a\\s*', '', t, 0, re.M | re.ASCII), re.match('b', t)\n"
    found = sorted((p.pattern, p.flags) for _, p in _inline(source))
    assert found == [(r"a\s*", re.M | re.A), ("b", re.U)]


@pytest.mark.parametrize(
    ("header", "runs"),
    [
        ("# tune run --nproc_per_node 8 full_dist --config llama3/8B_full\n", [("full_dist", "llama3/8B_full")]),
        ("#  e.g. tune run --standalone --nnodes=1 r.py --config=c.yaml  \n", [("r.py", "c.yaml")]),
        ("# see tune run --help; tune run lora --config c\n", [("lora", "c")]),
        ("# tune run lora c.yaml\n# tune run a b --config c\nx: 1  # tune run lora --config c\n", []),
        ("\n\n  # tune run a --config b\n# tune run\n# c --config d\n", [("a", "b")]),
    ],
)
def test_the_tune_run_header_is_read_in_one_pass_as_the_old_regex_read_it(
    header: str, runs: list[tuple[str, str]]
) -> None:
    """The header's regex took 2^flags steps over value-less flags; its replacement reads the same."""
    assert tune_runs(header) == runs
