"""Jinja-style templates: a config with `{{ x }}`, `{% ... %}` or `{# ... #}` is rendered before
`tune run`. We check it with each placeholder replaced by a neutral stand-in of the same length, so
every other position (lines, and columns after a placeholder) stays exactly where it is:

- a whole value (`lr: {{ lr }}`, `- {{ x }}`, `[{{ a }}]`) becomes `"???"`, OmegaConf's "missing",
  which no type check objects to (quoted: a plain `?` in a flow collection starts a complex key);
- part of a string or dotpath (`/data/{{ name }}/x`) becomes `xxx…`: still a string;
- a key (`{{ key }}: 1`) becomes a distinct name (`k0___`), so two keys never collide;
- a statement line (`{% if %}`), a line that is only a placeholder (it may expand to whole YAML
  lines) and a comment become spaces; the `{% else %}`/`{% elif %}` branch of a statement is blanked
  too (two branches setting the same key would read as a duplicate key);
- a placeholder inside a quoted string is already a valid string: kept.

Findings on a placeholder are dropped (it is not what runs); the placeholders give one information.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tuneconf.document.tree import Span
from tuneconf.findings import Finding, Severity

_OPENERS = {"{{": "}}", "{%": "%}", "{#": "#}"}
_OPENER = re.compile(r"\{[{%#]")
# Statements that open or continue a block; the first word after `{%` and Jinja's `-`/`+` markers.
_STATEMENT_WORD = re.compile(r"\{%[-+]?[ \t]*([a-z]*)")
_OPENS = frozenset({"if", "for", "macro", "block", "call", "filter", "with", "raw"})
_CLOSES = frozenset({"endif", "endfor", "endmacro", "endblock", "endcall", "endfilter", "endwith", "endraw"})
_BRANCHES = frozenset({"else", "elif"})
# Findings that say a key is absent: keys may come from a statement or a templated key.
_ABSENCE_CODES = frozenset({"missing-key", "missing-argument"})


@dataclass(frozen=True)
class Template:
    text: str
    """The config with stand-ins: the same length, line by line, as the original."""
    spans: tuple[Span, ...]
    """Where the placeholders are (in both texts)."""
    makes_keys: bool
    """A statement, a templated key or a whole-line placeholder: rendering may add keys."""


def has_placeholder(text: str) -> bool:
    """The cheap test: ordinary configs pay three substring searches."""
    return "{{" in text or "{%" in text or "{#" in text


def stand_ins(text: str) -> Template | None:
    """The config with every placeholder replaced by a stand-in; None when it has none."""
    if not has_placeholder(text):
        return None
    lines = text.split("\n")
    starts = _line_starts(lines)
    spans = [_span(text, start, end) for start, end in _placeholders(text)]
    if not spans:
        return None
    out = list(text)
    keys = 0
    makes_keys = False
    for span in spans:
        kind = text[starts[span.start_line] + span.start_col + 1]
        if span.start_line != span.end_line:
            _blank(out, starts, span)
            makes_keys = True
            continue
        start, end = span.start_col, span.end_col
        role = "blank" if kind == "#" else _role(lines[span.start_line], start, end, statement=kind == "%")
        if role == "quoted":
            continue
        makes_keys = makes_keys or role in ("key", "line") or kind == "%"
        offset = starts[span.start_line]
        out[offset + start : offset + end] = _filler(role, end - start, keys)
        keys += role == "key"
    _blank_branches(out, lines, starts, spans)
    return Template("".join(out), tuple(spans), makes_keys)


def checked(template: Template, findings: list[Finding]) -> list[Finding]:
    """The findings of the stand-in text, less those a placeholder caused, plus the one information."""
    kept = [f for f in findings if not _caused(template, f)]
    n = len(template.spans)
    message = (
        f"This config is a template (Jinja placeholders): checked with stand-ins for {n} "
        f"placeholder{'s' if n != 1 else ''}; what they render to is not checked."
    )
    kept.append(Finding("template", Severity.INFORMATION, message, template.spans[0]))
    return sorted(kept, key=lambda f: (f.file or "", f.span.start, f.code))


def _caused(template: Template, finding: Finding) -> bool:
    if finding.file is not None:
        return False
    if template.makes_keys and finding.code in _ABSENCE_CODES:
        return True
    f = finding.span  # overlapping, or (a zero-width span) starting inside
    return any(f.start < p.end and (p.start < f.end or p.start <= f.start) for p in template.spans)


def _placeholders(text: str) -> list[tuple[int, int]]:
    """[start, end) offsets of each placeholder. Linear: an opener without its closer ends the search
    for that kind (no later one can close either)."""
    found: list[tuple[int, int]] = []
    unclosed: set[str] = set()
    pos = 0
    while True:
        match = _OPENER.search(text, pos)
        if match is None:
            return found
        opener = match.group()
        if opener in unclosed:
            pos = match.start() + 1
            continue
        close = text.find(_OPENERS[opener], match.end())
        if close < 0:
            unclosed.add(opener)
            pos = match.start() + 1
            continue
        found.append((match.start(), close + 2))
        pos = close + 2


def _span(text: str, start: int, end: int) -> Span:
    line = text.count("\n", 0, start)
    col = start - (text.rfind("\n", 0, start) + 1)
    end_line = line + text.count("\n", start, end)
    end_col = end - (text.rfind("\n", 0, end) + 1)
    return Span(line, col, end_line, end_col)


def _line_starts(lines: list[str]) -> list[int]:
    starts, offset = [], 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    return starts


def _role(line: str, start: int, end: int, statement: bool) -> str:
    """What the placeholder stands for: a whole "line", a "key", a whole "value", part of a "string",
    or "quoted" (inside a quoted string: left as it is)."""
    before, after = line[:start], line[end:]
    b, a = before.rstrip(" \t"), after.lstrip(" \t")
    if _quoted(before):
        return "quoted"
    if not b and (not a or a.startswith("#")):
        return "line"
    if statement:
        return "string"
    if a.startswith(":") and (len(a) == 1 or a[1] in " \t"):
        return "key"
    spaced = len(b) < len(before)
    opens = (
        not b or b.endswith(("[", "{", ",")) or (spaced and (b.endswith(":") or b == "-" or b.endswith((" -", "\t-"))))
    )
    closes = not a or a.startswith(("#", ",", "]", "}"))
    return "value" if opens and closes else "string"


def _quoted(before: str) -> bool:
    """Inside a quoted scalar: an odd count of unescaped double quotes before it, or a single quote
    opening a scalar (after `: `, `- `, a flow indicator or at the line's start) not yet closed."""
    if (before.count('"') - before.count('\\"')) % 2:
        return True
    first = before.find("'")
    if first < 0 or before.count("'") % 2 == 0:
        return False
    lead = before[:first].rstrip(" \t")
    return not lead or lead.endswith((":", "-", "[", "{", ","))


def _filler(role: str, length: int, key_index: int) -> str:
    if role == "value":
        return '"???"'.ljust(length)
    if role == "key":
        return f"k{key_index}".ljust(length, "_")[:length]
    if role == "string":
        return "x" * length
    return " " * length


def _blank(out: list[str], starts: list[int], span: Span) -> None:
    start = starts[span.start_line] + span.start_col
    end = starts[span.end_line] + span.end_col
    for i in range(start, end):
        if out[i] != "\n":
            out[i] = " "


def _blank_branches(out: list[str], lines: list[str], starts: list[int], spans: list[Span]) -> None:
    """Blank the lines of `{% else %}`/`{% elif %}` branches (whole-line statements only)."""
    statement_lines = {
        s.start_line: s for s in spans if s.start_line == s.end_line and lines[s.start_line].strip()[:2] == "{%"
    }
    skipping: list[bool] = []
    for number, line in enumerate(lines):
        span = statement_lines.get(number)
        if span is not None and line.strip() == line[span.start_col : span.end_col]:
            word_match = _STATEMENT_WORD.match(line, span.start_col)
            word = word_match.group(1) if word_match else ""
            if word in _OPENS:
                skipping.append(False)
            elif word in _BRANCHES and skipping:
                skipping[-1] = True
            elif word in _CLOSES and skipping:
                skipping.pop()
            continue
        if any(skipping):
            _blank(out, starts, Span(number, 0, number, len(line)))
