"""Semantic tokens: what the YAML grammar cannot know, coloured by what it names.

Tokens cover only text we are sure of; the editor's YAML grammar keeps colouring everything else:
- a dotpath under a component key or a dotpath key (`settings`): each segment by what it names once the
  index knows it (`namespace` for the modules on the way, `class` / `function` for the last one); while
  the index does not know it yet, the segments on the way only (a dotpath that does not resolve: the
  segments that were found, its diagnostic says the rest);
- in a `${...}`, from OmegaConf's own grammar (interpolation/grammar.py): the `${` and `}` delimiters
  (`operator`), the keys of a reference (`property`), a resolver's name (`function`, `defaultLibrary`
  for OmegaConf's own `oc.*`);
- OmegaConf's `???` (a value that must be given): `keyword`;
- a top-level key the recipe never reads (the `unused-key` finding): `property` + `unnecessary`;
- a dotpath segment, a key in a `${...}` or an unused key named like `_private`: the `private` modifier.

`unnecessary` and `private` are our own modifiers (LSP has none for either): an editor colours them
only where a theme or the extension's package.json says how. A scalar over several lines, a block
scalar or a quoted one whose escapes make offsets differ from columns gets no token (tokens cannot span
lines, and a column we would have to guess is a token on the wrong text).

Tokens are computed per top-level section (`Sections`: an unchanged section is not walked again on the
next keystroke) in code points, then encoded once in the client's units.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, NamedTuple

from lsprotocol import types

from tuneconf.document.positions import Encoding, to_client
from tuneconf.document.tree import Mapping, Node, Pair, Scalar, Sequence

if TYPE_CHECKING:  # imported where used: the server registers the legend at start, before any document
    from tuneconf.context import AnalysisContext
    from tuneconf.document.parse import ParsedConfig
    from tuneconf.findings import Finding
    from tuneconf.index.records import Resolution

TOKEN_TYPES = ("namespace", "class", "function", "property", "operator", "keyword")
TOKEN_MODIFIERS = ("defaultLibrary", "private", "unnecessary")
LEGEND = types.SemanticTokensLegend(token_types=list(TOKEN_TYPES), token_modifiers=list(TOKEN_MODIFIERS))
NAMESPACE, CLASS, FUNCTION, PROPERTY, OPERATOR, KEYWORD = range(len(TOKEN_TYPES))
DEFAULT_LIBRARY, PRIVATE, UNNECESSARY = (1 << i for i in range(len(TOKEN_MODIFIERS)))
_KINDS = {"module": NAMESPACE, "class": CLASS, "function": FUNCTION, "partial": FUNCTION}
"""What the last segment of a resolved dotpath is coloured as (attributes and compiled code: not at all)."""
MISSING = "???"


class Token(NamedTuple):
    """One token in code points: [start, end) on `line`."""

    line: int
    start: int
    end: int
    type: int
    modifiers: int = 0


def semantic_tokens(
    doc: ParsedConfig,
    ctx: AnalysisContext,
    findings: Iterable[Finding],
    encoding: Encoding,
    sections: Sections | None = None,
) -> list[int]:
    """The document's tokens, encoded as LSP's relative integers in the client's units."""
    return encode(document_tokens(doc, ctx, findings, sections), doc.lines, encoding)


def document_tokens(
    doc: ParsedConfig, ctx: AnalysisContext, findings: Iterable[Finding], sections: Sections | None = None
) -> list[Token]:
    """Every token, sorted, none overlapping another (a later one that would is dropped). `sections`:
    the tokens of the document's last version, per top-level section, to reuse where it is unchanged."""
    found = (sections or Sections()).tokens(doc, ctx)
    found.extend(_unused_keys(doc, findings))
    found.sort()
    kept: list[Token] = []
    for token in found:
        if not kept or token.line > kept[-1].line or token.start >= kept[-1].end:
            kept.append(token)
    return kept


class Sections:
    """The tokens of each top-level section of one document's last version, by the section's text: a
    keystroke walks only the section it changed (the sections below a new line are only moved down).
    Own cache rather than `AnalysisContext.per_section`: that memo keeps only the families the last check
    run used, and the publish of a version often runs before its tokens are asked. A section with a
    dotpath the index did not know yet is not kept (its last segment gets its colour once known). Other
    component or dotpath keys (settings) start it afresh."""

    def __init__(self) -> None:
        self._keys: frozenset[str] = frozenset()
        self._last: dict[tuple[str, int], tuple[int, list[Token]]] = {}

    def tokens(self, doc: ParsedConfig, ctx: AnalysisContext) -> list[Token]:
        keys = frozenset(ctx.settings.component_keys + ctx.settings.dotpath_keys)
        if keys != self._keys:
            self._keys, self._last = keys, {}
        kept: dict[tuple[str, int], tuple[int, list[Token]]] = {}
        found: list[Token] = []
        for pair in doc.mapping.pairs if doc.mapping is not None else []:
            first = pair.key.span.start_line
            # the section's text, and where its key starts on its line (two pairs of a one-line flow mapping)
            text = ("\n".join(doc.lines[first : pair.value.span.end_line + 1]), pair.key.span.start[1])
            hit = self._last.get(text)
            if hit is not None:
                moved = first - hit[0]
                tokens = hit[1] if moved == 0 else [t._replace(line=t.line + moved) for t in hit[1]]
            else:
                waiting: list[str] = []
                tokens = list(_section(pair, keys, ctx, waiting))
                if waiting:
                    found.extend(tokens)
                    continue
            kept[text] = (first, tokens)
            found.extend(tokens)
        self._last = kept
        return found


