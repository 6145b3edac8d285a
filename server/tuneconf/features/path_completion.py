"""Completion of paths inside path-valued values: the entries of the folder the typed text names.

Which keys take paths, and the folder a relative value starts from, is diagnostics/pathvalues.py (`slot`):
the run folder, the checkpoint folder for `checkpoint_files` items, `output_dir` for the resume files,
`data_dir` for a local dataset's `data_files`. Absolute and `~` values are listed from where they point;
`${...}` in the folder part is resolved first. Files are filtered by what fits the slot (checkpoint files,
tokenizer files, the dataset builder's format); a `*_dir` lists folders only. Folders end with `/` and
ask the editor to suggest again. The folder is listed through diagnostics/stats.py within BUDGET_S (an
unanswered listing is an empty, incomplete list: the editor asks again); hidden entries only when the
typed name starts with '.'; at most MAX_ITEMS items (then the list narrows as the name is typed).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

from lsprotocol import types

from tuneconf.context import AnalysisContext
from tuneconf.diagnostics.pathvalues import Slot, slot, text_of
from tuneconf.diagnostics.stats import STATS, StatCache
from tuneconf.document import tags
from tuneconf.document.components import Component, component_of, iter_components
from tuneconf.document.cursor import ValueContext, mapping_for, section_at
from tuneconf.document.parse import ParsedConfig
from tuneconf.document.positions import Converter
from tuneconf.document.tree import KeyPath, Mapping, Scalar, Span

MAX_ITEMS = 500
BUDGET_S = 0.2
"""How long a completion waits for a folder listing (it runs on a thread; the answer is kept)."""
SUFFIXES = {
    "checkpoint": (".safetensors", ".bin", ".pt", ".pth"),
    "tokenizer": (".model", ".json", ".txt", ".tiktoken"),
    "json": (".json", ".jsonl"),
    "csv": (".csv", ".tsv"),
    "parquet": (".parquet",),
    "text": (".txt",),
    "arrow": (".arrow",),
    "xml": (".xml",),
}
# `- value` typed as a block list item, and the `key:` line above that holds the list (both one line).
_ITEM = re.compile(r"^(?P<indent>[ \t]*)-[ \t]+(?P<quote>['\"]?)(?P<value>[^'\"#]*)$")
_KEY = re.compile(r"^(?P<indent>[ \t]*)(?P<key>[\w.\-]+)[ \t]*:[ \t]*(?:#.*)?$")
_PLAIN_NAME = re.compile(r"^[\w.+@=~-]+$")
_WORD_END = re.compile(r"[^\s'\",\]}#/]*")
_SUGGEST = types.Command(title="Suggest", command="editor.action.triggerSuggest")


@dataclass(frozen=True)
class Typing:
    """A path being typed: the value so far (`prefix`, without its quote) of `key` in `mapping`."""

    mapping: Mapping
    key: str
    prefix: str
    quote: str
    line: int
    start: int
    """The column where the value's text starts."""
    index: int | None = None
    """Its place in a list, when it is a list item."""


def typing_of(doc: ParsedConfig, line: int, col: int, context: object) -> Typing | None:
    """The path value typed at (line, col), from the cursor context (a value, a flow-list item), or a
    block list item `- ...` under a `key:` line (document/cursor.py reads that as a key)."""
    text = doc.lines[line][:col] if line < len(doc.lines) else ""
    if isinstance(context, ValueContext):
        if context.mapping is None:
            return None
        quote = text[col - len(context.prefix) - 1 : col - len(context.prefix)] if len(context.prefix) < col else ""
        quote = quote if quote in ("'", '"') else ""
        start = context.replace.start_col
        index = 0 if context.in_list else None
        return Typing(context.mapping, context.key, context.prefix, quote, line, start, index)
    item = _ITEM.match(text)
    if item is None:
        return None
    dash = len(item.group("indent"))
    for above in range(line - 1, -1, -1):
        other = doc.lines[above]
        stripped = other.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(other) - len(other.lstrip())
        if indent > dash or (indent == dash and stripped.startswith("-")):
            continue
        key = _KEY.match(other) if indent <= dash else None
        mapping = mapping_for(doc, above, indent) if key is not None else None
        if key is None or mapping is None:
            return None
        start = col - len(item.group("value"))
        return Typing(mapping, key.group("key"), item.group("value"), item.group("quote"), line, start, 0)
    return None


