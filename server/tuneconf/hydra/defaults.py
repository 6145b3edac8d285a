"""A Hydra config's defaults list and `# @package` header, read from our YAML tree with spans.

Hydra reads a config's top-level `defaults:` list item by item (hydra/_internal/config_repository.py:
`_create_defaults_list`): a string item is a config path (`- some/config`, `- _self_`), a one-key mapping
is a group choice (`- optional override /db@pkg: mysql`, `- db: [a, b]`, `- db: null`); anything else is
refused with a ValueError when the file is loaded. `entries` gives the items Hydra accepts, `problems`
the ones it refuses, in Hydra's words. The package header is read like Hydra's `_get_header_dict`: from
the first 512 characters, header comment lines at the very top only (a blank line is skipped, any other
line ends the header).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tuneconf.document.parse import ParsedConfig
from tuneconf.document.tree import Mapping, Node, Scalar, Sequence, Span, deref

HEADER_CHARS = 512
"""Hydra reads a file's header from its first 512 characters."""

_KEYWORDS = ("optional", "override")
_HEADER_LINE = re.compile(r"^\s*#\s*@")


@dataclass(frozen=True)
class Entry:
    """One item of a defaults list that Hydra accepts."""

    span: Span
    """The whole list item."""
    group: str | None
    """The group path as written, without a leading '/'; None for `_self_` and plain config entries."""
    absolute: bool
    """Written as `/group` (or `- /some/config`): from the config root, not the file's group."""
    package: str | None
    """The `@pkg` of `group@pkg: option` (or of `- config@pkg`)."""
    options: tuple[str, ...]
    """The option(s) chosen: several for `group: [a, b]`, () for `group: null`."""
    option_spans: tuple[Span, ...]
    key_span: Span | None
    """The span of the key text (`override db@pkg`); None for string items."""
    optional: bool = False
    override: bool = False
    self_: bool = False
    null: bool = False
    config: str | None = None
    """A plain string item `- some/config`: a config path relative to the file's group (no leading '/')."""
    is_list: bool = False
    """The value was a list (`group: [a, b]`), even one of a single option."""
    unknown_keywords: tuple[str, ...] = ()
    """Words before the group that are not `optional`/`override` (Hydra silently ignores them)."""

    @property
    def written_group(self) -> str | None:
        """The group as Hydra holds it (`/db` for an absolute group)."""
        if self.group is None:
            return None
        return "/" + self.group if self.absolute else self.group

    @property
    def written_config(self) -> str | None:
        """The config path as Hydra holds it (`/some/config` for an absolute one)."""
        if self.config is None:
            return None
        return "/" + self.config if self.absolute else self.config


@dataclass(frozen=True)
class Header:
    """A `# @package VALUE` header; `span` covers VALUE."""

    value: str
    span: Span


def defaults_node(doc: ParsedConfig) -> Node | None:
    """The value of the top-level `defaults:` key (aliases followed); None when there is none."""
    mapping = doc.mapping
    if mapping is None:
        return None
    pair = mapping.get("defaults")
    if pair is None:
        return None
    return deref(pair.value) or pair.value


def entries(doc: ParsedConfig) -> list[Entry] | None:
    """The entries Hydra accepts in the top-level `defaults:` list, in order; None when absent.
    A `defaults:` that is not a list gives []."""
    node = defaults_node(doc)
    if node is None:
        return None
    if not isinstance(node, Sequence):
        return []
    found: list[Entry] = []
    for item in node.items:
        entry, _ = _read_item(item, "")
        if entry is not None:
            found.append(entry)
    return found


def problems(doc: ParsedConfig, config_path: str = "") -> list[tuple[Span, str]]:
    """What Hydra refuses in this file's defaults list and header, in Hydra's words (`config_path`,
    e.g. "db/mysql", fills the messages that name the file). Unknown keywords, which Hydra ignores
    silently, are reported too."""
    return [(span, message) for span, _, message in coded_problems(doc, config_path)]


