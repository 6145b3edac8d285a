"""Hydra's defaults lists in the editor: go to definition and document links from an entry to its
option's file, completion of groups (folders) and options (files) under the config roots, hover on an
entry (the option's file head), and hover provenance on a key (which file gives its final value in the
composed config, and which files it overrides)."""

from __future__ import annotations

import re
from pathlib import Path

from lsprotocol import types

from tuneconf.context import AnalysisContext
from tuneconf.document.parse import ParsedConfig
from tuneconf.document.positions import Converter
from tuneconf.document.tree import Span
from tuneconf.files import read_text
from tuneconf.hydra.defaults import Entry, entries
from tuneconf.hydra.workspace import Place

HEAD_LINES = 12
_OPTION = re.compile(r"^(\s*-\s*)((?:(?:optional|override)\s+)*)(/?[\w./-]*)(@[\w.]*)?\s*:\s*([\w./-]*)$")
_GROUP = re.compile(r"^(\s*-\s*)((?:(?:optional|override)\s+)*)(/?[\w./-]*)$")


def _place(ctx: AnalysisContext) -> Place | None:
    return ctx.hydra.place if ctx.hydra is not None else None


def entry_target(entry: Entry, place: Place, option: str | None) -> Path | None:
    """The file an entry (or one of its options) selects."""
    from tuneconf.hydra.compose import find_config

    if entry.config is not None:
        path = entry.config if entry.absolute or not place.group else f"{place.group}/{entry.config}"
        return find_config(place.root.search, path)
    if entry.group is None or option is None:
        return None
    group = entry.group if entry.absolute or not place.group else f"{place.group}/{entry.group}"
    return find_config(place.root.search, f"{group}/{option}")


def _entry_at(doc: ParsedConfig, line: int, col: int) -> tuple[Entry, str | None] | None:
    for entry in entries(doc) or []:
        if not entry.span.contains(line, col):
            continue
        for option, span in zip(entry.options, entry.option_spans):
            if span.contains(line, col):
                return entry, option
        if entry.config is not None:
            return entry, None
        return entry, entry.options[0] if entry.options else None
    return None


def definition(doc: ParsedConfig, line: int, col: int, ctx: AnalysisContext) -> list[types.Location] | None:
    place = _place(ctx)
    found = _entry_at(doc, line, col) if place is not None else None
    if found is None or place is None:
        return None
    target = entry_target(found[0], place, found[1])
    if target is None:
        return None
    start = types.Position(line=0, character=0)
    return [types.Location(uri=target.as_uri(), range=types.Range(start=start, end=start))]


def links(doc: ParsedConfig, ctx: AnalysisContext, conv: Converter) -> list[types.DocumentLink]:
    place = _place(ctx)
    if place is None:
        return []
    found: list[types.DocumentLink] = []
    for entry in entries(doc) or []:
        pairs: list[tuple[Span, str | None]] = list(zip(entry.option_spans, entry.options))
        if entry.config is not None:
            pairs = [(entry.span, None)]
        for span, option in pairs:
            target = entry_target(entry, place, option)
            if target is not None:
                found.append(types.DocumentLink(range=conv.range(span), target=target.as_uri(), tooltip=str(target)))
    return found


def hover(doc: ParsedConfig, line: int, col: int, ctx: AnalysisContext, conv: Converter) -> types.Hover | None:
    place = _place(ctx)
    found = _entry_at(doc, line, col) if place is not None else None
    if found is None or place is None:
        return None
    entry, option = found
    target = entry_target(entry, place, option)
    if target is None:
        return None
    text, _ = read_text(target)  # a regular file within the size every config read has
    if text is None:
        return None
    head = text.splitlines()[:HEAD_LINES]
    text = f"**{place.root.relative(target)}**\n\n```yaml\n" + "\n".join(head) + "\n```"
    span = next((s for o, s in zip(entry.options, entry.option_spans) if o == option), entry.span)
    return types.Hover(types.MarkupContent(kind=types.MarkupKind.Markdown, value=text), conv.range(span))