def complete_path(
    doc: ParsedConfig, typing: Typing, ctx: AnalysisContext, conv: Converter, stats: StatCache = STATS
) -> types.CompletionList | None:
    """The entries that fit where the typed path points; None when the key takes no path."""
    found = _slot_of(doc, typing, ctx)
    if found is None:
        return None
    where, place = found
    folder_part, slash, partial = typing.prefix.rpartition("/")
    folder = _folder(doc, where, folder_part + slash, place.folder)
    if folder is None:
        return None
    entries = stats.kinds(folder, time.monotonic() + BUDGET_S)
    if entries is None:
        return types.CompletionList(is_incomplete=True, items=[])  # the listing comes later: ask again
    start = typing.start + len(typing.prefix) - len(partial)
    end = _word_end(doc.lines[typing.line], start + len(partial))
    replace = conv.range(Span(typing.line, start, typing.line, end))
    folders_only = place.expect == "dir" or typing.key.endswith("_dir")
    items, complete = _items(entries, place, folders_only, partial, typing.quote)
    defaults = types.CompletionItemDefaults(edit_range=replace)
    return types.CompletionList(is_incomplete=not complete, items=items, item_defaults=defaults)


def _slot_of(doc: ParsedConfig, typing: Typing, ctx: AnalysisContext) -> tuple[KeyPath, Slot] | None:
    """The value's key path and its slot."""
    if typing.mapping is doc.mapping:
        top = slot(doc, ctx, None, None, typing.key)
        return ((typing.key,), top) if top is not None else None
    component = _component(doc, typing, ctx.settings.component_keys)
    if component is None:
        return None
    resolution = ctx.resolve_or_wait(str(component.dotpath.value))
    symbol = resolution.symbol if resolution is not None else None
    found = slot(doc, ctx, component, symbol, typing.key)
    if found is None:
        return None
    where: KeyPath = (*component.path, typing.key)
    return ((*where, typing.index) if typing.index is not None else where), found


def _component(doc: ParsedConfig, typing: Typing, keys: Sequence[str]) -> Component | None:
    """The component whose mapping is being typed in, with its path (for `${...}` relative to it)."""
    if component_of(typing.mapping, keys) is None:
        return None
    section = section_at(doc, typing.line)
    prefix: KeyPath = (section.name,) if section is not None and section.name is not None else ()
    value = section.value if section is not None else None
    for found in iter_components(value, keys):
        if found.mapping is typing.mapping:
            return Component((*prefix, *found.path), found.mapping, found.dotpath)
    return None


def _folder(doc: ParsedConfig, where: KeyPath, typed: str, base: str | None) -> str | None:
    """The folder the typed text names (`${...}` resolved, `~` expanded, a relative one from `base`)."""
    if "${" in typed:
        stand_in = Scalar(Span(-1, 0, -1, 0), typed, typed, tags.STR)
        resolved = text_of(doc, where, stand_in)
        if resolved is None:
            return None
        typed = resolved
    typed = os.path.expanduser(typed) if typed.startswith("~") else typed
    if os.path.isabs(typed):
        return os.path.normpath(typed)
    return os.path.normpath(os.path.join(base, typed)) if base is not None else None


def _items(
    entries: tuple[tuple[str, bool], ...], place: Slot, folders_only: bool, partial: str, quote: str
) -> tuple[list[types.CompletionItem], bool]:
    """The items that fit, and whether that is all of them."""
    suffixes = SUFFIXES.get(place.source or place.role)
    hidden = partial.startswith(".")
    fits = [
        (name, is_dir)
        for name, is_dir in entries
        if (hidden or not name.startswith("."))
        and (is_dir or (not folders_only and (suffixes is None or name.lower().endswith(suffixes))))
        and _writable(name, quote)
    ]
    complete = len(fits) <= MAX_ITEMS
    if not complete:  # narrow on the server: the editor asks again as the name is typed
        lowered = partial.lower()
        fits = [(n, d) for n, d in fits if n.lower().startswith(lowered)]
    return [_item(name, is_dir) for name, is_dir in fits[:MAX_ITEMS]], complete


def _item(name: str, is_dir: bool) -> types.CompletionItem:
    if is_dir:
        return types.CompletionItem(
            label=name + "/",
            kind=types.CompletionItemKind.Folder,
            sort_text="0" + name.lower(),
            command=_SUGGEST,
        )
    return types.CompletionItem(label=name, kind=types.CompletionItemKind.File, sort_text="1" + name.lower())


def _writable(name: str, quote: str) -> bool:
    """Whether the name can be inserted as it is: plain YAML for an unquoted value, no quote or escape
    inside a quoted one."""
    if not quote:
        return bool(_PLAIN_NAME.match(name))
    return quote not in name and "\\" not in name and "\n" not in name


def _word_end(text: str, col: int) -> int:
    """Where the path segment at `col` ends (the next `/`, quote, comma, bracket or space)."""
    match = _WORD_END.match(text, col)
    return match.end() if match is not None else col
