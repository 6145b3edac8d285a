"""The document model: spans of keys and values, tolerant parsing, sections."""

from __future__ import annotations

import pytest

from text_marks import unmark
from tuneconf.document.parse import ParsedConfig, _parse_whole, _section_starts, parse
from tuneconf.document.tolerant import split_lines
from tuneconf.document.tree import Mapping, Scalar, Sequence, Span, deref, walk


def spans_of(text: str) -> list[Span]:
    doc = parse(text)
    assert doc.root is not None
    return sorted((n.span for n in walk(doc.root) if isinstance(n, Scalar)), key=lambda s: (s.start, s.end))


@pytest.mark.parametrize(
    "marked",
    [
        "«a»: «1»\n«b»: «x y»\n",
        "«model»:\n  «_component_»: «torchtune.models.llama3_2.lora_llama3_2_1b»\n  «lora_rank»: «64»  # c\n",
        "«lst»: [«q_proj», «'v_proj'»]\n«d»: {«k»: «v»}\n",
        "«nested»:\n  «deep»:\n    «deeper»:\n      - «a»\n      - «k»: «v»\n",
        '«s»: «"quoted: yes"»\n«t»: «|\n  block\n  text»\n\n«u»: «>\n  folded»\n',
        "«😀»: «1»\n«你好»: «世界»\n",
        "«e»:«»\n«f»: «2»\n",
    ],
)
def test_every_key_and_value_has_its_exact_span(marked: str) -> None:
    text, expected, _ = unmark(marked)
    assert spans_of(text) == expected


def test_collections_span_from_first_child_to_last_and_flow_ones_include_brackets() -> None:
    text, (flow, block), _ = unmark("a: «[1, 2]»\nb:\n  «x: 1\n  y: 2»\n")
    doc = parse(text)
    assert doc.mapping is not None
    assert doc.mapping.value_of("a").span == flow  # type: ignore[union-attr]
    assert doc.mapping.value_of("b").span == block  # type: ignore[union-attr]


def test_multiline_flow_list_keeps_positions_of_later_sections() -> None:
    text, spans, _ = unmark("ck:\n  files: [\n     «model.safetensors»\n  ]\n«epochs»: «1»\n")
    assert [s for s in spans_of(text) if s in spans] == spans


@pytest.mark.parametrize(
    ("marked", "survivors"),
    [
        ("opt:\n  x: 1\n  «lr»\n  wd: 2\nz: 1\n", ["opt", "z"]),
        ("a: «[»x, y\nb: 1\n", ["b"]),
        ("a: «'x»\nb: 1\nc: 2\n", ["b", "c"]),
        ("a: 1\n«epo»\nb: 2\n", ["a", "b"]),
        ("opt:\n«\t»x: 1\nz: 1\n", ["opt", "z"]),
        ("a: 1\nb: «-» x\nc: 3\n", ["a", "c"]),
        ("a: «{»x: 1\nb: 1\n", ["b"]),
    ],
)
def test_a_syntax_error_is_reported_and_the_rest_keeps_its_tree(marked: str, survivors: list[str]) -> None:
    text, (where,), _ = unmark(marked)
    doc = parse(text)
    assert [p.span for p in doc.syntax] == [where]
    assert doc.mapping is not None
    assert doc.mapping.names() == survivors


def test_two_broken_sections_give_two_errors() -> None:
    text, spans, _ = unmark("a: «[»1\nb: 2\nc: «'x»\nd: 4\n")
    doc = parse(text)
    assert [p.span for p in doc.syntax] == spans
    assert doc.mapping is not None and doc.mapping.names() == ["b", "d"]


def test_tolerant_parse_is_bounded_on_garbage() -> None:
    doc = parse("]]]: [[[\n" * 50 + "{{{: '\n" * 50)
    assert doc.syntax


def test_sections_that_do_not_stand_alone_fall_back_to_a_full_parse() -> None:
    # An alias to another section, and a flow list that goes on at column 0.
    doc = parse("base: &b {lr: 1}\nopt: *b\nlst: [1,\n2]\n")
    assert not doc.syntax
    opt = deref(doc.mapping.value_of("opt"))  # type: ignore[union-attr]
    assert isinstance(opt, Mapping) and opt.names() == ["lr"]
    lst = doc.mapping.value_of("lst")  # type: ignore[union-attr]
    assert isinstance(lst, Sequence) and len(lst.items) == 2


def shape(doc: ParsedConfig) -> list[tuple[object, ...]]:
    """Every node's kind, span and scalar value (nodes compare by identity)."""
    assert doc.root is not None
    return [(type(n).__name__, n.span, n.value if isinstance(n, Scalar) else None) for n in walk(doc.root)]


def test_sectioned_parse_equals_full_parse_after_edits() -> None:
    base = "a: 1\nmodel:\n  _component_: x.y\n  rank: 8\nlist:\n  - 1\n  - 2\nz: end\n"
    parse(base)  # caches its sections; the edits below reuse the unchanged ones, moved to their new lines
    edits = [
        base.replace("rank: 8", "rank: 16\n  alpha: 32"),
        base.replace("a: 1\n", ""),
        base.replace("  - 2\n", "") + "w: 0\n",
    ]
    for text in edits:
        lines = split_lines(text)
        starts = _section_starts(text)
        assert starts is not None and len(starts) > 1  # parse() takes the sectioned path
        assert shape(parse(text)) == shape(_parse_whole(text, lines))
    edited = parse(edits[0])
    assert edited.mapping is not None
    z = edited.mapping.get("z")
    assert z is not None and z.key.span == Span(8, 0, 8, 1)
    model = edited.mapping.value_of("model")
    assert isinstance(model, Mapping) and model.names() == ["_component_", "rank", "alpha"]


def test_bom_crlf_and_empty_documents() -> None:
    assert parse("\ufeffa: 1\n").mapping.names() == ["a"]  # type: ignore[union-attr]
    crlf = parse("a: 1\r\nb:\r\n  c: 2\r\n")
    assert crlf.mapping is not None and crlf.mapping.get("b").key.span == Span(1, 0, 1, 1)  # type: ignore[union-attr]
    assert parse("").root is None and not parse("").syntax
    assert parse("# only a comment\n").root is None


def test_deep_nesting_is_cut_without_recursion_errors() -> None:
    doc = parse("a: " + "[" * 900 + "]" * 900 + "\n")
    assert doc.max_depth > 70
    assert doc.syntax == []
