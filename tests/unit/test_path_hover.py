"""Hover on a path value says where it points, from which base folder, and whether it exists here."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from tuneconf.document.positions import Converter, encoding_of
from tuneconf.features.hover import hover
from tuneconf.project import Project
from tuneconf.settings import Settings

CONFIG = """\
tokenizer:
  _component_: torchtune.models.llama3.llama3_tokenizer
  path: models/tokenizer.model
  max_seq_len: 512
checkpointer:
  _component_: torchtune.training.FullModelHFCheckpointer
  checkpoint_dir: ~/nowhere-tuneconf-test
  checkpoint_files: [model.safetensors]
  output_dir: out/run1
  model_type: LLAMA3
"""


def hovered(tmp_path: Path, line: int, col: int) -> str | None:
    config = tmp_path / "configs" / "c.yaml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(CONFIG)
    view = Project(Settings(), [tmp_path], cache_dir=tmp_path / "cache").view(config.as_uri(), None, CONFIG)
    found = hover(view.parsed, line, col, view.ctx, Converter(view.parsed.lines, encoding_of(None)))
    if found is None:
        return None
    assert isinstance(found.contents, types.MarkupContent)
    return found.contents.value


def test_a_relative_input_says_its_base_and_that_it_exists(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "tokenizer.model").write_text("x")
    text = hovered(tmp_path, 2, 12)
    assert text is not None
    assert "**path**: a file read by `llama3_tokenizer`" in text
    assert f"`{tmp_path / 'models' / 'tokenizer.model'}`" in text
    assert f"Relative to `{tmp_path}`" in text and "Exists on this machine." in text


def test_a_missing_folder_and_an_output(tmp_path: Path) -> None:
    missing = hovered(tmp_path, 6, 20)
    assert missing is not None and str(Path.home() / "nowhere-tuneconf-test") in missing
    assert "Does not exist on this machine." in missing and "`~` expanded" in missing
    output = hovered(tmp_path, 8, 16)
    assert output is not None and "written by" in output and "(the run creates it)" in output


def test_a_key_or_another_value_keeps_its_own_hover(tmp_path: Path) -> None:
    key = hovered(tmp_path, 2, 3)  # the `path` key: the parameter's hover
    assert key is not None and "Parameter of `llama3_tokenizer`" in key
    assert hovered(tmp_path, 3, 16) is None  # max_seq_len's value: no path
