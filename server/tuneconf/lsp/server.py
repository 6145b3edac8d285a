"""The LSP shell: the only module that knows pygls. Each handler looks up the document,
calls one core function and returns; a failing feature is logged and answered empty.

Each handler imports its feature where it runs: the first publish after start needs none of them
(start-up; the warm-up thread imports them meanwhile, lsp/session.py)."""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Any, cast

from lsprotocol import types

from tuneconf import command_ids
from tuneconf.lsp.capabilities import ClientFeatures, fit_completion, fit_hover, fit_item, fit_links
from tuneconf.lsp.handlers import inlay_hints, python_refs, register_all, workspace_symbols
from tuneconf.lsp.protocol import TuneconfProtocol
from tuneconf.lsp.reporting import ClientLogHandler
from tuneconf.lsp.session import TuneconfServer, guarded
from tuneconf.lsp.watching import relevant, watch_registration
from tuneconf.project import path_of, workspace_folder
from tuneconf.settings import Settings

log = logging.getLogger(__name__)
server = TuneconfServer()


@server.feature(types.INITIALIZE)
@guarded(None)
def initialize(ls: TuneconfServer, params: types.InitializeParams) -> None:
    cast(TuneconfProtocol, ls.protocol).adopt_text_workspace()
    options = params.initialization_options or {}
    ls.features = ClientFeatures.of(params.capabilities, params.client_info, options)
    uris = [f.uri for f in params.workspace_folders or []] or [params.root_uri or ""]
    ls.project.folders = [f for f in map(workspace_folder, uris) if f is not None]
    ls.project.configure(Settings.from_client(options.get("settings") if isinstance(options, dict) else None))


