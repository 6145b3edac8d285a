"""The workspace config index (workspace_index.py), workspace symbols and the Python side of references
(features/workspace_symbols.py, features/python_refs.py): plain inputs, no server."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import client_capabilities

from tuneconf.command_ids import SHOW_CONFIG_REFERENCES
from tuneconf.document.positions import Encoding
from tuneconf.document.tree import Span
from tuneconf.features import python_refs as refs
from tuneconf.features.workspace_symbols import dotted, workspace_symbols
from tuneconf.lsp.handlers.python_refs import registrations
from tuneconf.project import Project
from tuneconf.workspace_index import Scope, WorkspaceIndex, extract
from workspace_files import write

CONFIG = """\
# tune run lora_finetune_single_device --config this
model:
  _component_: mypkg.models.build_model
  rank: 8
optimizer:
  _component_: torch.optim.AdamW
  lr: 3e-4
dataset:
  - _component_: torchtune.datasets.alpaca_dataset
    packed: False
batch_size: 4
"""
MODELS = """\
import dataclasses


def build_model(rank: int, /, x: int = 0, *, dropout: float = 0.0):
    return rank


class Head:
    def __init__(self, dim: int):
        self.dim = dim

    def forward(self, h):
        return h

    @staticmethod
    def make(size):
        return Head(size)


@dataclasses.dataclass
class Spec:
    width: int = 1
