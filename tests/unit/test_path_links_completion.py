"""Document links on path values and hub ids, and completion of paths: configs in temporary folders."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from lsprotocol import types

from text_marks import unmark
from tuneconf.diagnostics import stats
from tuneconf.diagnostics.pathvalues import collect, slot
from tuneconf.document.components import iter_components
from tuneconf.document.cursor import typing_at
from tuneconf.document.positions import Converter
from tuneconf.features import links, path_completion
from tuneconf.features.completion import complete
from tuneconf.features.links import document_links
from tuneconf.lsp.capabilities import ClientFeatures, fit_completion, fit_links
from tuneconf.project import ConfigView, Project
from tuneconf.settings import Settings

CONFIG = """\
# Before running:
#   tune download meta-llama/Llama-3.2-1B-Instruct --output-dir model --ignore-patterns "original/consolidated.00.pth"
# Our notes live in configs/x and docs/y (not repos).
output_dir: {out}
base: model
tokenizer:
  _component_: torchtune.models.llama3.llama3_tokenizer
  path: ${{base}}/original/tokenizer.model
checkpointer:
  _component_: torchtune.training.FullModelHFCheckpointer
  checkpoint_dir: model
  checkpoint_files:
    - model-00001-of-00002.safetensors
    - model-00002-of-00002.safetensors
  output_dir: ${{output_dir}}
  model_type: LLAMA3
dataset:
  _component_: torchtune.datasets.alpaca_cleaned_dataset
  source: yahma/alpaca-cleaned
notes: configs/x
"""
CHECKPOINTER = """\
checkpointer:
  _component_: torchtune.training.FullModelHFCheckpointer
  checkpoint_dir: model
  checkpoint_files: {files}
  model_type: LLAMA3
"""
TOKENIZER = "tokenizer:\n  _component_: torchtune.models.llama3.llama3_tokenizer\n  path: {path}\n"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return Project(Settings(), [], cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """A workspace with a downloaded model, a hidden file and a file no slot takes."""
    model = tmp_path / "model"
    (model / "original").mkdir(parents=True)
    names = ("original/tokenizer.model", "config.json", "model-00001-of-00002.safetensors", ".cache.pt", "notes.md")
    for name in (*names, "model-00002-of-00002.safetensors"):
        (model / name).write_text("x")
    return tmp_path


@pytest.fixture(autouse=True)
def fresh_stats(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test makes its own files; the file system answers in time however busy the machine is (the
    silent file system has tests of its own)."""
    monkeypatch.setattr(links, "BUDGET_S", 10.0)
    monkeypatch.setattr(path_completion, "BUDGET_S", 10.0)
    stats.STATS.clear()
    yield
    stats.STATS.clear()


def view(ws: Path, project: Project, text: str, name: str = "cfg.yaml") -> ConfigView:
    file = ws / name
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text)
    project.configure(Settings())
    project.folders = [ws]
    return project.view(file.as_uri(), None, text)


def linked(ws: Path, project: Project, text: str) -> dict[str, str]:
    """The text each link covers → its target."""
    found = view(ws, project, text)
    lines = text.splitlines()
    result = document_links(found.parsed, found.ctx, Converter(found.parsed.lines))
    return {lines[k.range.start.line][k.range.start.character : k.range.end.character]: str(k.target) for k in result}


def items(ws: Path, project: Project, marked: str) -> types.CompletionList | None:
    text, _, (cursor,) = unmark(marked)
    found = view(ws, project, text)
    return complete(found.parsed, *cursor, found.ctx, Converter(found.parsed.lines))


def labels(result: types.CompletionList | None) -> list[str]:
    assert result is not None
    return sorted(i.label for i in result.items)


# Links


def test_existing_paths_link_to_their_files_relative_and_interpolated(ws: Path, project: Project) -> None:
    found = linked(ws, project, CONFIG.format(out=ws / "out"))
    model = (ws / "model").as_uri()
    assert found["${base}/original/tokenizer.model"] == f"{model}/original/tokenizer.model"
    assert found["model"] == model  # relative to the workspace folder, as the checks take it
    assert found["model-00001-of-00002.safetensors"] == f"{model}/model-00001-of-00002.safetensors"
    assert found["meta-llama/Llama-3.2-1B-Instruct"] == "https://huggingface.co/meta-llama/Llama-3.2-1B-Instruct"
    assert found["yahma/alpaca-cleaned"] == "https://huggingface.co/datasets/yahma/alpaca-cleaned"
    assert not {"configs/x", "docs/y", "model --ignore-patterns"} & set(found)
    assert str(ws / "out") not in found  # an output that does not exist yet: no link
    assert len(found) == 6  # + the second checkpoint file