@server.feature(types.INITIALIZED)
@guarded(None)
def initialized(ls: TuneconfServer, params: types.InitializedParams) -> None:
    ls.loop = asyncio.get_running_loop()
    ls.warm_up()  # then the workspace's dotpaths are indexed
    if ls.features.watch_files:
        ls.client_register_capability(watch_registration())
    workspace_symbols.index_workspace_configs(ls)
    python_refs.register_for_python(ls)


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
@guarded(None)
def did_change_watched_files(ls: TuneconfServer, params: types.DidChangeWatchedFilesParams) -> None:
    workspace_symbols.refresh_files(ls, params.changes)
    paths = [path_of(c.uri) for c in params.changes if c.uri.startswith("file:")]
    hydra = ls.project.hydra_files_changed(paths, ls.recheck_soon)
    if hydra or any(relevant(change) for change in params.changes):
        ls.recheck()


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
@guarded(None)
def did_change_configuration(ls: TuneconfServer, params: types.DidChangeConfigurationParams) -> None:
    settings = params.settings.get("tuneconf") if isinstance(params.settings, dict) else None
    if settings is not None:
        ls.project.configure(Settings.from_client(settings))
        for uri in list(ls.workspace.text_documents):
            ls.publish_soon(uri)
        ls.refresh_views()  # a feature switched on or off (tuneconf.semanticTokens, tuneconf.inlayHints)
        workspace_symbols.rescan_if_scope_changed(ls)


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
@guarded(None)
def did_open(ls: TuneconfServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.loop = asyncio.get_running_loop()
    ls.publish(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
@guarded(None)
def did_change(ls: TuneconfServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.publish_soon(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
@guarded(None)
def did_save(ls: TuneconfServer, params: types.DidSaveTextDocumentParams) -> None:
    ls.project.save()
    if ls.project.hydra_files_changed([path_of(params.text_document.uri)], ls.recheck_soon):
        ls.recheck()  # other Hydra configs compose this file


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
@guarded(None)
def did_close(ls: TuneconfServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.project.forget(uri)
    ls.published.pop(uri, None)
    inlay_hints.ACTIVE.pop(uri, None)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


@server.feature(types.SHUTDOWN)
@guarded(None)
def shutdown(ls: TuneconfServer, params: None) -> None:
    ls.project.save()


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
@guarded(None)
def document_symbol(ls: TuneconfServer, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol] | None:
    from tuneconf.features.symbols import document_symbols

    view = ls.view(params.text_document.uri)
    if not view.is_config:
        return None
    recipe = view.ctx.recipe.choice if view.ctx.recipe is not None else None
    hydra = view.ctx.hydra.describe() if view.ctx.hydra is not None else None
    return document_symbols(view.parsed, view.ctx.settings.component_keys, ls.converter(view), recipe, hydra)


@server.feature(types.TEXT_DOCUMENT_FOLDING_RANGE)
@guarded(None)
def folding_range(ls: TuneconfServer, params: types.FoldingRangeParams) -> list[types.FoldingRange] | None:
    from tuneconf.features.folding import folding_ranges

    view = ls.view(params.text_document.uri, quick=True)  # the tree is all it needs (no wait for warm-up)
    return folding_ranges(view.parsed) if view.is_config else None


@server.feature(
    types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=[".", " ", "/"], resolve_provider=True)
)
@guarded(None)
def completion(ls: TuneconfServer, params: types.CompletionParams) -> types.CompletionList | None:
    from tuneconf.features.completion import complete

    view, line, col, conv = ls.at(params.text_document.uri, params.position)
    return fit_completion(complete(view.parsed, line, col, view.ctx, conv), ls.features) if view.is_config else None


@server.feature(types.COMPLETION_ITEM_RESOLVE)
@guarded(None)
def completion_resolve(ls: TuneconfServer, item: types.CompletionItem) -> types.CompletionItem:
    from tuneconf.features.completion import resolve_item

    return fit_item(resolve_item(item, ls.project.context()), ls.features)


@server.feature(types.TEXT_DOCUMENT_HOVER)
@guarded(None)
def on_hover(ls: TuneconfServer, params: types.HoverParams) -> types.Hover | None:
    from tuneconf.features.hover import hover

    view, line, col, conv = ls.at(params.text_document.uri, params.position)
    return fit_hover(hover(view.parsed, line, col, view.ctx, conv), ls.features) if view.is_config else None


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
@guarded(None)
def on_definition(ls: TuneconfServer, params: types.DefinitionParams) -> list[types.Location] | None:
    from tuneconf.features.definition import definition

    view, line, col, conv = ls.at(params.text_document.uri, params.position)
    return definition(view.parsed, line, col, view.ctx, view.uri, conv) if view.is_config else None


@server.feature(types.TEXT_DOCUMENT_REFERENCES)
@guarded(None)
def on_references(ls: TuneconfServer, params: types.ReferenceParams) -> list[types.Location] | None:
    from tuneconf.features.references import references

    if python_refs.is_python(params.text_document.uri):
        return python_refs.python_references(ls, params)
    view, line, col, conv = ls.at(params.text_document.uri, params.position)
    include = params.context.include_declaration
    return references(view.parsed, line, col, view.uri, include, conv) if view.is_config else None


@server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
@guarded(None)
def on_prepare_rename(ls: TuneconfServer, params: types.PrepareRenameParams) -> types.Range | None:
    from tuneconf.features.references import prepare_rename

    view, line, col, conv = ls.at(params.text_document.uri, params.position)
    return prepare_rename(view.parsed, line, col, conv) if view.is_config else None


@server.feature(types.TEXT_DOCUMENT_RENAME)
@guarded(None)
def on_rename(ls: TuneconfServer, params: types.RenameParams) -> types.WorkspaceEdit | None:
    from tuneconf.features.references import rename

    view, line, col, conv = ls.at(params.text_document.uri, params.position)
    return rename(view.parsed, line, col, params.new_name, view.uri, conv) if view.is_config else None


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.RefactorRewrite]),
)
@guarded(None)
def on_code_action(ls: TuneconfServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    from tuneconf.features.actions import code_actions
    from tuneconf.features.download import download_actions

    view = ls.view(params.text_document.uri)
    if not view.is_config:
        return None
    conv = ls.converter(view)
    actions = code_actions(view.uri, view.parsed, view.findings(), params.range, conv, view.ctx)
    commands = ls.features.client_commands
    return actions + download_actions(view.uri, view.findings(), params.range, conv, view.ctx, commands)


@server.feature(types.TEXT_DOCUMENT_CODE_LENS)
@guarded(None)
def on_code_lens(ls: TuneconfServer, params: types.CodeLensParams) -> list[types.CodeLens] | None:
    from tuneconf.features.compare_lens import compare_lenses
    from tuneconf.features.download import download_lenses
    from tuneconf.features.lenses import code_lenses

    if python_refs.is_python(params.text_document.uri):
        return python_refs.python_lenses(ls, params)
    view = ls.view(params.text_document.uri)
    if not view.is_config:
        return None
    commands = ls.features.client_commands
    lenses = code_lenses(view.parsed, view.uri, view.ctx.recipe, commands, view.ctx.hydra)
    if ls.project.settings.compare_lens:
        lenses += compare_lenses(view, ls.project.catalog.registry, commands)
    return lenses + download_lenses(view.uri, view.findings(), view.ctx, commands)


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_LINK, types.DocumentLinkOptions(resolve_provider=False))
@guarded(None)
def on_document_link(ls: TuneconfServer, params: types.DocumentLinkParams) -> list[types.DocumentLink] | None:
    from tuneconf.features.links import document_links

    view = ls.view(params.text_document.uri)
    if not view.is_config:
        return None
    return fit_links(document_links(view.parsed, view.ctx, ls.converter(view)), ls.features)


@server.command(command_ids.EFFECTIVE_CONFIG)
async def effective_config(
    ls: TuneconfServer, uri: str, overrides: list[str] | None = None, resolve: bool = True
) -> str:
    """The effective config of an open document as YAML (for the read-only "Effective config" view).
    OmegaConf renders it on a thread (bounded: effective.py), so other requests go on meanwhile."""
    from tuneconf.effective import effective_view, prepare_view

    try:
        prepared = prepare_view(ls.project, ls.view(uri), list(overrides or []))
        return await asyncio.get_running_loop().run_in_executor(None, effective_view, prepared, bool(resolve))
    except Exception:
        log.exception("effective config failed")
        return "# tuneconf could not compute the effective config (see the tuneconf output channel)\n"


@server.command(command_ids.LAUNCH_PLAN)
async def on_launch_plan(ls: TuneconfServer, uri: str, overrides: list[str], profile: Any = None) -> Any:
    """The Run/Debug plan of an open config with the chosen overrides (the client asks only when trusted).
    Counting GPUs may start the user's Python (torch), so it runs off the event loop."""
    from tuneconf.launch.gpus import gpus_cached
    from tuneconf.lsp.commands import launch_plan

    try:
        interpreter = ls.project.index.env.interpreter
        gpus = await asyncio.get_running_loop().run_in_executor(None, gpus_cached, interpreter)
        return launch_plan(ls.project, ls.view(uri, config=True), overrides, profile, gpus)
    except Exception:
        log.exception("launch plan failed")
        return None


@server.command(command_ids.CHECK)
@guarded(None)
def on_check(ls: TuneconfServer, uri: str, overrides: list[str]) -> dict[str, Any]:
    from tuneconf.lsp.commands import check_summary

    return check_summary(ls.project, ls.view(uri, config=True), overrides)


@server.command(command_ids.SLURM_SCRIPT)
@guarded(None)
def on_slurm(ls: TuneconfServer, uri: str, overrides: list[str], nodes: int, gpus_per_node: int) -> str:
    from tuneconf.lsp.commands import slurm

    return slurm(ls.project, ls.view(uri, config=True), overrides, nodes, gpus_per_node)


@server.command(command_ids.BUILTIN_CONFIGS)
@guarded([])
def on_builtin_configs(ls: TuneconfServer) -> list[dict[str, str]]:
    from tuneconf.lsp.commands import builtin_configs

    return builtin_configs(ls.project)


@server.command(command_ids.COMPARE_BUILTIN)
@guarded(None)
def on_compare_builtin(ls: TuneconfServer, uri: str, *builtin: Any) -> dict[str, Any]:
    """What the document added, removed and changed relative to its built-in (compare.py; `builtin`: a
    registry config name, else the header's or the closest), and the built-in's file URI (for a diff
    editor); {"error": why} when there is no comparison."""
    from tuneconf.lsp.commands import compare_builtin

    named = builtin[0] if builtin and isinstance(builtin[0], str) else None
    return compare_builtin(ls.project, ls.view(uri, config=True), named)


@server.command(command_ids.RECHECK)
@guarded(None)
def on_recheck(ls: TuneconfServer, *_uris: Any) -> None:
    """Check the open documents again with fresh answers from the file system (the editor asks after a
    download), and ask the client for new lenses (a Download lens goes with its finding)."""
    ls.recheck()
    workspace = ls.client_capabilities.workspace
    if workspace is not None and workspace.code_lens is not None and workspace.code_lens.refresh_support:
        ls.workspace_code_lens_refresh(None)


register_all(server)


def serve() -> None:
    """Speak LSP over stdio until the client says exit."""
    handler = ClientLogHandler(server)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.getLogger("tuneconf").addHandler(handler)
    logging.getLogger("tuneconf").setLevel(logging.INFO)
    server.start_batched_io(sys.stdin.buffer, sys.stdout.buffer)
