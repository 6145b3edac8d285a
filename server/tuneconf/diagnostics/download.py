"""Where a missing model comes from: the `tune download REPO --output-dir DIR` line of a config's header
comment, or of the built-in config it was copied from (a `tune cp` copy's `tune run ... --config NAME`
line names it; its file is read from the installed torchtune, never imported).

A line is a real comment (not a line inside a multi-line string), read as tokens (shlex) as the argparse
of `tune download` reads them; only the repo, the output folder and `--ignore-patterns` are kept: a token
written in a comment (`--hf-token <HF_TOKEN>`) is never carried on; `tune download` reads HF_TOKEN from
the environment itself (torchtune 0.6.1). A line with a flag we do not know, another source than the
Hugging Face Hub, or a stray word is not offered.
The download is offered only where its output folder is the missing checkpoint folder, or holds it or the
missing tokenizer file (both resolved first).
"""

from __future__ import annotations

import functools
import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tuneconf.context import AnalysisContext
from tuneconf.diagnostics.pathvalues import PathValue
from tuneconf.document.parse import ParsedConfig
from tuneconf.document.tree import Scalar, walk
from tuneconf.files import read_text
from tuneconf.recipes.registry import Registry, tune_runs

# [ \t], never \s, in a re.M pattern (see recipes/registry.py: _TUNE_RUN).
_TUNE_DOWNLOAD = re.compile(r"^[ \t]*#.*?\btune[ \t]+download[ \t]+(?P<args>.*)", re.M)
# A Hugging Face repo id, whole: bounded runs (linear under `search` too), one `/`. Links use it as well.
REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}/[\w.-]{1,96}$")
_KEPT = ("--output-dir", "--ignore-patterns")
_DROPPED = ("--hf-token", "--kaggle-username", "--kaggle-api-key")
_DEFAULT_FOLDER = "/tmp"
"""Where torchtune 0.6.1's `tune download` puts a model without --output-dir: /tmp/<model name>."""


@dataclass(frozen=True)
class DownloadSource:
    """One `tune download` a config names, as tuneconf would run it."""

    repo: str
    output_dir: str
    """Absolute and normalised (a relative one is taken from the folder `tune run` runs in)."""
    ignore_patterns: str | None = None
    origin: str = "the header"
    """Where the line was read: "the header", or "the header of llama3_2/1B_lora" (a built-in)."""

    def arguments(self) -> list[str]:
        """What follows `tune`: `download REPO --output-dir DIR [--ignore-patterns P]`."""
        ignore = ["--ignore-patterns", self.ignore_patterns] if self.ignore_patterns else []
        return ["download", self.repo, "--output-dir", self.output_dir, *ignore]

    def shown(self) -> str:
        """The command as a person would type it (quoted for a POSIX shell; never run as one)."""
        return shlex.join(["tune", *self.arguments()])

    def data(self) -> dict[str, Any]:
        """The finding's `data["download"]` (JSON: it travels with the diagnostic)."""
        return {"repo": self.repo, "output_dir": self.output_dir, "ignore_patterns": self.ignore_patterns}


def download_for(doc: ParsedConfig, value: PathValue, ctx: AnalysisContext) -> DownloadSource | None:
    """The download that brings the missing checkpoint folder or tokenizer file `value`, when the config
    (or the built-in it was copied from) says how; None for any other path, or when no line fits."""
    if value.output or not (value.name == "checkpoint_dir" or "tokenizer" in value.owner.lower()):
        return None
    base = str(ctx.run_folder) if ctx.run_folder is not None else None
    missing = os.path.realpath(value.path)
    for source in _candidates(doc, base, ctx.registry):
        folder = os.path.realpath(source.output_dir)
        if missing == folder or missing.startswith(folder.rstrip(os.sep) + os.sep):
            return source
    return None


