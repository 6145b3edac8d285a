"""Parse a config into a tree, section by section, tolerating mid-edit breakage.

A torchtune config is a top-level mapping whose sections (a key at column 0
and the lines under it) are independent YAML. We compose each section alone
and cache it by its text, so a keystroke recomposes one section, not the file.
A section that does not stand alone (an alias to another section, a flow
collection or quote that goes on past its end) sends us to a full parse, so a
valid file always gets exactly the tree a full parse gives.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field

import yaml

from tuneconf.document.compose import Composed, compose
from tuneconf.document.tolerant import NO_COLON, SyntaxProblem, compose_tolerant, describe, position_of, split_lines
from tuneconf.document.tree import Alias, Mapping, Node, Pair, Span, shifted

# Characters YAML 1.1 reads as line breaks but editors (and LSP) do not.
_ODD_BREAKS = re.compile("[\x85\u2028\u2029]")
# Shapes that sections cannot represent: directives, document markers, complex keys,
# anchors, tags or flow collections at column 0, a top-level sequence.
_WHOLE_ONLY = re.compile(r"^(?:---|\.\.\.|%|\?|&|\*|!|\[|\{|-(?:\s|$))", re.M)
_SECTION_START = re.compile(r"^(?:[^\s#\-]|-[^\s\-])", re.M)
_CACHE_SIZE = 20_000
# Beyond this we do not parse: OmegaConf refuses more than 10,000 nodes anyway (~200 KB of config).
MAX_CHARS = 2_000_000
_DEEPEST_CACHED = 64


@dataclass
class ParsedConfig:
    """One version of a config: its text, lines, tree and what stops OmegaConf loading it."""

    text: str
    lines: list[str]
    root: Node | None
    syntax: list[SyntaxProblem] = field(default_factory=list)
    second_document: tuple[int, int] | None = None
    undefined_aliases: list[Alias] = field(default_factory=list)
    recursive_aliases: list[Alias] = field(default_factory=list)
    max_depth: int = 0
    odd_breaks: list[tuple[int, int]] = field(default_factory=list)
    too_large: bool = False
    """Not parsed: bigger than MAX_CHARS (torchtune configs are a few kilobytes)."""

    @property
    def mapping(self) -> Mapping | None:
        """The top-level mapping, when the document is one."""
        return self.root if isinstance(self.root, Mapping) else None


@dataclass
class _Section:
    """A section's tree, composed with its first line at `base`; pairs_at moves it to its line.
    Problems and aliases are relative to line 0 (only sections composed alone have them)."""

    composed: Composed | None
    problems: list[SyntaxProblem]
    last_line: int
    base: int = 0
    by_offset: dict[int, list[Pair]] = field(default_factory=dict)

    @property
    def stands_alone(self) -> bool:
        c = self.composed
        return c is not None and isinstance(c.root, Mapping) and not c.undefined_aliases and not self.problems

    @property
    def may_continue(self) -> bool:
        """True when a full parse might not share this section's problem: an alias to another
        section, or an error at its very end (a flow collection or quote going on below)."""
        if self.composed is not None:
            return bool(self.composed.undefined_aliases)
        return any(p.span.start_line >= self.last_line for p in self.problems)

    def pairs_at(self, line0: int) -> list[Pair]:
        root = self.composed.root if self.composed else None
        if not isinstance(root, Mapping):
            return []
        if line0 == self.base:
            return root.pairs
        hit = self.by_offset.get(line0)
        if hit is None:
            moved = shifted(root, line0 - self.base)
            assert isinstance(moved, Mapping)
            hit = moved.pairs
            if len(self.by_offset) > 4:
                self.by_offset.clear()
            self.by_offset[line0] = hit
        return hit


_sections: OrderedDict[str, _Section] = OrderedDict()


def parse(text: str) -> ParsedConfig:
    """Parse a config's text (as the editor holds it) into a ParsedConfig."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if len(text) > MAX_CHARS:
        return ParsedConfig(text, split_lines(text), None, too_large=True)
    odd = [position_of(text, m.start()) for m in _ODD_BREAKS.finditer(text)]
    source = _ODD_BREAKS.sub(" ", text) if odd else text
    lines = split_lines(source)
    starts = _section_starts(source)
    many = starts is not None and len(starts) > 1
    parsed = _parse_sections(source, lines, starts) if starts and many else _parse_whole(source, lines)
    parsed.text = text
    parsed.odd_breaks = odd
    return parsed


def _parse_whole(text: str, lines: list[str]) -> ParsedConfig:
    composed, problems = compose_tolerant(text)
    return _from_composed(text, lines, composed, problems)


def _from_composed(text: str, lines: list[str], c: Composed | None, problems: list[SyntaxProblem]) -> ParsedConfig:
    if c is None:
        return ParsedConfig(text, lines, None, problems)
    return ParsedConfig(
        text, lines, c.root, problems, c.second_document, c.undefined_aliases, c.recursive_aliases, c.max_depth
    )


