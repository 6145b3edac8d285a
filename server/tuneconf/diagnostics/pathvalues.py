"""Which config values are paths, what each resolves to, and whether the run reads or writes it.

A value is a path when the resolved component's parameter says so by name (`path`, `*_dir`, `*_file`,
`*_files`, `*_path`) or annotation (Path, PathLike), plus torchtune's known inputs: a checkpointer's
`checkpoint_dir` and `checkpoint_files` (a list, or `filename_format` + `max_filename` expanded as
torchtune 0.6.1 does), `recipe_checkpoint` and `adapter_checkpoint` (joined to `output_dir`, read only
when the run resumes), and a dataset's `data_files` / `data_dir` when its `source` is a local packaged
builder (json, csv, parquet, text, ...; a hub `source` is not a path).

Inputs are what the run reads: they must exist. Outputs (`output_dir`, `log_dir`, anything whose name
says it is written: output, log, save, cache, ...) are never required to exist. An input of one of
torchtune's own components is `certain` (a typo there is an error); any other component's is a guess
by name (warnings only). Interpolations are resolved first, `~` is expanded, and a relative path is
taken from the folder `tune run` runs in.
"""

from __future__ import annotations

import os
import re
import string
from dataclasses import dataclass

from tuneconf.context import AnalysisContext
from tuneconf.document.components import Component, iter_components
from tuneconf.document.parse import ParsedConfig
from tuneconf.document.tree import KeyPath, Mapping, Node, Pair, Scalar, Sequence, deref
from tuneconf.index.records import Parameter, Symbol
from tuneconf.interpolation.grammar import parse_value
from tuneconf.interpolation.resolve import resolve_chain, target

_PATH_NAME = re.compile(r"^(?:path|checkpoint_files|data_files|[a-z0-9_]*_(?:dir|file|files|path))$")
_OUTPUT_WORD = re.compile(r"(?:^|_)(?:output|outputs|out|log|logs|logging|save|saved|cache|export|dump)(?:_|$)")
_PATH_ANNOTATION = re.compile(r"\b(?:Path|PathLike|PurePath|StrPath)\b")
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
CHECKPOINTERS = frozenset(
    f"torchtune.training.checkpointing._checkpointer.{name}"
    for name in ("FullModelHFCheckpointer", "FullModelMetaCheckpointer", "FullModelTorchTuneCheckpointer")
)
HF_CHECKPOINTER = "torchtune.training.checkpointing._checkpointer.FullModelHFCheckpointer"
LOCAL_SOURCES = frozenset(
    {"json", "csv", "parquet", "text", "arrow", "xml", "imagefolder", "audiofolder", "videofolder", "webdataset"}
)
"""`datasets.load_dataset` builders that read local files given by `data_files` / `data_dir`."""
MAX_FORMATTED = 10_000
"""`max_filename` beyond this is not expanded (torchtune would list that many files)."""
MAX_DEPTH = 16


@dataclass(frozen=True)
class PathValue:
    """One path-valued argument as the run will see it."""

    name: str
    """The argument's name ("path", "checkpoint_dir", an item of "data_files")."""
    owner: str
    """The component's short name (or "the recipe" for a top-level key)."""
    node: Node
    """The value as written (findings point here)."""
    text: str
    """The value after interpolation, before `~` and the base folder."""
    path: str
    """Absolute and normalised."""
    output: bool
    certain: bool
    """An input torchtune's own component reads: missing means the run fails (here)."""
    expect: str = "any"
    """file | dir | any"""
    base: str = ""
    """The folder a relative path was taken from ("" for an absolute one)."""


@dataclass(frozen=True)
class CheckpointFiles:
    """The files a checkpointer loads from its folder (torchtune's `get_model_checkpoint_path`)."""

    owner: str
    folder: str
    node: Node
    """The `checkpoint_files` value (or `checkpoint_dir` for files the checkpointer reads itself)."""
    names: tuple[tuple[str, Node], ...]
    """Each file name, with the node that names it."""


Item = PathValue | CheckpointFiles


def formatted_files(filename_format: str, max_filename: str) -> list[str] | None:
    """torchtune 0.6.1's `FormattedCheckpointFiles.build_checkpoint_filenames`; None where it raises
    (not exactly two placeholders, `max_filename` not a number) or would list over MAX_FORMATTED files."""
    try:
        fields = [part[1] for part in string.Formatter().parse(filename_format) if part[1] is not None]
        if len(fields) != 2:
            return None
        count = int(max_filename)
        if count > MAX_FORMATTED:
            return None
        return [filename_format.format(str(i + 1).zfill(len(max_filename)), max_filename) for i in range(count)]
    except (ValueError, IndexError, KeyError):
        return None


