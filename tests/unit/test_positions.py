"""Code points inside, client units at the boundary: emoji and CJK before a key."""

from __future__ import annotations

import pytest
from lsprotocol import types

from tuneconf.document.parse import parse
from tuneconf.document.positions import Converter, Encoding, from_client, to_client


@pytest.mark.parametrize(
    ("line", "col", "utf16", "utf8"),
    [
        ("abc: 1", 3, 3, 3),
        ("😀: 1", 1, 2, 4),  # one code point, two UTF-16 units, four bytes
        ("你好: 1", 2, 2, 6),
        ("x: 😀😀 # 你", 7, 9, 13),
    ],
)
def test_columns_convert_both_ways(line: str, col: int, utf16: int, utf8: int) -> None:
    assert to_client(line, col, Encoding.UTF16) == utf16
    assert to_client(line, col, Encoding.UTF8) == utf8
    assert to_client(line, col, Encoding.UTF32) == col
    assert from_client(line, utf16, Encoding.UTF16) == col
    assert from_client(line, utf8, Encoding.UTF8) == col


def test_a_key_after_an_emoji_gets_its_utf16_range() -> None:
    doc = parse("😀x: 1\n你好: {😀: 2}\n")
    conv = Converter(doc.lines, Encoding.UTF16)
    assert doc.mapping is not None
    first = doc.mapping.pairs[0]
    assert conv.range(first.key.span) == types.Range(types.Position(0, 0), types.Position(0, 3))
    inner = doc.mapping.value_of("你好")
    assert inner is not None
    assert conv.range(inner.span) == types.Range(types.Position(1, 4), types.Position(1, 11))
    assert conv.from_position(types.Position(1, 6)) == (1, 5)


def test_positions_past_the_line_end_stay_monotonic() -> None:
    assert to_client("😀", 3, Encoding.UTF16) == 4
    assert from_client("😀", 5, Encoding.UTF16) == 4
