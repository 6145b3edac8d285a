"""Fixes never lose data. Every code action, as the editor receives it (UTF-16 ranges), has valid,
non-overlapping ranges, deletes only around its own finding, and leaves a document that still parses and
that OmegaConf judges safe (tests/edit_oracle.py: it still loads, nothing outside the edit changes, new
lines end as the file's do), also where the config is written with CRLF, a BOM, anchors and merge keys,
block scalars or escaped strings; applying the preferred fixes to broken configs, one after another, gives
back a config as clean as the one that was broken (for typos of arguments, dotpaths and interpolations in
all 156 built-ins)."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from lsprotocol import types

from builtin import CONFIG_ROOT, builtin_configs
from edit_oracle import apply, edits_of, judge, offset
from tuneconf.document.components import iter_components
from tuneconf.document.parse import parse
from tuneconf.document.positions import Converter, encoding_of
from tuneconf.features.actions import code_actions
from tuneconf.interpolation.resolve import occurrences
from tuneconf.project import ConfigView, Project
from tuneconf.settings import Settings

# Sweeps over the 156 built-in configs, judged by OmegaConf: the runtime tier, not `make unit`'s inner loop.
pytestmark = pytest.mark.runtime

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


def actions(view: ConfigView) -> list[types.CodeAction]:
    conv = Converter(view.parsed.lines, encoding_of(None))
    return code_actions(view.uri, view.parsed, view.findings(), EVERYWHERE, conv, view.ctx)


def assert_safe(view: ConfigView, text: str) -> int:
    """Each action: valid ranges; what it deletes overlaps its diagnostic's lines; the result parses, and
    OmegaConf judges it safe (tests/edit_oracle.py). Returns how many actions were offered."""
    syntax_before = bool(view.parsed.syntax)
    offered = actions(view)
    for action in offered:
        edits = edits_of(action)
        after, replaced = apply(text, edits)
        for diagnostic in action.diagnostics or []:
            first, last = (
                offset(text, types.Position(diagnostic.range.start.line, 0)),
                offset(text, diagnostic.range.end),
            )
            for start, end in replaced:
                assert start == end or (start <= last and end >= first), (action.title, start, end)
        assert syntax_before or not parse(after).syntax, action.title
        assert judge(text, action) == []
    return len(offered)


def fix_everything(project: Project, uri: str, text: str) -> tuple[str, list[str], int]:
    """Apply preferred quick fixes until none is left, checking every action offered on the way; return
    the text, the codes still found and how many actions were offered."""
    offered = 0
    for version in range(1, 50):
        view = project.view(uri, version, text)
        offered += assert_safe(view, text)
        preferred = [a for a in actions(view) if a.is_preferred]
        if not preferred:
            return text, sorted(f.code for f in view.findings() if f.file is None), offered
        text, _ = apply(text, edits_of(preferred[0]))
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


# A plain value that starts like a path or an interpolation (no quotes, comment or backslash after it).
PATHLIKE = re.compile(r"^( *)([A-Za-z_]\w*): ([/$][^#'\"\\]*?)\s*$")
SECTION = re.compile(r"^([A-Za-z_]\w*):\s*$")


def reshaped(text: str, how: str) -> str:
    """The same config written another way YAML allows, where a careless edit would do harm."""
    if how == "crlf":
        return text.replace("\n", "\r\n")
    if how == "bom":
        return "\ufeff" + text
    lines = text.split("\n")
    for i, line in enumerate(lines):
        found = PATHLIKE.match(line)
        if how == "block" and found:  # a literal block scalar: value on the next line
            lines[i] = f"{found[1]}{found[2]}: |-\n{found[1]}  {found[3]}"
        elif how == "escaped" and found:  # a double-quoted string with an escape in it
            lines[i] = f'{found[1]}{found[2]}: "{found[3].replace("/", chr(92) + "x2F")}"'
    if how == "anchors":  # the first section shared through an alias and a merge key
        first = next(i for i, line in enumerate(lines) if SECTION.match(line))
        lines[first] += " &shared"
        lines += ["shared_twin: *shared", "shared_merged:", "  <<: *shared", "  extra: 1", ""]
    return "\n".join(lines)


def test_actions_on_reshaped_builtin_configs_are_safe(project: Project) -> None:
    """CRLF, a BOM, anchors with aliases and merge keys, block scalars and escaped strings: every action
    offered on the way to fixing typos is judged by OmegaConf."""
    rng = random.Random(7)
    offered = {how: 0 for how in ("crlf", "bom", "anchors", "block", "escaped")}
    for file in builtin_configs()[::12]:
        broken = mutated(file.read_text(), rng)
        for how in offered:
            text = reshaped(broken, how)
            offered[how] += fix_everything(project, file.as_uri(), text)[2]
    assert min(offered.values()) > 10, offered


def test_the_demo_and_non_ascii_configs(project: Project) -> None:
    demo = (ROOT / "configs" / "demo_mistakes.yaml").read_text()
    _, left, _ = fix_everything(project, (ROOT / "configs" / "demo_mistakes.yaml").as_uri(), demo)
    # the two mistakes no edit can guess (and, where the model it names is not downloaded, its paths)
    assert [code for code in left if code != "path-missing"] == ["duplicate-key", "wrong-type"]
    text, left, _ = fix_everything(project, "file:///tmp/non-ascii.yaml", NON_ASCII)
    assert "${output_dir}/x" in text and "lora_rank: 8" in text and "é😀" in text


def test_typos_in_every_builtin_config_are_fixed_back(project: Project) -> None:
    rng = random.Random(61)
    restored = 0
    for file in builtin_configs():
        original = file.read_text()
        clean = {f.code for f in project.view(file.as_uri(), 0, original).findings() if f.file is None}
        broken = mutated(original, rng)
        assert broken != original
        fixed, left, _ = fix_everything(project, file.as_uri(), broken)
        assert set(left) <= clean, file.name  # as clean as before the typos
        restored += fixed == original
    assert restored >= 0.95 * len(builtin_configs())  # 152 of 156 here: the rest are fixed to another name