def _candidates(doc: ParsedConfig, base: str | None, registry: Registry | None) -> list[DownloadSource]:
    """The config's own `tune download` lines, then those of each built-in config its header names."""
    found = tune_downloads(doc.text, base, _string_lines(doc))
    for _recipe, config in tune_runs(doc.text):
        file = builtin_config_file(registry, config)
        if file is not None:
            found += [_from(s, config) for s in _builtin_downloads(str(file), _mtime(file))]
    return found


def _from(source: DownloadSource, config: str) -> DownloadSource:
    return DownloadSource(source.repo, source.output_dir, source.ignore_patterns, f"the header of {config}")


def tune_downloads(text: str, base: str | None, strings: frozenset[int] = frozenset()) -> list[DownloadSource]:
    """Each `tune download` comment line of `text` that can be run as written, in order; not one of the
    lines `strings` (0-based: inside a multi-line string, where a `#` starts no comment)."""
    found = []
    for match in _TUNE_DOWNLOAD.finditer(text):
        if strings and text.count("\n", 0, match.start()) in strings:
            continue
        try:
            args = shlex.split(match.group("args"), comments=True)
        except ValueError:
            continue  # an unclosed quote: not a command we can read for certain
        source = download_of(args, base)
        if source is not None:
            found.append(source)
    return found


def download_of(args: list[str], base: str | None) -> DownloadSource | None:
    """The download `tune download ARGS` makes: its one positional is the repo; `--output-dir` (else
    /tmp/<name>, as torchtune does) and `--ignore-patterns` are kept, a token is dropped. None for an
    unknown flag, a second positional, `--source` other than huggingface, or an output we cannot place."""
    values: dict[str, str] = {}
    positional: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        name, equals, given = arg.partition("=")
        if not arg.startswith("-"):
            positional.append(arg)
        elif name in (*_KEPT, *_DROPPED, "--source"):
            if not equals:
                index += 1
                if index == len(args):
                    return None  # argparse: expected one argument
                given = args[index]
            values[name] = given
        else:
            return None
        index += 1
    hub = values.get("--source", "huggingface") == "huggingface"
    if len(positional) != 1 or not REPO_ID.match(positional[0]) or not hub:
        return None
    repo = positional[0]
    if not all(v.isprintable() for v in values.values()):
        return None  # control characters would reach the terminal that shows the command
    written = values.get("--output-dir") or os.path.join(_DEFAULT_FOLDER, repo.split("/")[-1])
    folder = os.path.expanduser(written)
    if not os.path.isabs(folder):
        if base is None:
            return None
        folder = os.path.join(base, folder)
    return DownloadSource(repo, os.path.normpath(folder), values.get("--ignore-patterns") or None)


def _string_lines(doc: ParsedConfig) -> frozenset[int]:
    """The lines inside a multi-line scalar (after its first), where a `#` line is text, not a comment."""
    lines: set[int] = set()
    if doc.root is not None and _TUNE_DOWNLOAD.search(doc.text):
        for node in walk(doc.root):
            if isinstance(node, Scalar) and node.span.end_line > node.span.start_line:
                last = node.span.end_line if node.span.end_col > 0 else node.span.end_line - 1
                lines.update(range(node.span.start_line + 1, last + 1))
    return frozenset(lines)


def builtin_config_file(registry: Registry | None, name: str) -> Path | None:
    """The file of the built-in config `name` (as `tune run --config` names it) in the installed torchtune."""
    if registry is None or registry.recipes_dir is None:
        return None
    wanted = name.removesuffix(".yaml")
    for recipe in registry.recipes:
        for config in recipe.configs:
            if config.name == wanted:
                return registry.recipes_dir / "configs" / config.file_path
    return None


def _mtime(file: Path) -> int:
    try:
        return file.stat().st_mtime_ns
    except OSError:
        return -1


@functools.lru_cache(maxsize=64)
def _builtin_downloads(file: str, _mtime_ns: int) -> tuple[DownloadSource, ...]:
    """A built-in config's `tune download` lines (read once per version of the file)."""
    text, _ = read_text(Path(file))  # a regular file, capped, like every config read
    return tuple(tune_downloads(text, None)) if text is not None else ()
