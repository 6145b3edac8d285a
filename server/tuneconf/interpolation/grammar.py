"""`${...}` parsed by OmegaConf's own ANTLR grammar (so errors read as at run time), with positions.

OmegaConf's parse() drops where an error is; we drive the same generated lexer and parser with a
listener that keeps the column.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

BUILTIN_RESOLVERS = {  # OmegaConf's own resolvers, and what each gives
    "oc.env": "the value of an environment variable (`${oc.env:NAME,default}`)",
    "oc.select": "the value at another key, or a default when it is missing",
    "oc.decode": "a string decoded as a YAML value",
    "oc.create": "a config node made from a dict or a list",
    "oc.deprecated": "another key's value, with a deprecation warning",
    "oc.dict.keys": "the keys of a mapping, as a list",
    "oc.dict.values": "the values of a mapping, as a list",
}
MAX_TEXT = 20_000
MAX_NESTING = 32
_CACHE_SIZE = 50_000


@dataclass(frozen=True)
class Reference:
    """A node interpolation `${[.]*a.b[0]}`: where it is in the string and the keys it names."""

    start: int
    end: int
    dots: int
    keys: tuple[str | None, ...]
    """None for a segment that is itself an interpolation (resolved at run time only)."""
    key_spans: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class ResolverCall:
    name: str
    start: int
    end: int
    name_start: int
    name_end: int


@dataclass
class ParsedValue:
    references: list[Reference] = field(default_factory=list)
    resolvers: list[ResolverCall] = field(default_factory=list)
    error: str = ""
    error_at: int = 0


class _GrammarError(Exception):
    def __init__(self, message: str, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


_local = threading.local()
_cache: OrderedDict[str, ParsedValue] = OrderedDict()
_lock = threading.Lock()


def parse_value(text: str) -> ParsedValue:
    """The interpolations in a string value (cached by text)."""
    with _lock:
        hit = _cache.get(text)
    if hit is not None:
        return hit
    result = _parse(text)
    with _lock:
        _cache[text] = result
        if len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return result


def _parse(text: str) -> ParsedValue:
    if "${" not in text:  # OmegaConf parses only strings that hold one
        return ParsedValue()
    if not analysable(text):
        return ParsedValue()  # too big to analyse here; OmegaConf may still read it, so nothing is reported
    simple = _simple(text)
    return simple if simple is not None else _antlr(text)


def _antlr(text: str) -> ParsedValue:
    """OmegaConf's own grammar (its generated ANTLR parser), with positions."""
    try:
        tree = _parser(text).configValue()
    except _GrammarError as error:
        return ParsedValue(error=error.message, error_at=error.column)
    except RecursionError:
        return ParsedValue()  # as above: too deep to analyse, not an error
    result = ParsedValue()
    _collect(tree, text, result)
    return result


_SIMPLE = re.compile(r"\$\{(\.*)([\w\-]+(?:\.[\w\-]+)*)\}", re.ASCII)
_NOT_SIMPLE = re.compile(r"[\\${}'\"]")


def _simple(text: str) -> ParsedValue | None:
    """The common shapes (`${a.b}`, `${..c}/logs`: dotted plain keys in plain text) without ANTLR,
    which takes about a millisecond a value; None for anything else. Tests hold it equal to ANTLR."""
    if "\\" in text:
        return None
    matches = list(_SIMPLE.finditer(text))
    if not matches or _NOT_SIMPLE.search(_SIMPLE.sub("", text)):
        return None
    result = ParsedValue()
    for m in matches:
        keys, spans, at = [], [], m.start(2)
        for key in m.group(2).split("."):
            keys.append(key)
            spans.append((at, at + len(key)))
            at += len(key) + 1
        result.references.append(Reference(m.start(), m.end(), len(m.group(1)), tuple(keys), tuple(spans)))
    return result


def analysable(text: str) -> bool:
    """Whether parse_value reads `text` (it gives an empty ParsedValue, no error, for longer or deeper text)."""
    return len(text) <= MAX_TEXT and _nesting(text) <= MAX_NESTING


def _nesting(text: str) -> int:
    """How deep `${` nests (ANTLR recursion is slow and then fails on deep nesting)."""
    depth = deepest = index = 0
    while index < len(text):
        if text.startswith("${", index):
            depth += 1
            deepest = max(deepest, depth)
            index += 2
            continue
        if text[index] == "}" and depth:
            depth -= 1
        index += 1
    return deepest


def _parser(text: str) -> Any:
    from omegaconf.grammar.gen.OmegaConfGrammarLexer import OmegaConfGrammarLexer
    from omegaconf.grammar.gen.OmegaConfGrammarParser import OmegaConfGrammarParser
    from omegaconf.vendor.antlr4 import CommonTokenStream, InputStream

    cached = getattr(_local, "parts", None)
    stream = InputStream(text)
    if cached is None:
        listener = _listener()
        lexer = OmegaConfGrammarLexer(stream)
        lexer.removeErrorListeners()
        lexer.addErrorListener(listener)
        tokens = CommonTokenStream(lexer)
        parser = OmegaConfGrammarParser(tokens)
        parser.removeErrorListeners()
        parser.addErrorListener(listener)
        _local.parts = cached = (lexer, tokens, parser)
    lexer, tokens, parser = cached
    lexer.inputStream = stream
    lexer.mode(OmegaConfGrammarLexer.DEFAULT_MODE)
    tokens.setTokenSource(lexer)
    parser.reset()
    return parser


def _listener() -> Any:
    from omegaconf.vendor.antlr4.error.ErrorListener import ErrorListener

    class Listener(ErrorListener):  # type: ignore[misc]
        def syntaxError(self, recognizer: Any, offending: Any, line: Any, column: Any, msg: Any, e: Any) -> None:
            raise _GrammarError(str(e) if msg is None else msg, int(column or 0))

    return Listener()


def _collect(ctx: Any, text: str, out: ParsedValue) -> None:
    from omegaconf.grammar.gen.OmegaConfGrammarParser import OmegaConfGrammarParser as P

    stack = [ctx]
    while stack:
        node = stack.pop()
        if isinstance(node, P.InterpolationNodeContext):
            out.references.append(_reference(node, text))
        elif isinstance(node, P.InterpolationResolverContext):
            name = node.resolverName()
            out.resolvers.append(
                ResolverCall(name.getText(), node.start.start, node.stop.stop + 1, name.start.start, name.stop.stop + 1)
            )
        for index in range(getattr(node, "getChildCount", lambda: 0)() - 1, -1, -1):
            child = node.getChild(index)
            if hasattr(child, "getChildCount") and getattr(child, "start", None) is not None:
                stack.append(child)
    out.references.sort(key=lambda r: r.start)


def _reference(node: Any, text: str) -> Reference:
    from omegaconf.grammar.gen.OmegaConfGrammarParser import OmegaConfGrammarParser as P

    start, end = node.start.start, node.stop.stop + 1
    inner = text[start + 2 : end - 1].strip()
    dots = len(inner) - len(inner.lstrip("."))
    keys: list[str | None] = []
    spans: list[tuple[int, int]] = []
    for key in node.getTypedRuleContexts(P.ConfigKeyContext):
        nested = key.getTypedRuleContexts(P.InterpolationContext)
        keys.append(None if nested else key.getText())
        spans.append((key.start.start, key.stop.stop + 1))
    return Reference(start, end, dots, tuple(keys), tuple(spans))
