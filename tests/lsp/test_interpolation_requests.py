"""Interpolations over LSP: diagnostics, completion inside ${, hover, definition, references, rename."""

from __future__ import annotations

import os

from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp_session import codes, completion_items, diagnostics_until, hover_markdown, open_doc, request

URI = "file:///tmp/tuneconf-e2e/interp.yaml"
CONFIG = """\
# tune run lora_finetune_single_device --config interp.yaml
output_dir: /tmp/out
metric_logger:
  _component_: torchtune.training.metric_logging.DiskLogger
  log_dir: ${output_dir}/logs
checkpointer:
  out: ${output_dir}
  also: ${.out}
  home: ${oc.env:HOME}
broken: ${outptu_dir}
"""


def doc() -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=URI)


async def test_unknown_key_and_its_fix(vscode: LanguageClient) -> None:
    open_doc(vscode, URI, CONFIG)
    diagnostics = await diagnostics_until(vscode, URI, lambda d: "unknown-interpolation-key" in codes(d))
    (bad,) = [d for d in diagnostics if d.code == "unknown-interpolation-key"]
    assert bad.range == types.Range(types.Position(9, 10), types.Position(9, 20))
    assert "Did you mean 'output_dir'?" in bad.message


async def test_completion_inside_an_interpolation(vscode: LanguageClient) -> None:
    open_doc(vscode, URI, CONFIG + "x: ${out\ny: ${checkpointer.\n")
    labels = [i.label for i in await completion_items(vscode, URI, 10, 8)]
    assert "output_dir" in labels and "oc.env" in labels
    assert [i.label for i in await completion_items(vscode, URI, 11, 18)] == ["out", "also", "home"]


async def test_hover_shows_the_resolved_value(vscode: LanguageClient) -> None:
    open_doc(vscode, URI, CONFIG + "cache: ${oc.env:HOME}/${output_dir}\n")
    assert "resolves to `/tmp/out/logs`" in await hover_markdown(vscode, URI, 4, 14)
    # A reference in a value that also reads oc.env: the value resolves with the server's environment.
    env = await hover_markdown(vscode, URI, 10, 25)
    home = os.environ["HOME"]
    assert f"resolves to `{home}//tmp/out` *(oc.env read from the tuneconf server's environment)*" in env
    # On the resolver call itself: what the resolver gives, and what the value resolves to.
    call = await hover_markdown(vscode, URI, 10, 11)
    assert call.startswith("`${oc.env:HOME}`") and "**oc.env**: the value of an environment variable" in call
    assert f"`cache` resolves to `{home}//tmp/out`" in call


async def test_definition_references_and_rename(vscode: LanguageClient) -> None:
    open_doc(vscode, URI, CONFIG)
    (location,) = (
        await request(vscode.text_document_definition_async(types.DefinitionParams(doc(), types.Position(4, 15)))) or []
    )
    assert isinstance(location, types.Location) and location.range.start == types.Position(1, 0)
    refs = await request(
        vscode.text_document_references_async(
            types.ReferenceParams(
                text_document=doc(),
                position=types.Position(1, 2),
                context=types.ReferenceContext(include_declaration=True),
            )
        )
    )
    assert sorted((r.range.start.line, r.range.start.character) for r in refs or []) == [(1, 0), (4, 13), (6, 9)]
    params = types.RenameParams(text_document=doc(), position=types.Position(6, 10), new_name="out_dir")
    edit = await request(vscode.text_document_rename_async(params))
    assert edit is not None and edit.changes is not None
    assert sorted((e.range.start.line, e.new_text) for e in edit.changes[URI]) == [
        (1, "out_dir"),
        (4, "out_dir"),
        (6, "out_dir"),
    ]


async def test_effective_config_lens_and_command(vscode: LanguageClient) -> None:
    open_doc(vscode, URI, CONFIG)
    lenses = await request(vscode.text_document_code_lens_async(types.CodeLensParams(text_document=doc())))
    commands = [lens.command for lens in lenses or [] if lens.command is not None]
    run = "Run lora_finetune_single_device (from the header)"
    assert [c.title for c in commands] == [run, "Debug", "Check", "Effective config"]
    effective = commands[-1]
    assert effective.command == "tuneconf.showEffectiveConfig" and list(effective.arguments or []) == [URI]
    text = await request(
        vscode.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command="tuneconf.server.effectiveConfig", arguments=[URI, ["output_dir=/data"], True]
            )
        )
    )
    assert isinstance(text, str) and "log_dir: /data/logs" in text
