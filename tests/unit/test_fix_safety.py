"""Fixes never lose data. Every code action, as the editor receives it (UTF-16 ranges), has valid,
non-overlapping ranges, deletes only around its own finding, and leaves a document that still parses;
applying the preferred fixes to broken configs, one after another, gives back a config as clean as the
one that was broken (for typos of arguments, dotpaths and interpolations in all 156 built-ins)."""

from __future__ import annotations

import itertools
import random
import re
from pathlib import Path

import pytest
from lsprotocol import types

from builtin import CONFIG_ROOT, builtin_configs
from tuneconf.document.components import iter_components
from tuneconf.document.parse import parse
from tuneconf.document.positions import Converter, encoding_of
from tuneconf.features.actions import code_actions
from tuneconf.interpolation.resolve import occurrences
from tuneconf.project import ConfigView, Project
from tuneconf.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
EVERYWHERE = types.Range(types.Position(0, 0), types.Position(10**6, 0))
NON_ASCII = """\
# tune run lora_finetune_single_device --config x.yaml
output_dir: /tmp/é😀
note: "ünïcode 😀😀 ${output_dri}/x"
model:
  _component_: torchtune.models.llama3_2.lora_llama3_2_1b
  lora_attn_modules: ['q_proj', 'v_proj']  # 😀 before nothing
  lora_rnak: 8
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return Project(Settings(), [CONFIG_ROOT], cache_dir=tmp_path_factory.mktemp("cache"))


def offset(text: str, position: types.Position) -> int:
    """The code point offset of an LSP position (UTF-16 columns; lines end at \\n, \\r\\n or \\r)."""
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    assert position.line < len(starts), position
    line_end = starts[position.line + 1] if position.line + 1 < len(starts) else len(text)
    line = re.sub(r"[\r\n]+$", "", text[starts[position.line] : line_end])
    units = line.encode("utf-16-le")
    assert position.character <= len(units) // 2, (position, line)  # never past the end of the line
    before = units[: position.character * 2].decode("utf-16-le")  # raises inside a surrogate pair
    return starts[position.line] + len(before)


def apply(text: str, edits: list[types.TextEdit]) -> tuple[str, list[tuple[int, int]]]:
    """The text after the edits, and the code point ranges they replaced (checked not to overlap)."""
    ranges = sorted((offset(text, e.range.start), offset(text, e.range.end), e.new_text) for e in edits)
    for (_, end, _), (start, _, _) in itertools.pairwise(ranges):
        assert end <= start, "overlapping edits"
    for start, end, new in reversed(ranges):
        assert start <= end
        text = text[:start] + new + text[end:]
    return text, [(a, b) for a, b, _ in ranges]


def actions(view: ConfigView) -> list[types.CodeAction]:
    conv = Converter(view.parsed.lines, encoding_of(None))
    return code_actions(view.uri, view.parsed, view.findings(), EVERYWHERE, conv, view.ctx)


def assert_safe(view: ConfigView, text: str) -> None:
    """Each action: valid ranges; what it deletes overlaps its diagnostic's lines; the result parses."""
    syntax_before = bool(view.parsed.syntax)
    for action in actions(view):
        assert action.edit is not None and action.edit.changes is not None
        (edits,) = action.edit.changes.values()
        after, replaced = apply(text, edits)
        for diagnostic in action.diagnostics or []:
            first, last = (
                offset(text, types.Position(diagnostic.range.start.line, 0)),
                offset(text, diagnostic.range.end),
            )
            for start, end in replaced:
                assert start == end or (start <= last and end >= first), (action.title, start, end)
        assert syntax_before or not parse(after).syntax, action.title


def fix_everything(project: Project, uri: str, text: str) -> tuple[str, list[str]]:
    """Apply preferred quick fixes until none is left; return the text and the codes still found."""
    for version in range(1, 50):
        view = project.view(uri, version, text)
        assert_safe(view, text)
        preferred = [a for a in actions(view) if a.is_preferred]
        if not preferred:
            return text, sorted(f.code for f in view.findings() if f.file is None)
        text, _ = apply(text, next(iter(preferred[0].edit.changes.values())))  # type: ignore[union-attr]
    raise AssertionError("the fixes never converge")


def typo(word: str, rng: random.Random) -> str:
    """One slip of the finger: a dropped or doubled letter, or two swapped ones."""
    i = rng.randrange(1, len(word) - 1)
    return rng.choice(
        [word[:i] + word[i + 1 :], word[:i] + word[i] + word[i:], word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]]
    )


def mutated(text: str, rng: random.Random) -> str:
    """The config with a typo in an argument name, a dotpath's last part and an interpolated key."""
    doc = parse(text)
    spans = []
    for component in iter_components(doc.root, ("_component_",)):
        names = [p for p in component.mapping.pairs if p.name and p.name != "_component_" and len(p.name) > 5]
        spans += [(p.key.span, p.name) for p in names[:1]]
        last = str(component.dotpath.value).rsplit(".", 1)[-1]
        if len(last) > 5 and component.dotpath.span.start_line == component.dotpath.span.end_line:
            span = component.dotpath.span
            spans.append(((span.start_line, span.end_col - len(last), span.end_line, span.end_col), last))
    for occ in occurrences(doc.root, ()):
        for ref in occ.parsed.references[:1]:
            key = ref.keys[-1] if ref.keys else None
            if key and len(key) > 5 and occ.scalar.style is None:
                line, col = occ.scalar.span.start_line, occ.scalar.span.start_col + ref.key_spans[-1][0]
                spans.append(((line, col, line, col + len(key)), key))
    lines = text.split("\n")
    for (line, start, _, end), word in sorted(rng.sample(spans, min(3, len(spans))), reverse=True):
        assert lines[line][start:end] == word
        lines[line] = lines[line][:start] + typo(word, rng) + lines[line][end:]
    return "\n".join(lines)


def test_the_demo_and_non_ascii_configs(project: Project) -> None:
    demo = (ROOT / "configs" / "demo_mistakes.yaml").read_text()
    _, left = fix_everything(project, (ROOT / "configs" / "demo_mistakes.yaml").as_uri(), demo)
    assert left == ["duplicate-key", "wrong-type"]  # the two mistakes no edit can guess
    text, left = fix_everything(project, "file:///tmp/non-ascii.yaml", NON_ASCII)
    assert "${output_dir}/x" in text and "lora_rank: 8" in text and "é😀" in text


def test_typos_in_every_builtin_config_are_fixed_back(project: Project) -> None:
    rng = random.Random(61)
    restored = 0
    for file in builtin_configs():
        original = file.read_text()
        clean = {f.code for f in project.view(file.as_uri(), 0, original).findings() if f.file is None}
        broken = mutated(original, rng)
        assert broken != original
        fixed, left = fix_everything(project, file.as_uri(), broken)
        assert set(left) <= clean, file.name  # as clean as before the typos
        restored += fixed == original
    assert restored >= 0.95 * len(builtin_configs())  # 152 of 156 here: the rest are fixed to another name
