"""Semantic tokens in process: what each token covers and is, decoded from the LSP integers; columns in
UTF-16; no token on text we cannot place; deltas that turn the last result into the next."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from lsprotocol import types

from token_samples import EXTRA, Decoded, extra_tokens
from tuneconf.context import AnalysisContext
from tuneconf.document.parse import parse
from tuneconf.document.positions import Encoding
from tuneconf.features.semantic_tokens import (
    FUNCTION,
    TOKEN_MODIFIERS,
    TOKEN_TYPES,
    Sections,
    document_tokens,
    semantic_tokens,
)
from tuneconf.features.token_delta import TokenResults, token_edit
from tuneconf.index.records import Resolution, Status, Symbol
from tuneconf.project import Project
from tuneconf.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "configs" / "llama3_2_1b_lora.yaml"


def decode(data: list[int], lines: list[str]) -> list[Decoded]:
    """(line, covered text, type, modifiers) per token, from LSP's relative integers (code point columns:
    the texts used here are ASCII unless a test says otherwise)."""
    assert len(data) % 5 == 0
    found: list[Decoded] = []
    line = start = 0
    for i in range(0, len(data), 5):
        delta, offset, length, kind, mods = data[i : i + 5]
        line, start = line + delta, (start + offset if delta == 0 else offset)
        names = tuple(m for bit, m in enumerate(TOKEN_MODIFIERS) if mods >> bit & 1)
        found.append((line, lines[line][start : start + length], TOKEN_TYPES[kind], names))
    return found


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return Project(Settings(), [], cache_dir=tmp_path_factory.mktemp("cache"))


def tokens_of(project: Project, text: str, uri: str = "file:///tmp/cfg.yaml") -> list[Decoded]:
    view = project.view(uri, 1, text)
    data = semantic_tokens(view.parsed, view.ctx, view.findings(), Encoding.UTF16)
    return decode(data, view.parsed.lines)


def test_a_real_config_with_every_kind_of_token(project: Project) -> None:
    real = REAL.read_text()
    found = tokens_of(project, real + EXTRA)
    at = len(real.splitlines())
    line_of = {text: n for n, text in enumerate(real.splitlines())}
    model = line_of["  _component_: torchtune.models.llama3_2.lora_llama3_2_1b"]
    optimizer = line_of["  _component_: torch.optim.AdamW"]
    checkpointer = line_of["  _component_: torchtune.training.FullModelHFCheckpointer"]
    output_dir = line_of["  output_dir: ${output_dir}"]
    assert [t for t in found if t[0] in (model, optimizer, checkpointer, output_dir)] == [
        (model, "torchtune", "namespace", ()),
        (model, "models", "namespace", ()),
        (model, "llama3_2", "namespace", ()),
        (model, "lora_llama3_2_1b", "function", ()),
        (checkpointer, "torchtune", "namespace", ()),
        (checkpointer, "training", "namespace", ()),
        (checkpointer, "FullModelHFCheckpointer", "class", ()),
        (output_dir, "${", "operator", ()),
        (output_dir, "output_dir", "property", ()),
        (output_dir, "}", "operator", ()),
        (optimizer, "torch", "namespace", ()),
        (optimizer, "optim", "namespace", ()),
        (optimizer, "AdamW", "class", ()),
    ]
    # the recipe (named by the header's `tune run` line) never reads the added top-level keys
    assert [t for t in found if t[0] >= at] == extra_tokens(at)
    assert ("home", "property") not in {(t[1], t[2]) for t in found if t[0] < at}  # no token on other keys


def tokens_in(text: str, ctx: AnalysisContext | None = None) -> list[Decoded]:
    doc = parse(text)
    return decode(semantic_tokens(doc, ctx or AnalysisContext(), [], Encoding.UTF16), doc.lines)


def test_interpolations_keys_resolvers_and_private_segments() -> None:
    text = "a:\n  _b: 1\nc: 'x ${a._b} ${my.res:1,${a._b}} ?'\nd: \"???\"\ne: ${..a}\n"
    assert tokens_in(text) == [
        (2, "${", "operator", ()),
        (2, "a", "property", ()),
        (2, "_b", "property", ("private",)),
        (2, "}", "operator", ()),
        (2, "${", "operator", ()),
        (2, "my.res", "function", ()),
        (2, "${", "operator", ()),
        (2, "a", "property", ()),
        (2, "_b", "property", ("private",)),
        (2, "}", "operator", ()),
        (2, "}", "operator", ()),
        (3, "???", "keyword", ()),
        (4, "${", "operator", ()),
        (4, "a", "property", ()),
        (4, "}", "operator", ()),
    ]


def test_dotpaths_by_what_the_index_says() -> None:
    text = "m:\n  _component_: pkg._mod.Thing\nn:\n  _component_: pkg.nope.Thing\n"
    # not known yet: the segments on the way only (the last one is told apart once the index knows it)
    assert [(t[1], t[2]) for t in tokens_in(text)] == [("pkg", "namespace"), ("_mod", "namespace")] + [
        ("pkg", "namespace"),
        ("nope", "namespace"),
    ]

    def resolver(dotpath: str) -> Resolution:
        if dotpath == "pkg._mod.Thing":
            return Resolution(dotpath, Status.OK, Symbol(dotpath, dotpath, "class", True))
        return Resolution(dotpath, Status.UNKNOWN_MODULE, segment=1)

    ctx = AnalysisContext(resolver=resolver)
    assert tokens_in(text, ctx) == [
        (1, "pkg", "namespace", ()),
        (1, "_mod", "namespace", ("private",)),
        (1, "Thing", "class", ()),
        (3, "pkg", "namespace", ()),  # found; "nope" is not (its diagnostic says so)
    ]
    assert ctx.pending == set()
    waiting = AnalysisContext()
    tokens_in(text, waiting)
    assert waiting.pending == {"pkg._mod.Thing", "pkg.nope.Thing"}  # resolved in the background


@pytest.mark.parametrize(
    "text",
    [
        "a: |\n  ${b}\n",  # block scalar
        'a: "x\\t${b}"\n',  # an escape: offsets differ from columns
        "a: ${b}\n  ${c}\n",  # a plain scalar over two lines
        "m:\n  _component_: 'pkg.\n    mod'\n",
        "m:\n  _component_: not a dotpath\n",
        "a: ${b\n",  # not an interpolation OmegaConf reads
        "a: ['???x', 1, '??']\n",
    ],
)
def test_no_token_on_text_that_cannot_be_placed(text: str) -> None:
    assert tokens_in(text) == []


def test_columns_in_utf16_after_an_emoji() -> None:
    doc = parse("a: 1\nb: 😀 ${a}\n")
    assert semantic_tokens(doc, AnalysisContext(), [], Encoding.UTF16) == [1, 6, 2, 4, 0, 0, 2, 1, 3, 0, 0, 1, 1, 4, 0]
    assert semantic_tokens(doc, AnalysisContext(), [], Encoding.UTF32)[:2] == [1, 5]
    assert semantic_tokens(doc, AnalysisContext(), [], Encoding.UTF8)[:2] == [1, 8]


def test_sections_reused_moved_and_kept_only_once_known() -> None:
    sections = Sections()
    text = "a: ${b}\nb: ???\nm:\n  _component_: pkg.mod.Thing\n"
    waiting = AnalysisContext()
    assert len(document_tokens(parse(text), waiting, [], sections)) == 6  # Thing: not known yet
    known = AnalysisContext(resolver=lambda d: Resolution(d, Status.OK, Symbol(d, d, "function", True)))
    moved = parse("# new line\n" + text.replace("???", "1"))
    fresh = document_tokens(moved, known, [])
    assert document_tokens(moved, known, [], sections) == fresh  # moved down, and Thing now known
    assert (fresh[-1].line, fresh[-1].start, fresh[-1].type) == (4, 23, FUNCTION)
    assert document_tokens(moved, AnalysisContext(), [], sections) == fresh  # kept, once known


def apply(old: list[int], start: int, delete: int, data: list[int]) -> list[int]:
    return old[:start] + data + old[start + delete :]


def test_token_edit_turns_the_old_array_into_the_new() -> None:
    rng = random.Random(17)
    for _ in range(300):
        old = [rng.randrange(4) for _ in range(5 * rng.randrange(8))]
        new = list(old)
        for _ in range(rng.randrange(3)):
            at = 5 * rng.randrange(len(new) // 5 + 1)
            new[at:at] = [rng.randrange(4) for _ in range(5)]
        if new and rng.random() < 0.5:
            new[rng.randrange(len(new))] = 9
        edit = token_edit(old, new)
        if edit is None:
            assert old == new
            continue
        assert edit.start % 5 == 0 and edit.delete % 5 == 0 and len(edit.data) % 5 == 0
        assert apply(old, edit.start, edit.delete, edit.data) == new


def test_deltas_from_the_last_result_only() -> None:
    results = TokenResults(kept=2)
    first = results.full("u", [0, 1, 2, 3, 0, 1, 1, 2, 3, 0])
    delta = results.delta("u", first.result_id or "", [0, 1, 2, 3, 0, 2, 1, 2, 3, 0])
    assert isinstance(delta, types.SemanticTokensDelta) and delta.result_id != first.result_id
    assert [(e.start, e.delete_count, e.data) for e in delta.edits] == [(5, 5, [2, 1, 2, 3, 0])]
    same = results.delta("u", delta.result_id or "", [0, 1, 2, 3, 0, 2, 1, 2, 3, 0])
    assert isinstance(same, types.SemanticTokensDelta) and same.edits == []
    again = results.delta("u", first.result_id or "", [])  # not the last result sent: a full answer
    assert isinstance(again, types.SemanticTokens) and again.data == [] and again.result_id is not None
    results.full("v", [])
    results.full("w", [])  # "u" is forgotten: two documents kept
    assert isinstance(results.delta("u", again.result_id, [1, 1, 1, 1, 1]), types.SemanticTokens)