"""


def scope_of(root: Path) -> Scope:
    project = Project(folders=[root])
    return Scope((root,), project.settings.component_keys, project.is_config)


def test_a_record_holds_keys_components_and_their_arguments() -> None:
    record = extract("file:///w/a.yaml", "a.yaml", CONFIG, ["_component_"])
    assert [k.name for k in record.keys] == ["model", "optimizer", "dataset", "batch_size"]
    assert record.keys[0].span == Span(1, 0, 1, 5)
    (model, optimizer, dataset) = record.uses
    assert (model.dotpath, model.span, model.path) == ("mypkg.models.build_model", Span(2, 15, 2, 39), ("model",))
    assert [(a.name, a.span) for a in model.arguments] == [("rank", Span(3, 2, 3, 6))]
    assert [a.name for a in optimizer.arguments] == ["lr"]
    assert dataset.path == ("dataset", 0) and [a.name for a in dataset.arguments] == ["packed"]
    assert record.wide_lines == {}


def test_a_broken_line_costs_only_itself() -> None:
    text = CONFIG.replace("  lr: 3e-4", "  lr: [3e-4")
    record = extract("file:///w/a.yaml", "a.yaml", text, ["_component_"])
    assert "mypkg.models.build_model" in [u.dotpath for u in record.uses]


def test_scan_reads_configs_only_and_reports_progress(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import tuneconf.workspace_index as module

    monkeypatch.setattr(module, "PROGRESS_EVERY", 1)
    write(
        tmp_path, {"a.yaml": CONFIG, "sub/b.yml": CONFIG, "notes.yaml": "title: not a config\n", ".git/c.yaml": CONFIG}
    )
    index, seen = WorkspaceIndex(), []
    assert index.scan(scope_of(tmp_path), lambda done, total: seen.append((done, total))) == 2
    assert sorted(r.relative for r in index.records()) == ["a.yaml", "sub/b.yml"]
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert len(index.uses_of("torch.optim.AdamW")) == 2
    assert index.dotpaths_ending("AdamW") == ["torch.optim.AdamW"]


def test_a_file_event_and_open_documents_keep_the_index_fresh(tmp_path: Path) -> None:
    write(tmp_path, {"a.yaml": CONFIG, "b.yaml": CONFIG})
    scope, index = scope_of(tmp_path), WorkspaceIndex()
    index.scan(scope)
    (tmp_path / "b.yaml").write_text(CONFIG.replace("torch.optim.AdamW", "torch.optim.SGD"))
    index.refresh(tmp_path / "b.yaml", scope)
    assert [r.relative for r, _ in index.uses_of("torch.optim.AdamW")] == ["a.yaml"]
    (tmp_path / "a.yaml").unlink()
    index.refresh(tmp_path / "a.yaml", scope)
    assert index.uses_of("torch.optim.AdamW") == []

    uri = (tmp_path / "b.yaml").as_uri()
    index.sync_open({uri: (3, CONFIG)}, scope)  # the editor's text wins over the file
    assert [r.version for r, _ in index.uses_of("torch.optim.AdamW")] == [3]
    index.refresh(tmp_path / "b.yaml", scope)  # a file event does not replace an open document
    assert len(index.uses_of("torch.optim.AdamW")) == 1
    index.sync_open({}, scope)  # closed: the file again
    assert index.uses_of("torch.optim.AdamW") == [] and len(index.uses_of("torch.optim.SGD")) == 1


def test_workspace_symbols_match_like_vs_code(tmp_path: Path) -> None:
    write(tmp_path, {"a.yaml": CONFIG, "b.yaml": "# 😀 first\noptimizer: {_component_: torch.optim.AdamW}\n"})
    index = WorkspaceIndex()
    index.scan(scope_of(tmp_path))
    found = workspace_symbols(index, "adw", Encoding.UTF16)
    assert [(s.name, s.kind) for s in found] == [("AdamW", types.SymbolKind.Class)] * 2
    first = next(s for s in found if s.location.uri.endswith("a.yaml"))
    assert isinstance(first.location, types.Location)
    assert first.location.range == types.Range(types.Position(5, 15), types.Position(5, 32))
    assert first.container_name == "a.yaml · optimizer (torch.optim.AdamW)"
    names = [s.name for s in workspace_symbols(index, "build", Encoding.UTF16)]
    assert names == ["build_model"]  # not batch_size: b-u-i-l-d are not all in it
    keys = workspace_symbols(index, "bs", Encoding.UTF16)
    assert [(s.name, s.kind) for s in keys] == [("batch_size", types.SymbolKind.Property)]
    assert len(workspace_symbols(index, "", Encoding.UTF16, limit=3)) == 3
    ranked = [s.name for s in workspace_symbols(index, "o", Encoding.UTF16)]
    assert ranked.index("optimizer") < ranked.index("model")  # a prefix match first


def test_columns_after_an_emoji_are_in_utf16_units(tmp_path: Path) -> None:
    write(tmp_path, {"e.yaml": "model: {_component_: mypkg.A, note: 😀, rank: 1}\n"})
    index = WorkspaceIndex()
    index.scan(scope_of(tmp_path))
    record = index.records()[0]
    (use,) = record.uses
    rank = next(a for a in use.arguments if a.name == "rank")
    from tuneconf.features.workspace_symbols import client_range

    assert client_range(record, rank.span, Encoding.UTF16).start.character == rank.span.start_col + 1
    assert client_range(record, rank.span, Encoding.UTF32).start.character == rank.span.start_col


def test_dotted_key_paths() -> None:
    assert dotted(("dataset", 0, "source")) == "dataset[0].source"
    assert dotted(()) == ""


def test_python_definitions_and_their_parameters() -> None:
    found = {d.qualname: d for d in refs.definitions(MODELS)}
    assert sorted(found) == ["Head", "Head.forward", "Head.make", "Spec", "build_model"]
    assert [p.name for p in found["build_model"].parameters] == ["x", "dropout"]  # `rank` is positional-only
    assert [p.name for p in found["Head"].parameters] == ["dim"]  # __init__'s, less self
    assert [p.name for p in found["Head.make"].parameters] == ["size"]  # a static method keeps its first
    assert [p.name for p in found["Spec"].parameters] == ["width"]
    assert found["build_model"].name == Span(3, 4, 3, 15)

    at_dim = refs.definition_at(MODELS, 8, 24)
    assert at_dim is not None and (at_dim.definition.qualname, at_dim.parameter) == ("Head", "dim")
    in_body = refs.definition_at(MODELS, 9, 10)
    assert in_body is not None and (in_body.definition.qualname, in_body.parameter) == ("Head", None)
    assert refs.definition_at(MODELS, 0, 0) is None
    assert refs.definitions("def broken(:\n") == []


def test_a_parameter_after_non_ascii_text() -> None:
    source = "def f(é: int, rank: int):\n    pass\n"
    found = refs.definition_at(source, 0, 15)
    assert found is not None and found.parameter == "rank"


def test_module_names_from_roots_and_editable_installs(tmp_path: Path) -> None:
    file = tmp_path / "src" / "mypkg" / "models.py"
    assert refs.module_names(file, [tmp_path, tmp_path / "src"], {}) == ["mypkg.models", "src.mypkg.models"]
    assert refs.module_names(tmp_path / "src" / "mypkg" / "__init__.py", [tmp_path / "src"], {}) == ["mypkg"]
    assert refs.module_names(file, [], {"mypkg": tmp_path / "src" / "mypkg"}) == ["mypkg.models"]
    assert refs.module_names(tmp_path / "my-scripts" / "x.py", [tmp_path], {}) == []


def test_configs_naming_a_definition_as_written_or_re_exported(tmp_path: Path) -> None:
    models = tmp_path / "mypkg" / "models.py"
    write(
        tmp_path,
        {
            "a.yaml": CONFIG,
            "b.yaml": "model:\n  _component_: mypkg.build_model\n  rank: 16\n",
            "c.yaml": "model:\n  _component_: other.build_model\n",
        },
    )
    index = WorkspaceIndex()
    index.scan(scope_of(tmp_path))
    resolved = {"mypkg.build_model": ("mypkg.models.build_model", str(models))}
    uses = refs.config_uses(["mypkg.models"], "build_model", models, index, resolved.get)
    assert sorted(r.relative for r, _ in uses) == ["a.yaml", "b.yaml"]
    keys = refs.references(refs.Found(refs.definitions(MODELS)[0], "rank"), uses, Encoding.UTF16)
    assert sorted((loc.uri.rsplit("/", 1)[-1], loc.range.start.line) for loc in keys) == [("a.yaml", 3), ("b.yaml", 2)]
    by_file = {"mypkg.build_model": ("mypkg.models.build_model", None), "other.build_model": ("x.build_model", "/x.py")}
    assert len(refs.config_uses(["mypkg.models"], "build_model", models, index, by_file.get)) == 2


def test_a_lens_counts_configs_and_carries_json_arguments(tmp_path: Path) -> None:
    write(tmp_path, {"a.yaml": CONFIG, "b.yaml": CONFIG})
    index = WorkspaceIndex()
    index.scan(scope_of(tmp_path))
    models = tmp_path / "mypkg" / "models.py"

    def uses(definition: refs.Definition) -> list:  # type: ignore[type-arg]
        return refs.config_uses(["mypkg.models"], definition.qualname, models, index, lambda _d: None)

    (lens,) = refs.lenses(models.as_uri(), MODELS, uses, Encoding.UTF16)
    assert lens.command is not None and lens.command.title == "used in 2 configs"
    assert lens.command.command == SHOW_CONFIG_REFERENCES
    uri, position, locations = lens.command.arguments or []
    assert uri == models.as_uri() and position == {"line": 3, "character": 4}
    assert {
        "uri": (tmp_path / "a.yaml").as_uri(),
        "range": {"start": {"line": 2, "character": 15}, "end": {"line": 2, "character": 39}},
    } in locations


def test_python_is_registered_only_where_the_client_registers_dynamically() -> None:
    vscode = registrations(client_capabilities("visual-studio-code"))
    assert [r.method for r in vscode] == [types.TEXT_DOCUMENT_REFERENCES, types.TEXT_DOCUMENT_CODE_LENS]
    options = vscode[0].register_options
    assert isinstance(options, types.ReferenceRegistrationOptions) and options.document_selector is not None
    assert [f.language for f in options.document_selector] == ["python"]  # type: ignore[union-attr]
    assert registrations(client_capabilities("neovim")) == []
    assert registrations(client_capabilities("emacs")) == []