def is_path_parameter(param: Parameter) -> bool:
    return bool(_PATH_NAME.match(param.name) or (param.annotation and _PATH_ANNOTATION.search(param.annotation)))


def is_output(name: str) -> bool:
    return bool(_OUTPUT_WORD.search(name))


def collect(doc: ParsedConfig, ctx: AnalysisContext) -> tuple[list[PathValue], list[CheckpointFiles]]:
    """Every path value of the config, and the checkpoint files each checkpointer loads. Found once per
    top-level section and kept while it does not change (the file system is asked each time)."""
    top = doc.mapping
    if top is None:
        return [], []
    resume = _flag(doc, (), top)
    family = f"paths:{ctx.run_folder}:{resume}"  # what a section's paths depend on beside its own text
    found = ctx.per_section(family, doc, lambda pair: _section(doc, ctx, pair, resume))
    values = [item for item in found if isinstance(item, PathValue)]
    return values, [item for item in found if isinstance(item, CheckpointFiles)]


def _section(doc: ParsedConfig, ctx: AnalysisContext, section: Pair, resume: bool) -> list[Item]:
    base = str(ctx.run_folder) if ctx.run_folder is not None else None
    found: list[Item] = []
    if section.name == "output_dir":
        found += _values(doc, ("output_dir",), section, "the recipe", base, output=True, certain=False)
    prefix: KeyPath = (section.name,) if section.name is not None else ()
    for nested in iter_components(section.value, ctx.settings.component_keys):
        component = Component((*prefix, *nested.path), nested.mapping, nested.dotpath)
        resolution = ctx.resolve_or_defer(str(component.dotpath.value))
        symbol = resolution.symbol if resolution is not None else None
        if symbol is None or not symbol.callable or symbol.parameters is None:
            continue
        if symbol.target in CHECKPOINTERS:
            resumes = _flag(doc, component.path, component.mapping) or (resume and component.path == ("checkpointer",))
            values, files = _checkpointer(doc, component, symbol, base, resumes)
            found += [*values, *files]
            continue
        found += _dataset(doc, component, symbol, base)
        found += _arguments(doc, component, symbol, base)
    return found


def _arguments(doc: ParsedConfig, component: Component, symbol: Symbol, base: str | None) -> list[PathValue]:
    found: list[PathValue] = []
    torchtune = symbol.target.startswith("torchtune.")
    for pair in component.mapping.pairs:
        param = symbol.parameter(pair.name or "")
        if param is None or not param.by_keyword or not is_path_parameter(param) or param.name == "data_files":
            continue
        if "name_or_path" in param.name:
            continue  # a hub id or a folder: from_pretrained decides
        output = is_output(param.name)
        path = (*component.path, param.name)
        expect = "dir" if param.name.endswith("_dir") else "file" if torchtune else "any"
        for value in _values(doc, path, pair, symbol.short_name, base, output, torchtune and not output, expect):
            if torchtune or not _HUB_ID.match(value.text):
                found.append(value)
    return found


def _dataset(doc: ParsedConfig, component: Component, symbol: Symbol, base: str | None) -> list[PathValue]:
    """`data_files` / `data_dir` of a dataset whose `source` is a local packaged builder."""
    mapping, path = component.mapping, component.path
    source = mapping.get("source")
    if source is None or text_of(doc, (*path, "source"), source.value) not in LOCAL_SOURCES:
        return []
    found: list[PathValue] = []
    data_dir = mapping.get("data_dir")
    if data_dir is not None:
        found += _values(doc, (*path, "data_dir"), data_dir, symbol.short_name, base, False, True, "dir")
    files = mapping.get("data_files")
    if files is None:
        return found
    folder = found[0].path if found else base  # datasets takes data_files from data_dir when it is given
    for value in _values(doc, (*path, "data_files"), files, symbol.short_name, folder, False, True, "file"):
        if "://" not in value.text and not any(c in value.text for c in "*?["):
            found.append(value)
    return found