def test_outputs_link_once_they_exist_and_missing_inputs_never(ws: Path, project: Project) -> None:
    (ws / "out").mkdir()
    text = f"output_dir: {ws}/out\n" + TOKENIZER.format(path="model/original/tokenizer.modle")
    found = linked(ws, project, text)
    assert found == {f"{ws}/out": (ws / "out").as_uri()}


def test_a_link_is_given_when_the_file_system_does_not_answer_in_time(ws: Path, project: Project) -> None:
    class Silent(stats.StatCache):
        def entry(self, path: str, deadline: float) -> stats.Entry | None:
            return None

    found = view(ws, project, TOKENIZER.format(path="/slow/mount/tokenizer.model"))
    (link,) = document_links(found.parsed, found.ctx, Converter(found.parsed.lines), Silent())
    assert link.target == "file:///slow/mount/tokenizer.model" and link.tooltip == "Open /slow/mount/tokenizer.model"


def test_unresolvable_values_get_no_link(ws: Path, project: Project) -> None:
    assert linked(ws, project, TOKENIZER.format(path="${oc.env:MODEL_DIR}/tokenizer.model")) == {}


def test_hub_ids_in_comments_only_after_tune_download(ws: Path, project: Project) -> None:
    text = (
        "# tune download org/model-1 --output-dir /tmp/m\n"
        "  #tune   download  org/model.v2\n"
        "# tune download metaresearch/llama-3.2/pyTorch/1b --source kaggle\n"
        "# see org/model-3, or configs/x\n"
        "# tune download ../x\n"
        'cmd: "tune download org/model-4"\n'
    )
    found = linked(ws, project, text + TOKENIZER.format(path="/nowhere/t.model"))
    assert found == {
        "org/model-1": "https://huggingface.co/org/model-1",
        "org/model.v2": "https://huggingface.co/org/model.v2",
    }


def test_dataset_sources_link_to_the_hub_unless_a_builder_or_a_folder_here(ws: Path, project: Project) -> None:
    (ws / "data" / "local").mkdir(parents=True)
    dataset = "  - _component_: torchtune.datasets.instruct_dataset\n    source: {source}\n    split: train\n"
    sources = ["json", "data/local", "tatsu-lab/alpaca", "${dataset_name}"]
    text = "dataset_name: org/chats\ndataset:\n" + "".join(dataset.format(source=s) for s in sources)
    assert linked(ws, project, text) == {
        "data/local": (ws / "data" / "local").as_uri(),
        "tatsu-lab/alpaca": "https://huggingface.co/datasets/tatsu-lab/alpaca",
        "${dataset_name}": "https://huggingface.co/datasets/org/chats",
    }


def test_the_repo_pattern_is_linear() -> None:
    assert r"\s" not in links._DOWNLOAD.pattern
    for line in ("# tune download " + "a" * 200_000, "# tune " + " " * 200_000 + "x", "# " + "tune download " * 20_000):
        started = time.perf_counter()
        links._DOWNLOAD.search(line)
        assert time.perf_counter() - started < 0.1


def test_tooltips_only_for_clients_that_show_them() -> None:
    link = types.DocumentLink(range=types.Range(types.Position(0, 0), types.Position(0, 1)), target="x", tooltip="t")
    assert fit_links([link], ClientFeatures(link_tooltips=False))[0].tooltip is None


# Completion


def test_checkpoint_files_items_list_the_checkpoint_folders_weights(ws: Path, project: Project) -> None:
    block = CHECKPOINTER.format(files="\n    - model-00001-of-00002.safetensors\n    - ‸")
    assert labels(items(ws, project, block)) == [
        "model-00001-of-00002.safetensors",
        "model-00002-of-00002.safetensors",
        "original/",
    ]
    flow = labels(items(ws, project, CHECKPOINTER.format(files="[model-00001-of-00002.safetensors, mo‸]")))
    assert flow == ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "original/"]


def test_folders_end_with_a_slash_and_suggest_again(ws: Path, project: Project) -> None:
    result = items(ws, project, CHECKPOINTER.format(files="[]").replace("checkpoint_dir: model", "checkpoint_dir: ‸"))
    assert result is not None
    (folder,) = [i for i in result.items if i.label == "model/"]
    assert folder.kind == types.CompletionItemKind.Folder
    assert folder.command is not None and folder.command.command == "editor.action.triggerSuggest"
    assert all(i.kind == types.CompletionItemKind.Folder for i in result.items)  # a *_dir: folders only
    assert "cfg.yaml" not in labels(result)
    fitted = fit_completion(result, ClientFeatures(vscode_commands=False, edit_range_default=False))
    assert fitted is not None and fitted.items[0].command is None and fitted.items[0].text_edit is not None


