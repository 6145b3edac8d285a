"""Docstrings: Google-style `Args:` sections into per-parameter docs, and Markdown for hovers."""

from __future__ import annotations

import re

_SECTION = re.compile(r"^(\s*)(Args|Arguments|Parameters|Keyword Args|Keyword Arguments|Kwargs)\s*:\s*$")
_ANY_SECTION = re.compile(r"^\s*[A-Z][A-Za-z ]+:\s*$")
_ENTRY = re.compile(r"^(\*{0,2}[A-Za-z_][A-Za-z0-9_]*)\s*(?:\(([^)]*)\)\s*)?:\s?(.*)$")  # one \s* per gap


def parameter_docs(doc: str) -> dict[str, str]:
    """{name: description} from every Args-like section of a Google-style docstring."""
    lines = doc.expandtabs().splitlines()
    docs: dict[str, str] = {}
    index = 0
    while index < len(lines):
        match = _SECTION.match(lines[index])
        index += 1
        if match is None:
            continue
        base = len(match.group(1))
        index = _read_entries(lines, index, base, docs)
    return docs


def _read_entries(lines: list[str], index: int, base: int, docs: dict[str, str]) -> int:
    entry_indent: int | None = None
    current: str | None = None
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if stripped and indent <= base:
            break
        if stripped and (entry_indent is None or indent == entry_indent):
            match = _ENTRY.match(stripped)
            if match:
                entry_indent = indent
                current = match.group(1).lstrip("*")
                kind = f"({match.group(2)}) " if match.group(2) else ""
                docs[current] = (kind + match.group(3)).strip()
                index += 1
                continue
        if current is not None:
            docs[current] = (docs[current] + "\n" + stripped).strip() if stripped else docs[current] + "\n"
        index += 1
    for name, text in docs.items():
        docs[name] = re.sub(r"\n{2,}", "\n\n", text).strip()
    return index


def summary(doc: str) -> str:
    """The docstring's first paragraph."""
    paragraphs = re.split(r"\n\s*\n", doc.strip(), maxsplit=1)
    return " ".join(line.strip() for line in paragraphs[0].splitlines()) if paragraphs and paragraphs[0] else ""


def to_markdown(doc: str) -> str:
    """A docstring for a Markdown hover: prose kept, Sphinx roles made code, examples fenced."""
    text = _dedent(doc)
    text = re.sub(r":(?:func|class|meth|attr|mod|obj|data|ref|py:\w+):`~?([^`]+)`", r"`\1`", text)
    text = re.sub(r"``([^`]+)``", r"`\1`", text)
    out: list[str] = []
    in_example = False
    for line in text.splitlines():
        if line.lstrip().startswith(">>>") and not in_example:
            out.append("```python")
            in_example = True
        elif in_example and not line.lstrip().startswith((">>>", "...")) and not line.strip():
            out.append("```")
            in_example = False
        header = _ANY_SECTION.match(line)
        if header and not in_example and not line.startswith(" "):
            out.append(f"**{line.strip().rstrip(':')}**")
            continue
        out.append(line.replace(">>> ", "", 1) if in_example else line)
    if in_example:
        out.append("```")
    return "\n".join(out).strip()


def _dedent(doc: str) -> str:
    lines = doc.expandtabs().splitlines()
    if not lines:
        return ""
    rest = [line for line in lines[1:] if line.strip()]
    margin = min((len(line) - len(line.lstrip()) for line in rest), default=0)
    return "\n".join([lines[0].strip()] + [line[margin:] for line in lines[1:]])
