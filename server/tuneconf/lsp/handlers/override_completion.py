"""The server command behind the completion of overrides typed in `.vscode/tuneconf.json`'s override sets
(`tuneconf.server.overrideCompletions` → features/override_completion.py). The config need not be open in the
editor: then it is read from disk, as the other commands read it. The view is made on the loop; composing and
walking it run on a thread."""

from __future__ import annotations

import asyncio
from typing import Any

from tuneconf import command_ids
from tuneconf.lsp.session import TuneconfServer, guarded


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


@guarded(None)
def _prepared(ls: TuneconfServer, uri: Any, typed: Any, overrides: Any) -> Any:
    if not isinstance(uri, str) or not isinstance(typed, str):
        return None
    view = ls.view(uri, config=True)
    others = _strings(overrides)

    def work() -> list[dict[str, str]]:
        from tuneconf.features.override_completion import override_completions

        return override_completions(ls.project, view, typed, others)

    return work


def register(server: TuneconfServer) -> None:
    """Register this family's handlers on the server."""

    @server.command(command_ids.OVERRIDE_COMPLETIONS)
    async def on_override_completions(ls: TuneconfServer, *args: Any) -> Any:
        """overrideCompletions(configUri, typed, overrides?): [{label, kind, detail, insertText}] for the override
        whose text up to the cursor is `typed`; `overrides`: the set's other items (composed with first)."""
        padded = [*args[:3], *[None] * (3 - len(args))]
        work = _prepared(ls, *padded)
        if work is None:
            return []
        return await asyncio.get_running_loop().run_in_executor(None, guarded([])(work))
