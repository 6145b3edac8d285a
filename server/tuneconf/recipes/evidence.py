"""A recipe the config does not name for certain (no `# tuneconf: recipe=` comment, setting or registry
entry) is guessed, and a guess is weighed.

`tune cp` copies a built-in config's `# tune run RECIPE --config X` header verbatim, and people then run
the copy with their own recipe (often a `.py` beside it), so a header is frequently stale. Better
evidence comes first: a launch command in the workspace that names this config file (shell scripts,
Makefiles, SLURM scripts, markdown, CI YAML, `.vscode/tuneconf.json`, argv lists in Python); then a
recipe `.py` beside the config with the same stem; then the header's `tune run` lines. Where the header
is all there is, a recipe file anywhere in the workspace (a `.py` with `recipe_main` or `config.parse`,
found by the launch scan's one bounded listing; at most MAX_WORKSPACE_RECIPES weighed) that fits the
config strictly better than the header's recipe, and not poorly, wins (not one that hands the config to
code that cannot be followed: it seems to fit anything). Whatever is guessed, `Fit` measures how well
the recipe's reads match the config's keys, and the recipe checks follow its grade (diagnostics/recipe.py).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from tuneconf.files import SKIP_DIRS, read_text
from tuneconf.interpolation.resolve import Occurrence
from tuneconf.recipes.analysis import RecipeUsage
from tuneconf.recipes.registry import RecipeChoice, Registry, header_choices, named_recipe, run_of

MAX_LAUNCH_FILES = 1000
"""Files a workspace scan for launch commands reads at most (listed once per catalog)."""
MAX_LAUNCH_BYTES = 256 * 1024
"""A bigger file is no script, Makefile or README worth reading for a launch command."""
MAX_SCAN_BYTES = 16 * 1024 * 1024
"""All the files of one scan together: the first document a guess is made for pays for the scan."""
_SUFFIXES = frozenset(
    {".sh", ".bash", ".zsh", ".slurm", ".sbatch", ".job", ".md", ".rst", ".txt", ".yaml", ".yml", ".json", ".py"}
    | {".mk", ".toml", ".cfg", ".ini", ".ipynb"}
)
_NAMES = frozenset({"Makefile", "makefile", "GNUmakefile", "Justfile", "justfile", "Dockerfile"})
_HIDDEN_SCANNED = frozenset({".github", ".gitlab", ".vscode", ".circleci", ".buildkite"})
"""Hidden folders that hold CI definitions and editor launch settings (other hidden folders are skipped)."""
# [ \t], never \s: a command is one line.
_LAUNCH = re.compile(r"\btune[ \t]+run[ \t]+(?P<args>[^\n]*)")
# An argv list in Python may be split over lines (as formatters write long lists): bounded, up to its `]`.
_ARGV = re.compile(r"""['"]tune['"][ \t\n]*,[ \t\n]*['"]run['"][ \t\n]*,(?P<args>[^\]]{0,2000})""")
# An absolute reference's first key: `${key}`, `${key.x}`, `${key[0]}` (not a resolver `${oc.env:X}`, not a
# relative `${.x}`, not an escaped `\${`). Linear: a fixed opening, one identifier, a lookahead.
_REFERENCE = re.compile(r"(?<!\\)\$\{[ \t]*([A-Za-z_][\w-]*)(?=[ \t]*[.}\[])")
_TOP_KEY = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)[ \t]*:", re.M)
_TRIM = "'\",;()[]`{}"
MAX_WORKSPACE_RECIPES = 20
"""Recipe files in the workspace weighed against a header's guess at most (those whose names share the
most words with the config's first): each is read with `ast` once per version."""
WORKSPACE = "recipe in the workspace that fits best"
# A module-level `@config.parse` decorator or `def recipe_main(` at the start of a line: a file that only
# mentions them (torchtune's own config/_parse.py, a linter's source) is not a recipe.
_RECIPE_MARKS = re.compile(r"^(?:@(?:config\.)?parse\b|def[ \t]+recipe_main[ \t]*\()", re.M)
"""What makes a `.py` a recipe: torchtune's entry point, or its config parser (a `.py` beside the config
with the config's stem may also just take a DictConfig)."""
_WORDS = re.compile(r"[A-Za-z0-9]+")
RUN_FOLDERS_TTL_S = 2.0
"""How long the folders a config is run from are remembered (a keystroke must not stat every script)."""
_VARIABLE = ("$", "{", "%")

GOOD, BORDERLINE, POOR = "good", "borderline", "poor"


