"""A recursive-descent parser of one Hydra command-line override (`OverrideParser.g4` of Hydra 1.3),
with ANTLR's error reporting reproduced so that a bad override fails with Hydra's own message.

ANTLR's behaviour that decides the message, reproduced here:
- `value: element | simpleChoiceSweep` is predicted by looking through the whole first element, so
  any error inside the first element is "no viable alternative at input '<value up to the token>'";
- a failed `match` first tries deleting the token ("extraneous input", when the next one fits), then
  inserting the expected one ("missing X at", when the token can follow it), else "mismatched input";
- `sync` before optional blocks and loops does the same with the set the block expects, and at a
  loop's end reports the token as extraneous at once;
- errors found by token deletion/insertion carry Hydra's "Error parsing override '...'" prefix,
  recognition exceptions do not; tokens are lexed only as far as the parser looks.
The parse gives a tree whose function calls are evaluated afterwards (as Hydra's visitor does).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tuneconf.hydra.override_functions import Quote, QuotedString
from tuneconf.hydra.override_lexer import (
    AT,
    BOOL,
    BRACE_CLOSE,
    BRACE_OPEN,
    BRACKET_CLOSE,
    BRACKET_OPEN,
    COLON,
    COMMA,
    DOT_PATH,
    EOF,
    EQUAL,
    ESC,
    FLOAT,
    ID,
    INT,
    INTERPOLATION,
    KEY_SPECIAL,
    NULL,
    PCLOSE,
    PLUS,
    POPEN,
    QUOTED_VALUE,
    SLASH,
    TILDE,
    UNQUOTED_CHAR,
    WS,
    LexerError,
    Token,
    TokenStream,
    expected_text,
)

_DICT_KEY = frozenset({FLOAT, INT, BOOL, NULL, UNQUOTED_CHAR, ID, ESC, WS})
_PRIMITIVE = _DICT_KEY | {COLON, INTERPOLATION}
_ELEMENT_FIRST = _PRIMITIVE | {BRACKET_OPEN, BRACE_OPEN, QUOTED_VALUE}
_AFTER_ARG_ID = _PRIMITIVE | {POPEN, COMMA, PCLOSE}  # what may follow an argument's leading ID
_OVERRIDE_FIRST = frozenset({EQUAL, TILDE, PLUS, AT, KEY_SPECIAL, DOT_PATH, ID})
_AFTER_PLUS = frozenset({PLUS, EQUAL, AT, KEY_SPECIAL, DOT_PATH, ID})
_VALUE_OR_EOF = _ELEMENT_FIRST | {EOF}
_ESC_QUOTED = {"'": re.compile(r"(?<!\\)(\\)+'"), '"': re.compile(r'(?<!\\)(\\)+"')}  # a run's first backslash
LEXER_PREFIX = "LexerNoViableAltException: "


class GrammarError(Exception):
    """The override does not parse; `message` is Hydra's (without its closing "See ..." line)."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


@dataclass
class ListNode:
    items: list[Any]


@dataclass
class DictNode:
    pairs: list[tuple[Any, Any]]


@dataclass
class CallNode:
    name: str
    args: list[tuple[str | None, Any]]
    text: str
    column: int


@dataclass
class SweepNode:
    items: list[Any]


@dataclass
class DeferredError:
    message: str
    column: int


@dataclass
class ParsedOverride:
    kind: str
    key: str
    key_span: tuple[int, int]
    package: str | None
    package_span: tuple[int, int] | None
    value: Any  # a tree (see the nodes above); None for `~key` without `=`
    has_value: bool
    value_span: tuple[int, int]


def unquote(text: str) -> str:
    """The content of a quoted value, un-escaped as Hydra does (only backslashes before quotes)."""
    pattern = _ESC_QUOTED[text[0]]
    body = text[1:]
    match = pattern.search(body)
    if match is None:
        return body[:-1]
    parts = []
    while match is not None:
        start, stop = match.span()
        parts.append(body[:start])
        parts.append(body[start + 1 : stop : 2])
        body = body[stop:]
        match = pattern.search(body)
    if len(body) > 1:
        parts.append(body[:-1])
    return "".join(parts)