def _checkpointer(
    doc: ParsedConfig, component: Component, symbol: Symbol, base: str | None, resume: bool
) -> tuple[list[PathValue], list[CheckpointFiles]]:
    """A torchtune checkpointer: its folder, its files, and on resume what it reads from `output_dir`."""
    mapping, path, owner = component.mapping, component.path, symbol.short_name
    values: list[PathValue] = []
    folder = out = None
    if (pair := mapping.get("checkpoint_dir")) is not None:
        values += _values(doc, (*path, "checkpoint_dir"), pair, owner, base, False, True, "dir")
        folder = values[-1] if values else None
    if (pair := mapping.get("output_dir")) is not None:
        outputs = _values(doc, (*path, "output_dir"), pair, owner, base, output=True, certain=False)
        values += outputs
        out = outputs[0].path if outputs else None
    adapter = mapping.get("adapter_checkpoint")
    adapter_value = deref(adapter.value) if adapter is not None else None
    given = isinstance(adapter_value, Scalar) and adapter_value.value is not None
    if resume and out is not None:
        for name in ("recipe_checkpoint", "adapter_checkpoint"):
            if (pair := mapping.get(name)) is not None:
                values += _values(doc, (*path, name), pair, owner, out, False, True, "file")
    files: list[CheckpointFiles] = []
    if folder is not None and (not resume or given):  # on resume without an adapter, files come from output_dir
        files += _checkpoint_files(doc, component, owner, folder)
        if symbol.target == HF_CHECKPOINTER:
            files.append(CheckpointFiles(owner, folder.path, folder.node, (("config.json", folder.node),)))
    return values, files


def _checkpoint_files(doc: ParsedConfig, component: Component, owner: str, folder: PathValue) -> list[CheckpointFiles]:
    pair = component.mapping.get("checkpoint_files")
    if pair is None:
        return []
    path = (*component.path, "checkpoint_files")
    value = deref(pair.value)
    names: list[tuple[str, Node]] = []
    if isinstance(value, Sequence):
        for index, item in enumerate(value.items):
            text = text_of(doc, (*path, index), item)
            if text is None:
                return []  # one file we cannot name: say nothing rather than half
            names.append((text, item))
    elif isinstance(value, Mapping):
        fmt = value.get("filename_format")
        top = value.get("max_filename")
        fmt_text = text_of(doc, (*path, "filename_format"), fmt.value) if fmt is not None else None
        top_node = deref(top.value) if top is not None else None
        if fmt_text is None or not isinstance(top_node, Scalar) or not isinstance(top_node.value, str):
            return []
        top_text = text_of(doc, (*path, "max_filename"), top_node)
        expanded = formatted_files(fmt_text, top_text) if top_text is not None else None
        names = [(name, pair.value) for name in expanded or []]
    return [CheckpointFiles(owner, folder.path, pair.value, tuple(names))] if names else []


def _flag(doc: ParsedConfig, path: KeyPath, mapping: Mapping) -> bool:
    """Whether the mapping sets `resume_from_checkpoint` or `should_load_recipe_state` to true: the
    checkpointer's own, or the top level's, which the recipe passes as `should_load_recipe_state`."""
    for name in ("resume_from_checkpoint", "should_load_recipe_state"):
        pair = mapping.get(name)
        value = deref(pair.value) if pair is not None else None
        if isinstance(value, Scalar):
            value = resolve_chain(doc.root, (*path, name), value)
        if isinstance(value, Scalar) and value.value is True:
            return True
    return False


def _values(
    doc: ParsedConfig,
    path: KeyPath,
    pair: Pair,
    owner: str,
    base: str | None,
    output: bool,
    certain: bool,
    expect: str = "any",
) -> list[PathValue]:
    """The path (or, for a list or a split → files mapping, each path) a pair's value names."""
    value = deref(pair.value)
    items: list[tuple[KeyPath, Node]] = [(path, pair.value)]
    if isinstance(value, Sequence):
        items = [((*path, i), item) for i, item in enumerate(value.items)]
    elif isinstance(value, Mapping) and path[-1] == "data_files":
        items = [((*path, p.name or ""), p.value) for p in value.pairs]
        nested = [(k, deref(n)) for k, n in items]
        items = [((*k, i), item) for k, n in nested if isinstance(n, Sequence) for i, item in enumerate(n.items)]
        items += [(k, n) for k, n in nested if isinstance(n, Scalar)]
    found: list[PathValue] = []
    for where, node in items:
        text = text_of(doc, where, node)
        if not text:
            continue
        absolute, relative = _absolute(text, base)
        if absolute is not None:
            name = str(pair.name)
            where_from = (base or "") if relative else ""
            found.append(PathValue(name, owner, node, text, absolute, output, certain, expect, where_from))
    return found