@dataclass(frozen=True)
class Fit:
    """How well a recipe fits a config. Thresholds, measured on torchtune 0.6.1's 156 built-in configs:
    against its own recipe every one lacks no key and sets at most 2 keys the recipe never reads (21 set
    one, 5 two: keys kept for other recipes). So:
    - good: no required key missing and at most 2 unread keys — the usual `tune cp` copy run with the
      header's recipe; findings as for a known recipe;
    - poor: 3 or more required keys missing, or unread keys at least 3 and at least half the config's
      top-level keys — written for another recipe (a recipe family's required keys differ by 3 or more:
      KD's teacher_model/kd_loss/kd_ratio, DPO's, generation's); no per-key findings, one warning;
    - borderline otherwise (1–2 missing keys: version drift or a real omission): findings as warnings,
      worded "if run with X"."""

    missing: tuple[str, ...]
    """Keys the recipe reads unconditionally that the config does not set."""
    unread: tuple[str, ...]
    """Top-level keys of the config the recipe never reads (none when the config escapes the recipe)."""
    keys: int

    @property
    def grade(self) -> str:
        if len(self.missing) >= 3 or len(self.unread) >= max(3, (self.keys + 1) // 2):
            return POOR
        return GOOD if not self.missing and len(self.unread) <= 2 else BORDERLINE

    @property
    def score(self) -> int:
        """Lower fits better; a missing key fails the run, an unread key only does nothing."""
        return 2 * len(self.missing) + len(self.unread)


def measure(usage: RecipeUsage, keys: Sequence[str], referenced: Collection[str] = ()) -> Fit:
    """The fit of the config's top-level `keys` to the recipe; `referenced` (`referenced_keys`) are read
    by the config itself, through its interpolations, so none of them is unread."""
    present = set(keys)
    missing = tuple(k for k in usage.required_keys() if k not in present)
    read = usage.read_keys()
    unread = () if usage.escapes else tuple(k for k in dict.fromkeys(keys) if k not in read and k not in referenced)
    return Fit(missing, unread, len(present))


def referenced_keys(found: Iterable[Occurrence]) -> frozenset[str]:
    """The top-level keys an absolute interpolation refers to (`${max_seq_len}`, `${model.x}`): the config
    reads them itself, so they are used whether or not the recipe reads them (the unused-key check and
    the Fit both ask this)."""
    return frozenset(str(r.keys[0]) for o in found for r in o.parsed.references if r.keys and r.dots == 0)


def text_referenced(text: str) -> frozenset[str]:
    """`referenced_keys` of a config's text, read by a pattern (to weigh guesses on every keystroke before
    the document is parsed: parsing a 10,000-line config for it cost ~60 ms a version). The checks use the
    parsed `referenced_keys`; this may also count a `${key}` inside a comment, which only makes a guess
    fit a little better."""
    return frozenset(m.group(1) for m in _REFERENCE.finditer(text)) if "${" in text else frozenset()


def top_keys(text: str) -> list[str]:
    """The block-style top-level keys of a config, read by a line pattern (to weigh guesses before the
    document is parsed; the checks weigh the parsed keys)."""
    return [m.group("key") for m in _TOP_KEY.finditer(text)]


UsageOf = Callable[[RecipeChoice], "RecipeUsage | None"]


def fit_of(
    choice: RecipeChoice, keys: Sequence[str], usage_of: UsageOf, referenced: Collection[str] = ()
) -> Fit | None:
    """The recipe's fit, None when it cannot be read."""
    usage = usage_of(choice)
    return measure(usage, keys, referenced) if usage is not None and not usage.error else None


def best(
    candidates: Sequence[RecipeChoice], keys: Sequence[str], usage_of: UsageOf, referenced: Collection[str] = ()
) -> RecipeChoice:
    """The candidate that fits the keys best; among equals, the later one (a header's last `tune run`)."""
    scored = []
    for index, choice in enumerate(candidates):
        fit = fit_of(choice, keys, usage_of, referenced)
        scored.append((fit.score if fit is not None else 10**6, -index, choice))
    return min(scored, key=lambda s: (s[0], s[1]))[2]


def fitter(
    than: RecipeChoice,
    workspace: Sequence[RecipeChoice],
    keys: Sequence[str],
    usage_of: UsageOf,
    referenced: Collection[str] = (),
) -> list[RecipeChoice]:
    """The workspace's recipes that fit the keys strictly better than `than`, best first (among equals,
    in the order given); a recipe that cannot be read, or that hands the config to code that cannot be
    followed (it may read any key, so it seems to fit every config), fits nothing better."""
    own = fit_of(than, keys, usage_of, referenced)
    limit = own.score if own is not None else 10**6
    scored = []
    for index, choice in enumerate(workspace):
        usage = usage_of(choice)
        if usage is None or usage.error or usage.escapes or choice.file == than.file:
            continue
        fit = measure(usage, keys, referenced)
        if fit.score < limit:
            scored.append((fit.score, index, fit, choice))
    return [choice for *_, choice in sorted(scored, key=lambda s: (s[0], s[1]))]


@dataclass(frozen=True)
class Launch:
    """A `tune run RECIPE --config CONFIG` command found in a workspace file."""

    recipe: str
    config: str
    file: Path
    line: int


def guess_recipe(
    text: str,
    config: Path | None,
    registry: Registry,
    folders: list[Path],
    found: Sequence[Sequence[RecipeChoice]],
    usage_of: UsageOf,
    workspace: Sequence[RecipeChoice] = (),
) -> RecipeChoice | None:
    """The best evidence there is, tier by tier: `found` (the recipes of launch commands that name this
    file, a recipe `.py` beside it), the header's runs that name this file, any header run; within a tier,
    the one that fits best. Where the header is all there is, the recipe among `workspace` (recipe files
    found anywhere in the workspace; only for a config inside a workspace folder) that fits best wins if it
    fits strictly better than the header's, not poorly, and reads most of the config's top-level keys (a
    tie keeps the header: a `tune cp` copy is usually run with its header's recipe)."""
    headers = header_choices(text, config, registry, folders)
    tiers = [*found, [c for c, names_this in headers if names_this], [c for c, _ in headers]]
    tier = next((t for t in tiers if t), [])
    if len(tier) == 1 and not workspace:
        return tier[0]  # nothing to weigh: the config's keys need no scan (a keystroke on 10,000 lines)
    keys, referenced = top_keys(text), text_referenced(text)
    chosen = best(tier, keys, usage_of, referenced) if tier else None
    if chosen is None or any(found) or not workspace:
        return chosen
    for better in fitter(chosen, workspace, keys, usage_of, referenced):
        fit = fit_of(better, keys, usage_of, referenced)
        if fit is not None and fit.grade != POOR and 2 * len(fit.unread) < fit.keys:
            return better  # (it reads most of the config's keys: not merely a recipe that misses fewer)
    return chosen


def beside(config: Path) -> Iterator[RecipeChoice]:
    """A recipe file beside the config with its stem (`foo_eval.yaml` ↔ `foo_eval.py`)."""
    candidate = config.with_suffix(".py")
    source, _ = read_text(candidate, MAX_LAUNCH_BYTES) if candidate.is_file() else (None, "")
    if source is not None and is_recipe(source, loose=True):
        yield RecipeChoice(candidate.name, candidate.resolve(), "recipe beside the config")


def is_recipe(source: str, loose: bool = False) -> bool:
    """Whether a `.py` is a recipe (`_RECIPE_MARKS`); `loose`: also one that takes a DictConfig (said of
    a file with the config's own stem beside it)."""
    return _RECIPE_MARKS.search(source) is not None or (loose and "DictConfig" in source)


def _shown(file: Path, folders: list[Path]) -> str:
    for folder in folders:
        try:
            return file.resolve().relative_to(folder.resolve()).as_posix()
        except ValueError:
            continue
    return file.name


class LaunchScan:
    """The launch commands and recipe files in the workspace folders: files listed once (bounded), each
    re-read when its modification time changes."""

    def __init__(self, folders: list[Path]) -> None:
        self.folders = folders
        self._files: list[Path] | None = None
        self._read: dict[Path, tuple[int, list[Launch], bool]] = {}
        self._run_folders: dict[Path, tuple[float, list[Path]]] = {}

    def choices(self, config: Path, registry: Registry) -> list[RecipeChoice]:
        """The recipes of the launch commands that run this config file."""
        found = []
        resolved = config.resolve()
        for launch in self.naming(config):
            where = f"{_shown(launch.file, self.folders)}:{launch.line}"
            # a module name resolves from the folder the command runs from (`tune run` appends it to sys.path)
            ran_from = run_folder(launch.config, resolved)
            bases = [*([ran_from] if ran_from is not None else []), launch.file.parent, *self.folders]
            choice = named_recipe(launch.recipe, "launch command", None, registry, bases, where)
            if choice is not None:
                found.append(choice)
        return found

    def naming(self, config: Path) -> list[Launch]:
        """The launch commands whose `--config` is this file."""
        resolved = config.resolve()
        return [launch for launch in self.launches() if names_config(launch, resolved, self.folders)]

    def run_folders(self, config: Path) -> list[Path]:
        """The folders the launch commands naming this config run from (`tune run` puts the current
        folder on sys.path, so a local module there resolves): where the command's relative `--config`
        lands on this file."""
        now = time.monotonic()
        hit = self._run_folders.get(config)
        if hit is None or now - hit[0] > RUN_FOLDERS_TTL_S:
            resolved = config.resolve()
            folders = (run_folder(launch.config, resolved) for launch in self.naming(config))
            hit = (now, list(dict.fromkeys(f for f in folders if f is not None)))
            self._run_folders[config] = hit
        return hit[1]

    def launches(self) -> list[Launch]:
        return [launch for _, launches, _ in self._scanned() for launch in launches]

    def recipes(self, config: Path) -> list[RecipeChoice]:
        """The recipe files of the workspace (`is_recipe`), those whose names share the most words with the
        config's first, at most MAX_WORKSPACE_RECIPES."""
        words = set(_WORDS.findall(config.stem.lower()))
        files = [file for file, _, recipe in self._scanned() if recipe]
        ranked = sorted(files, key=lambda f: -len(words.intersection(_WORDS.findall(f.stem.lower()))))
        return [
            RecipeChoice(_shown(file, self.folders), file.resolve(), WORKSPACE, distributed="distributed" in file.name)
            for file in ranked[:MAX_WORKSPACE_RECIPES]
        ]

    def _scanned(self) -> list[tuple[Path, list[Launch], bool]]:
        """Each listed file with its launch commands and whether it is a recipe, re-read when changed."""
        if self._files is None:
            self._files = list(_candidates(self.folders))
        found = []
        for file in self._files:
            try:
                stamp = file.stat().st_mtime_ns
            except OSError:
                continue
            hit = self._read.get(file)
            if hit is None or hit[0] != stamp:
                hit = (stamp, *scan_file(file))
                self._read[file] = hit
            found.append((file, hit[1], hit[2]))
        return found


def _candidates(folders: list[Path]) -> Iterator[Path]:
    count = total = 0
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and (not d.startswith(".") or d in _HIDDEN_SCANNED))
            for name in sorted(files):
                if name not in _NAMES and os.path.splitext(name)[1] not in _SUFFIXES:
                    continue
                try:
                    size = os.stat(os.path.join(root, name)).st_size
                except OSError:
                    continue
                if size > MAX_LAUNCH_BYTES:
                    continue
                count, total = count + 1, total + size
                if count > MAX_LAUNCH_FILES or total > MAX_SCAN_BYTES:
                    return
                yield Path(root) / name


