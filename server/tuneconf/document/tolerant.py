"""Composing text that may not parse: report the first syntax error, then blank lines until it does.

While the user types, a config is often broken in one place (a half-typed key,
an unclosed `[` or quote, a stray tab). We keep a tree for the rest by blanking
the offending line (then the line the error's context points at) and trying
again, a bounded number of times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from tuneconf.document.compose import Composed, compose
from tuneconf.document.tree import Span

MAX_RETRIES = 8
LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class SyntaxProblem:
    message: str
    span: Span


def split_lines(text: str) -> list[str]:
    """Lines as LSP counts them (\\n, \\r\\n and \\r end a line), without their ends."""
    return LINE_BREAK.split(text)


NO_COLON = "YAML syntax: this key has no ':'. Write `key: value`, or remove the line."


def compose_tolerant(text: str) -> tuple[Composed | None, list[SyntaxProblem]]:
    """Compose `text`; on a syntax error, report it and compose what is left without the broken lines."""
    try:
        return compose(text), []
    except yaml.YAMLError as first:
        problems = [describe(first, text)]
        error: yaml.YAMLError = first
    lines = split_lines(text)
    blanked: set[int] = set()
    for _ in range(MAX_RETRIES):
        line = _line_to_blank(error, text, lines, blanked)
        if line is None:
            break
        blanked.add(line)
        lines[line] = ""
        try:
            return compose("\n".join(lines)), problems
        except yaml.YAMLError as again:
            error = again
    return None, problems


def _line_to_blank(error: yaml.YAMLError, text: str, lines: list[str], blanked: set[int]) -> int | None:
    problem: int | None
    context: int | None
    if not isinstance(error, yaml.MarkedYAMLError):
        problem, context = position_of(text, getattr(error, "position", 0) or 0)[0], None
    else:
        problem = error.problem_mark.line if error.problem_mark else None
        context = error.context_mark.line if error.context_mark else None
    order = [context, problem] if _points_at_context(error) else [problem, context]
    for line in order:
        if line is not None and line < len(lines) and line not in blanked and lines[line].strip():
            return line
    # Nothing left at either mark (an unclosed bracket ending at the end of the text): walk back.
    start = min(x for x in (problem, context, len(lines) - 1) if x is not None)
    for line in range(min(start, len(lines) - 1), -1, -1):
        if line not in blanked and lines[line].strip():
            return line
    return None


def describe(error: yaml.YAMLError, text: str) -> SyntaxProblem:
    """A diagnostic for a PyYAML error: where it is and what to do about it."""
    if not isinstance(error, yaml.MarkedYAMLError):
        return _reader_problem(error, text)
    problem = (error.problem or "").strip()
    context = (error.context or "").strip()
    mark = error.problem_mark or error.context_mark
    if _points_at_context(error) and error.context_mark is not None:
        mark = error.context_mark
    lines = split_lines(text)
    line = min(mark.line, len(lines) - 1) if mark else 0
    col = min(mark.column, len(lines[line])) if mark else 0
    end = _token_end(lines[line], col)
    return SyntaxProblem(_advice(problem, context, lines[line]), Span(line, col, line, end))


def _reader_problem(error: yaml.YAMLError, text: str) -> SyntaxProblem:
    line, col = position_of(text, getattr(error, "position", 0) or 0)
    char = getattr(error, "character", None)
    what = f"U+{ord(char):04X}" if isinstance(char, str) else "a control character"
    return SyntaxProblem(f"YAML syntax: {what} is not allowed in YAML. Remove it.", Span(line, col, line, col + 1))


def position_of(text: str, index: int) -> tuple[int, int]:
    """(line, column) of a code point index."""
    lines = split_lines(text[:index])
    return len(lines) - 1, len(lines[-1])


def _points_at_context(error: yaml.YAMLError) -> bool:
    """Errors whose cause is where their context starts: a key without ':', an unclosed bracket or quote."""
    context = getattr(error, "context", None) or ""
    return any(word in context for word in ("simple key", "flow", "quoted"))


def _token_end(line: str, col: int) -> int:
    if col >= len(line):
        return col
    match = re.compile(r"[^\s:,\[\]{}]+").match(line, col)
    return match.end() if match and match.end() > col else col + 1


def _advice(problem: str, context: str, line: str) -> str:
    where = f" ({context})" if context else ""
    if "could not find expected ':'" in problem:
        return NO_COLON
    if "cannot start any token" in problem and "\t" in line:
        return "YAML syntax: a tab is not allowed here. Indent with spaces."
    if "expected ',' or ']'" in problem:
        return "YAML syntax: unclosed '['. Close the list with ']'."
    if "expected ',' or '}'" in problem:
        return "YAML syntax: unclosed '{'. Close the mapping with '}'."
    if "end of stream" in problem and "quoted scalar" in context:
        return "YAML syntax: unclosed quote. Add the closing quote."
    if "mapping values are not allowed" in problem:
        return "YAML syntax: unexpected ':' here. Quote the value if it contains ': ', or fix the indentation."
    if "found duplicate anchor" in problem:
        return f"YAML syntax: {problem}."
    return f"YAML syntax: {problem}{where}."