def test_tokenizer_files_are_filtered_and_the_typed_segment_replaced(ws: Path, project: Project) -> None:
    result = items(ws, project, TOKENIZER.format(path="${checkpointer.checkpoint_dir}/co‸nfig") + CHECKPOINTER)
    assert labels(result) == ["config.json", "original/"]  # not notes.md, not the weights
    assert result is not None and result.item_defaults is not None
    edit = result.item_defaults.edit_range
    assert isinstance(edit, types.Range)
    assert (edit.start.character, edit.end.character) == (39, 45)  # "config" after the last "/"
    absolute = labels(items(ws, project, TOKENIZER.format(path=f'"{ws}/model/original/‸"')))
    assert absolute == ["tokenizer.model"]


def test_tilde_and_hidden_entries(ws: Path, project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(ws))
    text = CHECKPOINTER.format(files="[]").replace("checkpoint_dir: model", "checkpoint_dir: ~/‸")
    assert labels(items(ws, project, text)) == ["model/"]
    weights = labels(items(ws, project, CHECKPOINTER.format(files="[.‸]")))
    assert ".cache.pt" in weights
    assert ".cache.pt" not in labels(items(ws, project, CHECKPOINTER.format(files="[‸]")))


def test_names_that_would_break_a_plain_value_are_offered_only_quoted(ws: Path, project: Project) -> None:
    (ws / "model" / "my model.safetensors").write_text("x")
    assert "my model.safetensors" not in labels(items(ws, project, CHECKPOINTER.format(files="[‸]")))
    assert "my model.safetensors" in labels(items(ws, project, CHECKPOINTER.format(files='["‸"]')))


def test_the_listing_is_bounded_and_narrows(ws: Path, project: Project) -> None:
    many = ws / "many"
    many.mkdir()
    for i in range(800):
        (many / f"{'ab'[i % 2]}{i:04d}.pt").write_text("")
    text = CHECKPOINTER.format(files="[‸]").replace("checkpoint_dir: model", "checkpoint_dir: many")
    result = items(ws, project, text)
    assert result is not None and result.is_incomplete and len(result.items) == path_completion.MAX_ITEMS
    narrowed = items(ws, project, text.replace("[‸]", "[a‸]"))
    assert narrowed is not None and narrowed.is_incomplete and len(narrowed.items) == 400
    assert all(i.label.startswith("a") for i in narrowed.items)


def test_an_unanswered_listing_is_an_incomplete_empty_list(ws: Path, project: Project) -> None:
    class Silent(stats.StatCache):
        def kinds(self, folder: str, deadline: float) -> tuple[tuple[str, bool], ...] | None:
            return None

    text, _, ((line, col),) = unmark(TOKENIZER.format(path="/slow/‸"))
    found = view(ws, project, text)
    typing = path_completion.typing_of(found.parsed, line, col, typing_at(found.parsed, line, col))
    assert typing is not None
    result = path_completion.complete_path(found.parsed, typing, found.ctx, Converter(found.parsed.lines), Silent())
    assert result is not None and result.is_incomplete and result.items == []


def test_keys_that_take_no_path_are_left_to_the_other_completions(ws: Path, project: Project) -> None:
    text = CHECKPOINTER.format(files="[]")
    assert items(ws, project, text.replace("model_type: LLAMA3", "model_type: ‸")) is None  # a str: nothing to offer
    assert labels(items(ws, project, text.replace("_component_: torchtune.", "_component_: torchtune.‸"))) != []
    assert items(ws, project, "notes: ‸\n" + text) is None


def test_completion_slots_agree_with_the_values_the_checks_read(ws: Path, project: Project) -> None:
    """`slot` (completion) and `collect` (checks, links) are one notion: the same kind and base folder."""
    text = CONFIG.format(out=ws / "out").replace("  model_type", "  recipe_checkpoint: r.pt\n  model_type")
    found = view(ws, project, "resume_from_checkpoint: true\n" + text)
    values, _ = collect(found.parsed, found.ctx)
    components = {c.path: c for c in iter_components(found.parsed.root, found.ctx.settings.component_keys)}
    checked = 0
    for value in values:
        owner = next((c for c in components.values() if value.node in [p.value for p in c.mapping.pairs]), None)
        symbol = found.ctx.resolve_or_wait(str(owner.dotpath.value)) if owner is not None else None
        place = slot(found.parsed, found.ctx, owner, symbol.symbol if symbol else None, value.name)
        assert place is not None and (place.expect, place.output) == (value.expect, value.output), value.name
        assert re.sub("/$", "", place.folder or "") == (value.base or str(ws)), value.name
        checked += 1
    assert checked == 5  # tokenizer path, checkpoint_dir, output_dir, recipe_checkpoint, top-level output_dir