def _absolute(text: str, base: str | None) -> tuple[str | None, bool]:
    expanded = os.path.expanduser(text) if text.startswith("~") else text
    if os.path.isabs(expanded):
        return os.path.normpath(expanded), False
    if base is None:
        return None, True
    return os.path.normpath(os.path.join(base, expanded)), True


def text_of(doc: ParsedConfig, path: KeyPath, node: Node | None, depth: int = 0) -> str | None:
    """A string value with its `${...}` references resolved in our tree; None when it is not a string,
    or uses a resolver, an escape or a reference we cannot follow."""
    value = deref(node)
    if not isinstance(value, Scalar) or isinstance(value.value, bool):
        return None
    raw = value.value
    if isinstance(raw, (int, float)) and depth > 0:
        return str(raw)  # an interpolation inside a string converts the number as OmegaConf does
    if not isinstance(raw, str) or depth > MAX_DEPTH:
        return None
    if "${" not in raw:
        return raw
    if "\\" in raw:
        return None
    parsed = parse_value(raw)
    if parsed.error or parsed.resolvers:
        return None
    pieces, at = [], 0
    for ref in sorted(parsed.references, key=lambda r: r.start):
        found = target(doc.root, path, ref)
        piece = text_of(doc, found.path, found.node, depth + 1) if found.node is not None else None
        if piece is None:
            return None
        pieces += [raw[at : ref.start], piece]
        at = ref.end
    pieces.append(raw[at:])
    return "".join(pieces)


@dataclass(frozen=True)
class Slot:
    """What a key takes when `collect` would read its value as a path: for completion, where the value
    is still being typed (an empty or half-written value names no path yet)."""

    expect: str
    """file | dir | any"""
    output: bool
    folder: str | None
    """The folder a relative value is taken from; None when it cannot be told statically."""
    role: str = ""
    """checkpoint (a checkpointer's files) | tokenizer | data (a local dataset's files) | ""."""
    source: str = ""
    """For role data: the packaged builder (json, csv, ...)."""


CHECKPOINT_KEYS = ("checkpoint_files", "recipe_checkpoint", "adapter_checkpoint")


def slot(
    doc: ParsedConfig, ctx: AnalysisContext, component: Component | None, symbol: Symbol | None, key: str
) -> Slot | None:
    """The slot `key` of `component` (None: the top level) is, by the rules `collect` applies (but the
    resume files are slots whether or not the run resumes); None when `collect` would not read it as a path."""
    base = str(ctx.run_folder) if ctx.run_folder is not None else None
    if component is None:
        return Slot("any", True, base) if key == "output_dir" else None
    if symbol is None or not symbol.callable or symbol.parameters is None:
        return None
    mapping, path = component.mapping, component.path
    if symbol.target in CHECKPOINTERS:
        if key in ("checkpoint_dir", "output_dir"):
            return Slot("dir", False, base) if key == "checkpoint_dir" else Slot("any", True, base)
        if key not in CHECKPOINT_KEYS:
            return None
        folder_key = "checkpoint_dir" if key == "checkpoint_files" else "output_dir"
        pair = mapping.get(folder_key)
        text = text_of(doc, (*path, folder_key), pair.value) if pair is not None else None
        folder = _absolute(text, base)[0] if text else None
        return Slot("file", False, folder, "checkpoint")
    source = mapping.get("source")
    builder = text_of(doc, (*path, "source"), source.value) if source is not None else None
    if builder in LOCAL_SOURCES and key in ("data_dir", "data_files"):
        if key == "data_dir":
            return Slot("dir", False, base, "data", str(builder))
        pair = mapping.get("data_dir")
        text = text_of(doc, (*path, "data_dir"), pair.value) if pair is not None else None
        folder = _absolute(text, base)[0] if text else base
        return Slot("file", False, folder, "data", str(builder))
    param = symbol.parameter(key)
    if param is None or not param.by_keyword or not is_path_parameter(param) or param.name == "data_files":
        return None
    if "name_or_path" in param.name:
        return None
    torchtune = symbol.target.startswith("torchtune.")
    expect = "dir" if param.name.endswith("_dir") else "file" if torchtune else "any"
    tokenizer = "tokenizer" in symbol.target.lower() or param.name in TOKENIZER_FILES
    return Slot(expect, is_output(param.name), base, "tokenizer" if tokenizer else "")


TOKENIZER_FILES = frozenset({"merges_file", "vocab_file", "tokenizer_file", "tokenizer_path", "special_tokens_path"})
"""Arguments that name a tokenizer's files whatever the component."""