def _section_starts(text: str) -> list[int] | None:
    """First line of each top-level section, or None when the text must be composed whole."""
    if "\r" in text or _WHOLE_ONLY.search(text):
        return None
    starts, line, at = [], 0, 0
    for match in _SECTION_START.finditer(text):  # lines end at \n only here (no \r)
        line += text.count("\n", at, match.start())
        at = match.start()
        starts.append(line)
    if not starts:
        return None
    starts[0] = 0  # leading comments belong to the first section
    return starts


def _parse_sections(text: str, lines: list[str], starts: list[int]) -> ParsedConfig:
    bounds = list(zip(starts, starts[1:] + [len(lines)]))
    texts = [_join(lines, a, b) for a, b in bounds]
    misses = sum(1 for t in texts if t not in _sections)
    if misses > 8 and misses * 4 > len(texts):
        whole = _whole_into_sections(text, lines, bounds, texts)
        if whole is not None:
            return whole
    sections = [_section(t, b - a) for t, (a, b) in zip(texts, bounds)]
    if all(s.stands_alone for s in sections):
        return _assemble(text, lines, bounds, sections)
    if any(s.may_continue for s in sections):
        try:
            return _from_composed(text, lines, compose(text), [])
        except yaml.YAMLError:
            pass
    repaired = [s if s.stands_alone else _tolerant_section(lines, a, b) for s, (a, b) in zip(sections, bounds)]
    return _assemble(text, lines, bounds, repaired)


def _whole_into_sections(
    text: str, lines: list[str], bounds: list[tuple[int, int]], texts: list[str]
) -> ParsedConfig | None:
    """Compose a mostly new text in one go (one parse is far cheaper than hundreds), then cache
    its sections so the next keystroke recomposes one. None when the text needs the slow path."""
    try:
        composed = compose(text)
    except yaml.YAMLError:
        return None
    root = composed.root
    if not isinstance(root, Mapping) or composed.aliases or composed.max_depth > _DEEPEST_CACHED:
        return _from_composed(text, lines, composed, [])
    if len(texts) > _CACHE_SIZE:  # more sections than the cache holds: caching them, they would evict each other
        return _from_composed(text, lines, composed, [])
    index = 0
    for section_text, (a, b) in zip(texts, bounds):
        start = index
        while index < len(root.pairs) and root.pairs[index].key.span[0] < b:
            index += 1
        pairs = root.pairs[start:index]
        if pairs and section_text not in _sections:
            span = Span(*pairs[0].span.start, *pairs[-1].span.end)
            part = Composed(Mapping(span, pairs), documents=1, max_depth=composed.max_depth)
            _remember(section_text, _Section(part, [], b - a - 1, base=a))
    return _from_composed(text, lines, composed, [])


def _join(lines: list[str], a: int, b: int) -> str:
    """The text of lines [a, b) as the file has it (the last section keeps the file's own ending)."""
    return "\n".join(lines[a:b]) + ("\n" if b < len(lines) else "")


def _tolerant_section(lines: list[str], a: int, b: int) -> _Section:
    composed, problems = compose_tolerant(_join(lines, a, b))
    if composed is not None and not isinstance(composed.root, Mapping) and not problems:
        # A lone word at column 0 composes as a scalar document; in the file it is a key without ':'.
        problems = [SyntaxProblem(NO_COLON, Span(0, 0, 0, len(lines[a].rstrip())))]
    return _Section(composed, problems, b - a - 1)


def _assemble(text: str, lines: list[str], bounds: list[tuple[int, int]], sections: list[_Section]) -> ParsedConfig:
    result = ParsedConfig(text, lines, None)
    pairs: list[Pair] = []
    for (a, _), section in zip(bounds, sections):
        pairs += section.pairs_at(a)
        if section.problems:
            result.syntax += [SyntaxProblem(p.message, p.span.shifted(a)) for p in section.problems]
        c = section.composed
        if c is None:
            continue
        result.max_depth = max(result.max_depth, c.max_depth)
        if c.aliases:
            result.recursive_aliases += [Alias(x.span.shifted(a), x.name) for x in c.recursive_aliases]
            result.undefined_aliases += [Alias(x.span.shifted(a), x.name) for x in c.undefined_aliases]
    span = Span(*pairs[0].span.start, *pairs[-1].span.end) if pairs else Span(0, 0, 0, 0)
    result.root = Mapping(span, pairs)
    return result


def _section(text: str, line_count: int) -> _Section:
    hit = _sections.get(text)
    if hit is not None:
        _sections.move_to_end(text)
        return hit
    try:
        section = _Section(compose(text), [], line_count - 1)
    except yaml.YAMLError as exc:
        section = _Section(None, [describe(exc, text)], line_count - 1)
    _remember(text, section)
    return section


def _remember(text: str, section: _Section) -> None:
    _sections[text] = section
    if len(_sections) > _CACHE_SIZE:
        _sections.popitem(last=False)