def coded_problems(doc: ParsedConfig, config_path: str = "") -> list[tuple[Span, str, str]]:
    """`problems` with a code each: "invalid-header", "invalid-defaults", "invalid-entry", or
    "unknown-keyword" (the one Hydra does not refuse: it ignores the word)."""
    found: list[tuple[Span, str, str]] = [(s, "invalid-header", m) for s, m in _header_problems(doc.lines)]
    mapping = doc.mapping
    pair = mapping.get("defaults") if mapping is not None else None
    node = defaults_node(doc)
    if pair is None or node is None:
        return found
    if not isinstance(node, Sequence):
        kind = "mapping" if isinstance(node, Mapping) else _type_name(node)
        message = f"Invalid defaults list in '{config_path}', defaults must be a list (got {kind})"
        found.append((pair.value.span, "invalid-defaults", message))
        return found
    for item in node.items:
        entry, problem = _read_item(item, config_path)
        if problem is not None:
            found.append((item.span, "invalid-entry", problem))
        elif entry is not None and entry.unknown_keywords:
            words = ", ".join(f"'{w}'" for w in entry.unknown_keywords)
            message = (
                f"Unknown keyword {words} in '{_key_text(item)}': Hydra ignores it"
                " (the keywords are 'optional' and 'override')"
            )
            found.append((entry.key_span or item.span, "unknown-keyword", message))
    return found


def package_header(lines: list[str]) -> Header | None:
    """The `# @package VALUE` header, read as Hydra reads it; None when absent or malformed."""
    for line_no, line, splits in _header_lines(lines):
        if len(splits) == 2 and splits[0] == "@package":
            col = _value_column(line, splits[1])
            return Header(splits[1], Span(line_no, col, line_no, col + len(splits[1])))
    return None


def _header_problems(lines: list[str]) -> list[tuple[Span, str]]:
    found: list[tuple[Span, str]] = []
    for line_no, line, splits in _header_lines(lines):
        text = line.strip().lstrip("#").strip()
        span = Span(line_no, 0, line_no, len(line))
        if len(splits) < 2:
            found.append((span, f"Expected header format: KEY VALUE, got '{text}'"))
        elif len(splits) > 2:
            found.append((span, f"Too many components in '{text}'"))
    return found


def header_lines(lines: list[str]) -> list[tuple[int, str, list[str]]]:
    """The `# @KEY VALUE` lines Hydra reads as the header: (line number, line, components)."""
    return _header_lines(lines)


def _header_lines(lines: list[str]) -> list[tuple[int, str, list[str]]]:
    """The header lines within the first 512 characters: (line number, line, components)."""
    result: list[tuple[int, str, list[str]]] = []
    budget = HEADER_CHARS
    for line_no, full in enumerate(lines):
        if budget <= 0:
            break
        line = full[:budget]
        budget -= len(full) + 1
        stripped = line.strip()
        if not stripped:
            continue
        if not _HEADER_LINE.match(stripped):
            break
        splits = [s for s in stripped.lstrip("#").strip().split(" ") if s]
        result.append((line_no, line, splits))
    return result


def _value_column(line: str, value: str) -> int:
    at = line.find("@package")
    return line.find(value, at + len("@package")) if at >= 0 else line.rfind(value)


def _read_item(item: Node, config_path: str) -> tuple[Entry | None, str | None]:
    """An item as Hydra reads it: the entry, or why Hydra refuses it."""
    node = deref(item)
    where = f"In {config_path}: "
    if isinstance(node, Scalar) and isinstance(node.value, str):
        entry = _string_entry(item.span, node)
        if entry.config == "_self_" and entry.package is not None:
            return None, "_self_@PACKAGE is not supported"
        return entry, None
    if isinstance(node, Mapping):
        if len(node.pairs) > 1:
            return None, f"{where}Too many keys in default item {_repr_mapping(node)}"
        if not node.pairs:
            return None, f"{where}Missing group name in {{}}"
        return _group_entry(item.span, node)
    return None, f"Unsupported type in defaults : {_item_type_name(node)}"


