"""The tokens of Hydra's command-line override grammar (Hydra 1.3, `OverrideLexer.g4`), lexed lazily.

Two modes as in Hydra: the key mode until the first `=`, the value mode after it. Each token is the
longest match of the lexer's rules at that place (ties go to the rule written first), exactly as ANTLR
lexes; a character that starts no token is a lexer error, raised only when the parser asks for that
token (Hydra's lexer runs in step with its parser, so which error is seen first depends on it). The
token type numbers are Hydra's, so expected-token sets print in Hydra's order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EOF = -1
EQUAL, TILDE, PLUS, AT, COLON, SLASH, KEY_SPECIAL, DOT_PATH = 1, 2, 3, 4, 5, 6, 7, 8
POPEN, COMMA, PCLOSE, BRACKET_OPEN, BRACKET_CLOSE, BRACE_OPEN, BRACE_CLOSE = 9, 10, 11, 12, 13, 14, 15
FLOAT, INT, BOOL, NULL, UNQUOTED_CHAR, ID, ESC, WS, QUOTED_VALUE, INTERPOLATION = range(16, 26)

_SYMBOLIC = [
    "EQUAL",
    "TILDE",
    "PLUS",
    "AT",
    "COLON",
    "SLASH",
    "KEY_SPECIAL",
    "DOT_PATH",
    "POPEN",
    "COMMA",
    "PCLOSE",
    "BRACKET_OPEN",
    "BRACKET_CLOSE",
    "BRACE_OPEN",
    "BRACE_CLOSE",
    "FLOAT",
    "INT",
    "BOOL",
    "NULL",
    "UNQUOTED_CHAR",
    "ID",
    "ESC",
    "WS",
    "QUOTED_VALUE",
    "INTERPOLATION",
]
_LITERAL = {TILDE: "'~'", PLUS: "'+'", AT: "'@'", COLON: "':'", SLASH: "'/'"}

_INT_U = r"(?:0|[1-9](?:_?[0-9])*)"
_SEG = r"(?:[A-Za-z_$][A-Za-z0-9_$-]*|" + _INT_U + ")"
_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_KEY_SPECIAL = re.compile(r"[A-Za-z_$][A-Za-z0-9_$-]*")
# The lookbehind keeps a search linear (a dotted path never starts inside a segment; the lexer matches at
# token starts, where the previous character is a delimiter).
_DOT_PATH = re.compile(r"(?<![A-Za-z0-9_$-])" + _SEG + r"(?:\." + _SEG + r")+")
_DIGITS = r"[0-9](?:_?[0-9])*"
_POINT = rf"(?:{_INT_U}?\.{_DIGITS}|{_INT_U}\.)"
# Exponent form first, then the point forms (the one with a fraction first): the first that matches is
# the longest, as none of the later ones can extend past an earlier one's end.
FLOAT_RE = re.compile(rf"[+-]?(?:(?:{_POINT}|{_INT_U})[eE][+-]?{_DIGITS}|{_POINT}|[Ii][Nn][Ff]|[Nn][Aa][Nn])")
INT_RE = re.compile(rf"[+-]?{_INT_U}")
_ESC = re.compile(r"(?:\\[\\()\[\]{}:=, \t])+")
_WS = re.compile(r"[ \t]*")
_UNQUOTED = frozenset("/-\\+.$%*@?|")
_OPENERS = {"(": POPEN, ",": COMMA, ":": COLON, "=": EQUAL, "[": BRACKET_OPEN, "{": BRACE_OPEN}
_CLOSERS = {")": PCLOSE, "]": BRACKET_CLOSE, "}": BRACE_CLOSE}
_WS_OPENERS = frozenset("(,:=")  # `WS? x WS?` tokens; `[` and `{` take no leading whitespace


def token_name(ttype: int) -> str:
    """How ANTLR names a token type in an "expecting" set: `'~'` for literals, `EQUAL` otherwise."""
    if ttype == EOF:
        return "<EOF>"
    return _LITERAL.get(ttype) or _SYMBOLIC[ttype - 1]


def expected_text(types: tuple[int, ...]) -> str:
    """An expected-token set as ANTLR prints it: one name alone, several as `{A, B}` in type order."""
    names = [token_name(t) for t in sorted(types)]
    return names[0] if len(names) == 1 else "{" + ", ".join(names) + "}"


@dataclass(frozen=True, slots=True)
class Token:
    type: int
    start: int
    end: int
    text: str

    def display(self) -> str:
        """The token as ANTLR quotes it in a message."""
        text = self.text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
        return f"'{text}'"


class LexerError(Exception):
    """No token starts at `index` (Hydra: LexerNoViableAltException)."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