def make_primitive(toks: list[Token]) -> Any:
    """A primitive's value from its tokens (Hydra's `_createPrimitive`)."""
    first, last = 0, len(toks)
    if toks[0].type == WS:
        if last == 1:
            return DeferredError("Trying to parse a primitive that is all whitespaces", toks[0].start)
        first = 1
    if toks[-1].type == WS:
        last -= 1
    if last - first > 1:
        return "".join(t.text[1::2] if t.type == ESC else t.text for t in toks[first:last])
    tok = toks[first]
    ttype, text = tok.type, tok.text
    if ttype == INT:
        return int(text)
    if ttype == FLOAT:
        return float(text)
    if ttype == NULL:
        return None
    if ttype == BOOL:
        return text.lower() == "true"
    if ttype == ESC:
        return text[1::2]
    return text


class Parser:
    """One override's parser; `parse()` returns the tree or raises GrammarError."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.ts = TokenStream(text)
        self.predicting: Token | None = None  # the value's first token while its first element is read
        self.tilde = False

    # -- errors ------------------------------------------------------------------------------------

    def _prefixed(self, message: str, column: int) -> GrammarError:
        return GrammarError(f"Error parsing override '{self.text}'\n{message}", column)

    def _no_viable(self, start: Token, offending: Token) -> GrammarError:
        self.ts.fill()
        end = offending.start if offending.type == EOF else offending.end
        shown = (
            "<EOF>"
            if start.type == EOF
            else self.text[start.start : end].replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
        )
        return GrammarError(f"no viable alternative at input '{shown}'", offending.start)

    def _failure(
        self, tok: Token, expected: frozenset[int], follow: frozenset[int] = frozenset(), loop_end: bool = False
    ) -> GrammarError:
        if self.predicting is not None:
            return self._no_viable(self.predicting, tok)
        shown = expected_text(tuple(expected))
        if loop_end or self.ts.la(2) in expected:
            return self._prefixed(f"extraneous input {tok.display()} expecting {shown}", tok.start)
        if tok.type in follow:
            return self._prefixed(f"missing {shown} at {tok.display()}", tok.start)
        return GrammarError(f"mismatched input {tok.display()} expecting {shown}", tok.start)

    def _sync(self, allowed: frozenset[int], loop_end: bool = False) -> None:
        if self.ts.la(1) not in allowed:
            raise self._failure(self.ts.lt(1), allowed, loop_end=loop_end)

    def _match(self, ttype: int, follow: frozenset[int] = frozenset()) -> Token:
        if self.ts.la(1) != ttype:
            raise self._failure(self.ts.lt(1), frozenset({ttype}), follow)
        return self.ts.consume()

    # -- the override and its key -----------------------------------------------------------------

    def parse(self) -> ParsedOverride:
        """Parse the whole override; lexer errors become Hydra's caret message."""
        try:
            return self._override()
        except LexerError as e:
            caret = "^".rjust(len(LEXER_PREFIX) + e.index + 1)
            raise GrammarError(f"{LEXER_PREFIX}{self.text}\n{caret}", e.index) from None

    def _override(self) -> ParsedOverride:
        self._sync(_OVERRIDE_FIRST)
        kind = "change"
        if self.ts.la(1) == TILDE:
            self.ts.consume()
            kind, self.tilde = "delete", True
        elif self.ts.la(1) == PLUS:
            self.ts.consume()
            kind = "add"
            self._sync(_AFTER_PLUS)
            if self.ts.la(1) == PLUS:
                self.ts.consume()
                kind = "force_add"
        key, key_span, package, package_span = self._key()
        has_equal = True
        if kind == "delete":
            self._sync(frozenset({EQUAL, EOF}))
            has_equal = self.ts.la(1) == EQUAL
        value: Any = None
        value_span = (len(self.text), len(self.text))
        if has_equal:
            equal = self._match(EQUAL, _VALUE_OR_EOF)
            self._sync(_VALUE_OR_EOF)
            value = self._value() if self.ts.la(1) != EOF else ""
            value_span = (equal.end, self._value_end(equal.end))
        self._match(EOF)
        return ParsedOverride(kind, key, key_span, package, package_span, value, has_equal, value_span)

    def _value_end(self, start: int) -> int:
        last = self.ts.tokens[self.ts.index - 1] if self.ts.index > 0 else None
        if last is None or last.end <= start:
            return start
        return last.start if last.type == WS else last.end

    def _key(self) -> tuple[str, tuple[int, int], str | None, tuple[int, int] | None]:
        first = self.ts.lt(1)
        la = first.type
        end = first.start
        if la == ID and self.ts.la(2) == SLASH:
            end = self.ts.consume().end
            follow = frozenset({SLASH, AT, EQUAL} | ({EOF} if self.tilde else set()))
            while self.ts.la(1) == SLASH:
                self.ts.consume()
                end = self._match(ID, follow).end
        elif la in (ID, KEY_SPECIAL, DOT_PATH):
            end = self.ts.consume().end
        elif la not in (EQUAL, AT, EOF):
            raise self._no_viable(first, first)
        key_span = (first.start, end)
        if self.ts.la(1) != AT:
            return self.text[first.start : end], key_span, None, None
        self.ts.consume()
        pkg = self.ts.lt(1)
        if pkg.type in (ID, KEY_SPECIAL, DOT_PATH):
            self.ts.consume()
            return self.text[first.start : end], key_span, pkg.text, (pkg.start, pkg.end)
        if pkg.type in (EOF, EQUAL, AT):
            return self.text[first.start : end], key_span, "", (pkg.start, pkg.start)
        raise self._no_viable(pkg, pkg)

    # -- values ------------------------------------------------------------------------------------

    def _value(self) -> Any:
        self.predicting = self.ts.lt(1)
        first = self._element()
        self.predicting = None
        if self.ts.la(1) != COMMA:
            return first
        items = [first]
        while self.ts.la(1) == COMMA:
            self.ts.consume()
            items.append(self._element())
        return SweepNode(items)

    def _element(self) -> Any:
        self._sync(_ELEMENT_FIRST)
        la = self.ts.la(1)
        if la == BRACKET_OPEN:
            return self._list()
        if la == BRACE_OPEN:
            return self._dict()
        if la == ID and self.ts.la(2) == POPEN:
            return self._function()
        if la == QUOTED_VALUE:
            tok = self.ts.consume()
            return QuotedString(unquote(tok.text), Quote.single if tok.text[0] == "'" else Quote.double)
        toks = []
        while self.ts.la(1) in _PRIMITIVE:
            toks.append(self.ts.consume())
        return make_primitive(toks)

    def _sequence(self, close: int, first_set: frozenset[int], item: Any) -> list[Any]:
        """`open (item (COMMA item)*)? close` after the opening token, with ANTLR's syncs."""
        items: list[Any] = []
        self._sync(first_set | {close})
        if self.ts.la(1) in first_set:
            items.append(item())
            ends = frozenset({COMMA, close})
            self._sync(ends)
            while self.ts.la(1) == COMMA:
                self.ts.consume()
                items.append(item())
                self._sync(ends, loop_end=True)
        return items

    def _list(self) -> ListNode:
        self.ts.consume()
        items = self._sequence(BRACKET_CLOSE, _ELEMENT_FIRST, self._element)
        self._match(BRACKET_CLOSE)
        return ListNode(items)

    def _dict(self) -> DictNode:
        self.ts.consume()
        pairs = self._sequence(BRACE_CLOSE, _DICT_KEY, self._pair)
        self._match(BRACE_CLOSE)
        return DictNode(pairs)

    def _pair(self) -> tuple[Any, Any]:
        self._sync(_DICT_KEY)
        toks = []
        while self.ts.la(1) in _DICT_KEY:
            toks.append(self.ts.consume())
        key = make_primitive(toks)
        self._match(COLON, _ELEMENT_FIRST)
        return key, self._element()

    def _function(self) -> CallNode:
        name = self.ts.consume()
        self.ts.consume()
        args: list[tuple[str | None, Any]] = []
        self._sync(_ELEMENT_FIRST | {PCLOSE})
        if self.ts.la(1) in _ELEMENT_FIRST:
            args.append(self._argument())
            ends = frozenset({COMMA, PCLOSE})
            self._sync(ends)
            while self.ts.la(1) == COMMA:
                self.ts.consume()
                self._sync(_ELEMENT_FIRST)
                args.append(self._argument())
                self._sync(ends, loop_end=True)
        close = self._match(PCLOSE)
        return CallNode(name.text, args, self.text[name.start : close.end], name.start)

    def _argument(self) -> tuple[str | None, Any]:
        arg_name = None
        if self.ts.la(1) == ID:
            la2 = self.ts.la(2)
            if la2 == EQUAL:
                arg_name = self.ts.consume().text
                self.ts.consume()
            elif la2 not in _AFTER_ARG_ID:
                raise self._no_viable(self.predicting or self.ts.lt(1), self.ts.lt(2))
        return arg_name, self._element()