def encode(tokens: list[Token], lines: list[str], encoding: Encoding) -> list[int]:
    """LSP's encoding: per token, lines since the last one, start (from the last one's on the same line),
    length, type, modifiers; columns in the client's units."""
    data: list[int] = []
    last_line = last_start = 0
    for token in tokens:
        text = lines[token.line]
        if text.isascii():
            start, end = token.start, token.end
        else:
            start, end = to_client(text, token.start, encoding), to_client(text, token.end, encoding)
        delta = token.line - last_line
        data += (delta, start - last_start if delta == 0 else start, end - start, token.type, token.modifiers)
        last_line, last_start = token.line, start
    return data


def _section(pair: Pair, keys: frozenset[str], ctx: AnalysisContext, waiting: list[str]) -> Iterator[Token]:
    """The tokens of one top-level section's values (iteratively: deep trees are fine); the dotpaths the
    index did not know yet go to `waiting`."""
    stack: list[tuple[str | None, Node]] = [(pair.name, pair.value)]
    while stack:
        key, node = stack.pop()
        if isinstance(node, Mapping):
            stack.extend((p.name, p.value) for p in reversed(node.pairs))
        elif isinstance(node, Sequence):
            stack.extend((None, item) for item in reversed(node.items))
        elif isinstance(node, Scalar) and isinstance(node.value, str):
            yield from _scalar(node, key in keys, ctx, waiting)


def _scalar(scalar: Scalar, is_dotpath: bool, ctx: AnalysisContext, waiting: list[str]) -> Iterator[Token]:
    text = scalar.text
    if "${" in text:
        yield from _interpolations(scalar)
    elif text == MISSING:
        at = _text_start(scalar)
        if at is not None:
            yield Token(at[0], at[1], at[1] + len(MISSING), KEYWORD)
    elif is_dotpath:
        yield from _dotpath(scalar, ctx, waiting)


def _text_start(scalar: Scalar) -> tuple[int, int] | None:
    """(line, column) of the scalar's first character when every character of its text is one column
    of one line; None for block and multi-line scalars, and quoted ones with escapes."""
    span = scalar.span
    if span.start_line != span.end_line or scalar.style in ("|", ">") or span.start_line < 0:
        return None
    quote = 1 if scalar.style in ("'", '"') else 0
    if span.end_col - span.start_col != len(scalar.text) + 2 * quote:
        return None
    return span.start_line, span.start_col + quote


def _interpolations(scalar: Scalar) -> Iterator[Token]:
    from tuneconf.interpolation.grammar import BUILTIN_RESOLVERS, parse_value

    at = _text_start(scalar)
    if at is None:
        return
    line, col = at
    text = scalar.text
    parsed = parse_value(text)
    for ref in parsed.references:
        if text.startswith("${", ref.start) and text[ref.end - 1] == "}":
            yield Token(line, col + ref.start, col + ref.start + 2, OPERATOR)
            yield Token(line, col + ref.end - 1, col + ref.end, OPERATOR)
        for key, (start, end) in zip(ref.keys, ref.key_spans, strict=False):
            if key is not None and text[start:end] == key:
                yield Token(line, col + start, col + end, PROPERTY, _private(key))
    for call in parsed.resolvers:
        if text.startswith("${", call.start) and text[call.end - 1] == "}":
            yield Token(line, col + call.start, col + call.start + 2, OPERATOR)
            yield Token(line, col + call.end - 1, col + call.end, OPERATOR)
        library = DEFAULT_LIBRARY if call.name in BUILTIN_RESOLVERS else 0
        yield Token(line, col + call.name_start, col + call.name_end, FUNCTION, library)


def _dotpath(scalar: Scalar, ctx: AnalysisContext, waiting: list[str]) -> Iterator[Token]:
    segments = scalar.text.split(".")
    if not all(s.isidentifier() for s in segments):
        return
    at = _text_start(scalar)
    if at is None:
        return
    resolution = ctx.resolve_or_defer(scalar.text)
    if resolution is None:
        waiting.append(scalar.text)
    kinds = _segment_kinds(resolution, len(segments))
    line, col = at
    for segment, kind in zip(segments, kinds, strict=True):
        if kind is not None:
            yield Token(line, col, col + len(segment), kind, _private(segment))
        col += len(segment) + 1


def _segment_kinds(resolution: Resolution | None, count: int) -> list[int | None]:
    """What each segment is coloured as. The segments before the last are named `namespace`: they are
    the modules a resolved dotpath is imported from (a class on the way, `a.B.method`, is not told apart).
    Not known yet: the segments on the way; not resolved (no symbol): those found before the one that failed."""
    if resolution is None:
        return [NAMESPACE] * (count - 1) + [None]
    if resolution.symbol is not None:
        return [NAMESPACE] * (count - 1) + [_KINDS.get(resolution.symbol.kind)]
    found = min(resolution.segment, count - 1)
    return [NAMESPACE] * found + [None] * (count - found)


def _unused_keys(doc: ParsedConfig, findings: Iterable[Finding]) -> Iterator[Token]:
    """The keys of the `unused-key` findings (top-level keys the recipe never reads)."""
    spans = {f.span for f in findings if f.code == "unused-key" and f.file is None}
    if not spans or doc.mapping is None:
        return
    for pair in doc.mapping.pairs:
        key = pair.key
        if isinstance(key, Scalar) and key.span in spans:
            at = _text_start(key)
            if at is not None:
                yield Token(at[0], at[1], at[1] + len(key.text), PROPERTY, UNNECESSARY | _private(key.text))


def _private(name: str) -> int:
    return PRIVATE if name.startswith("_") else 0