def _key_token(s: str, i: int) -> tuple[int, int]:
    c = s[i]
    if c == "=":
        return EQUAL, _WS.match(s, i + 1).end()  # type: ignore[union-attr]
    single = {"~": TILDE, "+": PLUS, "@": AT, ":": COLON, "/": SLASH}.get(c)
    if single is not None:
        return single, i + 1
    best, end = 0, i
    for ttype, rx in ((ID, _ID), (KEY_SPECIAL, _KEY_SPECIAL), (DOT_PATH, _DOT_PATH)):
        m = rx.match(s, i)
        if m is not None and m.end() > end:
            best, end = ttype, m.end()
    if best == 0:
        raise LexerError(i)
    return best, end


def _quoted_end(s: str, i: int) -> int:
    """End of the quoted value opened at `i`: the first same quote after an even run of backslashes."""
    quote, k = s[i], i + 1
    while True:
        k = s.find(quote, k)
        if k < 0:
            raise LexerError(i)
        run = k
        while run > i + 1 and s[run - 1] == "\\":
            run -= 1
        if (k - run) % 2 == 0:
            return k + 1
        k += 1


def _word_token(s: str, i: int) -> tuple[int, int]:
    """Numbers, keywords, ids, escapes, interpolations and the single unquoted characters."""
    c = s[i]
    best, end = 0, i
    if c.isascii() and (c.isalpha() or c == "_"):
        end = _ID.match(s, i).end()  # type: ignore[union-attr]
        word = s[i:end].lower()
        best = {"true": BOOL, "false": BOOL, "null": NULL, "inf": FLOAT, "nan": FLOAT}.get(word, ID)
        return best, end
    if c in "+-.0123456789":
        for ttype, rx in ((FLOAT, FLOAT_RE), (INT, INT_RE)):
            m = rx.match(s, i)
            if m is not None and m.end() > end:
                best, end = ttype, m.end()
    if c == "\\":
        m = _ESC.match(s, i)
        if m is not None:
            return ESC, m.end()
    if c == "$" and s.startswith("${", i):
        close = s.find("}", i + 2)
        if close > i + 2:
            return INTERPOLATION, close + 1
    if best == 0 and c in _UNQUOTED:
        return UNQUOTED_CHAR, i + 1
    if best == 0:
        raise LexerError(i)
    return best, end


def _value_token(s: str, i: int) -> tuple[int, int]:
    c = s[i]
    if c in " \t":
        j = _WS.match(s, i).end()  # type: ignore[union-attr]
        n = s[j] if j < len(s) else ""
        if n in _WS_OPENERS:
            return _OPENERS[n], _WS.match(s, j + 1).end()  # type: ignore[union-attr]
        if n in _CLOSERS:
            return _CLOSERS[n], j + 1
        return WS, j
    if c in _OPENERS:
        return _OPENERS[c], _WS.match(s, i + 1).end()  # type: ignore[union-attr]
    if c in _CLOSERS:
        return _CLOSERS[c], i + 1
    if c in "\"'":
        return QUOTED_VALUE, _quoted_end(s, i)
    return _word_token(s, i)


class TokenStream:
    """Tokens of `text`, lexed on demand: `la(k)` is the k-th token ahead (1-based)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[Token] = []
        self.index = 0
        self._pos = 0
        self._value_mode = False

    def _fetch(self) -> None:
        s, i = self.text, self._pos
        if i >= len(s):
            self.tokens.append(Token(EOF, len(s), len(s), "<EOF>"))
            return
        if self._value_mode:
            ttype, end = _value_token(s, i)
        else:
            ttype, end = _key_token(s, i)
            self._value_mode = ttype == EQUAL
        self.tokens.append(Token(ttype, i, end, s[i:end]))
        self._pos = end

    def lt(self, k: int = 1) -> Token:
        """The k-th token ahead, lexing up to it (EOF repeats at the end)."""
        want = self.index + k - 1
        while len(self.tokens) <= want:
            if self.tokens and self.tokens[-1].type == EOF:
                return self.tokens[-1]
            self._fetch()
        return self.tokens[want]

    def fill(self) -> None:
        """Lex to the end (ANTLR does before printing a token range, so a later lexer error wins)."""
        while not self.tokens or self.tokens[-1].type != EOF:
            self._fetch()

    def la(self, k: int = 1) -> int:
        """The type of the k-th token ahead."""
        return self.lt(k).type

    def consume(self) -> Token:
        """Take the current token; like ANTLR's stream, the next one is lexed at once."""
        tok = self.lt(1)
        if tok.type != EOF:
            self.index += 1
            self.lt(1)
        return tok