def scan_file(file: Path) -> tuple[list[Launch], bool]:
    """The launch commands in a file, and whether it is a recipe (`is_recipe`), from one read."""
    text, _ = read_text(file, MAX_LAUNCH_BYTES)
    if text is None:
        return [], False
    return launches_in(file, text), file.suffix == ".py" and is_recipe(text)


def launches_in(file: Path, text: str) -> list[Launch]:
    if "tune" not in text:
        return []
    # A commented line in a script or YAML file is an old variant or a copied header, not how it is run.
    comments = file.suffix != ".md"
    joined = text.replace("\\\n", "  ")  # a shell line continuation; same length, so offsets hold
    found = []
    for pattern, tokens in ((_LAUNCH, str.split), (_ARGV, _argv)):
        for match in pattern.finditer(joined):
            start = text.rfind("\n", 0, match.start()) + 1
            if comments and text[start : match.start()].lstrip().startswith("#"):
                continue
            run = run_of([t for t in (t.strip().strip(_TRIM) for t in tokens(match.group("args"))) if t])
            if run is not None:
                found.append(Launch(run[0], run[1], file, text.count("\n", 0, match.start()) + 1))
    return found


def _argv(args: str) -> list[str]:
    return args.split(",")


def run_folder(arg: str, config: Path) -> Path | None:
    """The folder from which the relative path `arg` names `config` (a resolved file); None for an
    absolute path, one with a shell variable or `..`, or one that does not end with the file's parts."""
    parts = [p for p in arg.replace("\\", "/").split("/") if p not in ("", ".")]
    if arg.startswith(("/", "\\", "~")) or not parts or ".." in parts or any(v in arg for v in _VARIABLE):
        return None
    if len(parts) >= len(config.parts) or list(config.parts[-len(parts) :]) != parts:
        return None
    return config.parents[len(parts) - 1]


def names_config(launch: Launch, config: Path, folders: list[Path]) -> bool:
    """Whether the command's `--config` is the (resolved) config file: relative to the script's folder or
    a workspace folder; else by its last two or more path parts (a script may `cd` first); after a shell
    variable, by the parts that follow it."""
    arg = launch.config
    if not arg.endswith((".yaml", ".yml")):
        return False  # a built-in config's name (`llama3_2/1B_lora_single_device`)
    parts = [p for p in arg.replace("\\", "/").split("/") if p not in ("", ".")]
    variable = max((i for i, p in enumerate(parts) if any(v in p for v in _VARIABLE)), default=-1)
    tail = parts[variable + 1 :]
    if variable < 0 and any((base / arg).resolve() == config for base in (launch.file.parent, *folders)):
        return True
    enough = len(tail) >= 2 or (variable >= 0 and len(tail) == 1)
    return enough and ".." not in tail and list(config.parts[-len(tail) :]) == tail