def provenance(path: tuple[str | int, ...], ctx: AnalysisContext) -> str | None:
    """Markdown: which file gives the key's final value in the composed config, and which it overrides."""
    hydra = ctx.hydra
    place = _place(ctx)
    if hydra is None or place is None:
        return None
    composition = hydra.composition()
    if composition is None:
        return None
    full = tuple(str(k) for k in (*place.package, *path))
    files = composition.origins.get(full)
    if not files:  # a section: the files that set keys below it
        below = [f for key, found in composition.origins.items() if key[: len(full)] == full for f in found]
        files = tuple(dict.fromkeys(below))
    if not files:
        return None
    final = files[-1]
    where = f"`{'.'.join(map(str, full))}` in the composed config"
    if final == place.file and len(files) == 1:
        return f"{where}: set only here."
    lines = [
        f"{where}: final value from **{place.root.relative(final)}**" + (" (this file)" if final == place.file else "")
    ]
    earlier = list(files[:-1])
    if earlier:
        lines.append("overrides " + ", ".join(place.root.relative(f) for f in earlier))
    return "\n\n".join(lines)


def complete(
    doc: ParsedConfig, line: int, col: int, ctx: AnalysisContext, conv: Converter
) -> types.CompletionList | None:
    """Groups and options while an entry of the defaults list is typed."""
    place = _place(ctx)
    if place is None or not _in_defaults(doc, line) or line >= len(doc.lines):
        return None
    from tuneconf.hydra.compose import groups, options

    text = doc.lines[line][:col]
    search = place.root.search
    option = _OPTION.match(text)
    if option is not None:
        written, typed = option.group(3), option.group(5)
        group = written.lstrip("/") if written.startswith("/") or not place.group else f"{place.group}/{written}"
        names = options(search, group)
        start = col - len(typed)
        return _items(names, types.CompletionItemKind.File, line, start, col, conv, f"option of {group}")
    word = _GROUP.match(text)
    if word is None:
        return None
    typed = word.group(3)
    parent, _, partial = typed.lstrip("/").rpartition("/")
    base = parent if typed.startswith("/") or not place.group else "/".join(p for p in (place.group, parent) if p)
    names = [*groups(search, base)]
    start = col - len(partial)
    extra = [types.CompletionItem(label="_self_", kind=types.CompletionItemKind.Keyword)] if not typed else []
    return _items(names, types.CompletionItemKind.Folder, line, start, col, conv, "config group", extra)


def _items(
    names: list[str],
    kind: types.CompletionItemKind,
    line: int,
    start: int,
    col: int,
    conv: Converter,
    detail: str,
    extra: list[types.CompletionItem] | None = None,
) -> types.CompletionList:
    replace = conv.range(Span(line, start, line, col))
    items = [types.CompletionItem(label=name, kind=kind, detail=detail) for name in names] + (extra or [])
    return types.CompletionList(
        is_incomplete=False, items=items, item_defaults=types.CompletionItemDefaults(edit_range=replace)
    )


HYDRA_KEYS_DOC = {
    "_partial_": "true: instantiate returns functools.partial; required arguments may be left out",
    "_recursive_": "false: children are passed as config objects, not instantiated",
    "_convert_": "none | partial | object | all: how config children are passed (DictConfig or plain containers)",
    "_args_": "positional arguments, a list",
}
HYDRA_VALUES = {
    "_convert_": ("none", "partial", "object", "all"),
    "_partial_": ("true", "false"),
    "_recursive_": ("false", "true"),
}


def hydra_key_items(present: set[str], replace: types.Range) -> list[types.CompletionItem]:
    """Hydra's own keys of a `_target_` node, after its parameters."""
    return [
        types.CompletionItem(
            label=key,
            kind=types.CompletionItemKind.Keyword,
            detail=doc,
            sort_text=f"9{key}",
            text_edit=types.TextEdit(range=replace, new_text=f"{key}: "),
        )
        for key, doc in HYDRA_KEYS_DOC.items()
        if key not in present
    ]


def hydra_value_items(key: str, replace: types.Range) -> list[types.CompletionItem]:
    return [
        types.CompletionItem(
            label=v,
            kind=types.CompletionItemKind.Value,
            detail=HYDRA_KEYS_DOC[key],
            text_edit=types.TextEdit(range=replace, new_text=v),
        )
        for v in HYDRA_VALUES[key]
    ]


def _in_defaults(doc: ParsedConfig, line: int) -> bool:
    mapping = doc.mapping
    pair = mapping.get("defaults") if mapping is not None else None
    if pair is None:
        return False
    if pair.key.span.start_line < line <= pair.value.span.end_line:
        return True
    text = doc.lines[line] if line < len(doc.lines) else ""
    return line == pair.value.span.end_line + 1 and text[:1] in (" ", "\t", "-")
