"""workspace/symbol: every component and top-level key of the workspace's configs (workspace_index.py).

A component's symbol is named by its dotpath's last segment (`AdamW`, in every config that uses it, each
with its line); a top-level key by itself. The query matches as VS Code's own filter does: its characters
in order, any case. Distinct names are far fewer than symbols (`model` is in every config), so each
name is matched once and the table of names is built once per generation of the index."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lsprotocol import types

from tuneconf.document.positions import Encoding, to_client
from tuneconf.document.tree import KeyPath, Span
from tuneconf.workspace_index import ConfigRecord, WorkspaceIndex

MAX_RESULTS = 500
"""What a query answers at most (the client filters and sorts again as the user types)."""


@dataclass(frozen=True, slots=True)
class _Entry:
    name: str
    kind: types.SymbolKind
    record: ConfigRecord
    span: Span
    container: str


@dataclass
class _Table:
    index_id: int
    generation: int
    names: dict[str, list[_Entry]]
    """Lower-cased name → its symbols, in the order the configs were read."""


_table: _Table | None = None


def workspace_symbols(
    index: WorkspaceIndex, query: str, encoding: Encoding, limit: int = MAX_RESULTS
) -> list[types.WorkspaceSymbol]:
    """The symbols whose name holds the query's characters in order (any case): names that start with the
    query first, then those that contain it, then the rest, shorter names first; at most `limit`."""
    wanted = query.lower().replace(" ", "")
    names = _names(index)
    matched = [name for name in names if _subsequence(wanted, name)]
    matched.sort(key=lambda name: (_rank(wanted, name), len(name), name))
    found: list[types.WorkspaceSymbol] = []
    for name in matched:
        for entry in names[name]:
            if len(found) >= limit:
                return found
            found.append(_symbol(entry, encoding))
    return found


def _names(index: WorkspaceIndex) -> dict[str, list[_Entry]]:
    global _table
    table = _table
    if table is not None and table.index_id == id(index) and table.generation == index.generation:
        return table.names
    generation = index.generation
    names: dict[str, list[_Entry]] = {}
    for record in index.records():
        for entry in _entries(record):
            names.setdefault(entry.name.lower(), []).append(entry)
    _table = _Table(id(index), generation, names)
    return names


def _entries(record: ConfigRecord) -> Iterator[_Entry]:
    for key in record.keys:
        yield _Entry(key.name, types.SymbolKind.Property, record, key.span, record.relative)
    for use in record.uses:
        last = use.dotpath.rsplit(".", 1)[-1]
        kind = types.SymbolKind.Class if last[:1].isupper() else types.SymbolKind.Function
        container = f"{record.relative} · {dotted(use.path) or '(root)'} ({use.dotpath})"
        yield _Entry(last, kind, record, use.span, container)


def _subsequence(query: str, name: str) -> bool:
    rest = iter(name)
    return all(char in rest for char in query)


def _rank(query: str, name: str) -> int:
    if name.startswith(query):
        return 0
    return 1 if query in name else 2


def _symbol(entry: _Entry, encoding: Encoding) -> types.WorkspaceSymbol:
    location = types.Location(uri=entry.record.uri, range=client_range(entry.record, entry.span, encoding))
    return types.WorkspaceSymbol(name=entry.name, kind=entry.kind, location=location, container_name=entry.container)


def client_range(record: ConfigRecord, span: Span, encoding: Encoding) -> types.Range:
    """A span of a record in the client's units (only lines beyond ASCII need converting)."""
    return types.Range(
        start=_position(record, span.start_line, span.start_col, encoding),
        end=_position(record, span.end_line, span.end_col, encoding),
    )


def _position(record: ConfigRecord, line: int, col: int, encoding: Encoding) -> types.Position:
    text = record.wide_lines.get(line)
    return types.Position(line=line, character=to_client(text, col, encoding) if text is not None else col)


def dotted(path: KeyPath) -> str:
    """("dataset", 0, "source") → dataset[0].source."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text