def _string_entry(span: Span, node: Scalar) -> Entry:
    text: str = node.value
    if text == "_self_":
        return Entry(span, None, False, None, (), (), None, self_=True)
    path, package = _split_package(text)
    absolute = path.startswith("/")
    return Entry(span, None, absolute, package, (), (), None, config=path[1:] if absolute else path)


def _group_entry(span: Span, node: Mapping) -> tuple[Entry | None, str | None]:
    pair = node.pairs[0]
    key = deref(pair.key)
    if not isinstance(key, Scalar) or not isinstance(key.value, str):
        return None, "Unsupported key in defaults : the group must be a string"
    group_text, package = _split_package(key.value)
    words = group_text.split(" ")
    group, keywords = words[-1], words[:-1]
    flags: set[str] = set()
    unknown: list[str] = []
    for index, word in enumerate(keywords):
        if word not in _KEYWORDS:
            unknown = [w for w in keywords[index:] if w]
            break
        flags.add(word)
    if not group or group == "/":
        return None, f"Missing group name in {_repr_mapping(node)}"
    value = deref(pair.value)
    options, spans, problem = _options(value)
    if problem is not None:
        return None, problem
    absolute = group.startswith("/")
    entry = Entry(
        span,
        group[1:] if absolute else group,
        absolute,
        package,
        options,
        spans,
        pair.key.span,
        optional="optional" in flags,
        override="override" in flags,
        self_=options == ("_self_",) and not isinstance(value, Sequence),
        null=isinstance(value, Scalar) and value.value is None,
        is_list=isinstance(value, Sequence),
        unknown_keywords=tuple(unknown),
    )
    return entry, None


def _options(value: Node | None) -> tuple[tuple[str, ...], tuple[Span, ...], str | None]:
    if isinstance(value, Scalar):
        if value.value is None:
            return (), (), None
        if isinstance(value.value, str):
            return (value.value,), (value.span,), None
    if isinstance(value, Sequence):
        names: list[str] = []
        spans: list[Span] = []
        for item in value.items:
            node = deref(item)
            if not isinstance(node, Scalar) or not isinstance(node.value, str):
                kind = _type_name(node)
                return (), (), f"Unsupported item value in defaults : {kind}, nested list items must be strings"
            names.append(node.value)
            spans.append(item.span)
        return tuple(names), tuple(spans), None
    kind = _type_name(value)
    return (), (), f"Unsupported item value in defaults : {kind}. Supported: string or list"


def _split_package(text: str) -> tuple[str, str | None]:
    """`group@pkg` → ("group", "pkg"); a rename `@pkg:pkg2` keeps only pkg, as Hydra does."""
    at = text.find("@")
    if at == -1:
        return text, None
    package = text[at + 1 :]
    colon = package.find(":")
    return text[:at], package[:colon] if colon != -1 else package


def _type_name(node: Node | None) -> str:
    """The Python type name Hydra reports for a value (a node's `_value()`)."""
    if isinstance(node, Scalar):
        return type(node.value).__name__
    if isinstance(node, Mapping):
        return "dict"
    if isinstance(node, Sequence):
        return "list"
    return "NoneType"


def _item_type_name(node: Node | None) -> str:
    """The type name Hydra reports for a whole list item (containers are OmegaConf nodes there)."""
    if isinstance(node, Sequence):
        return "ListConfig"
    return _type_name(node)


def _repr_mapping(node: Mapping) -> str:
    parts = []
    for pair in node.pairs:
        key, value = deref(pair.key), deref(pair.value)
        parts.append(f"{_repr_value(key)}: {_repr_value(value)}")
    return "{" + ", ".join(parts) + "}"


def _repr_value(node: Node | None) -> str:
    if isinstance(node, Scalar):
        return repr(node.value)
    if isinstance(node, Mapping):
        return _repr_mapping(node)
    if isinstance(node, Sequence):
        return "[" + ", ".join(_repr_value(deref(i)) for i in node.items) + "]"
    return "None"


def _key_text(item: Node) -> str:
    node = deref(item)
    if isinstance(node, Mapping) and node.pairs:
        key = deref(node.pairs[0].key)
        if isinstance(key, Scalar):
            return key.text
    return ""
