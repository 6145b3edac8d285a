"""The Run view's server commands: the runs of a config (the Runs tree), the points of one run's log after
what the view already has (the charts), the overrides that resume a run (Resume). Reading logs and
resolving the logger (OmegaConf) run on a thread; the log readers (`tails()`) live as long as the server,
so a live view's poll parses only the bytes appended since the last one."""

from __future__ import annotations

import asyncio
import logging
import threading
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tuneconf import command_ids
from tuneconf.lsp.session import TuneconfServer, guarded
from tuneconf.project import folder_of, path_of

if TYPE_CHECKING:
    from tuneconf.runs.series import Tails

log = logging.getLogger(__name__)


_TAILS_LOCK = threading.Lock()


@cache
def _made() -> Tails:
    from tuneconf.runs.series import Tails

    return Tails()


def tails() -> Tails:
    """The log readers, made on the Run view's first request (runs/ is not imported at start-up); the
    work runs on executor threads, two of which may ask first."""
    with _TAILS_LOCK:
        return _made()


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


@guarded(None)
def _series(ls: TuneconfServer, uri: Any, overrides: Any, log_file: Any, since: Any, after: Any) -> Any:
    view = ls.view(uri, config=True)
    cwd = folder_of(Path(path_of(uri)), ls.project.folders)
    interpreter = ls.project.index.env.interpreter  # TensorBoard files are read by the user's tensorboard

    def work() -> dict[str, Any]:
        from tuneconf.runs.loggers import resolve_logger
        from tuneconf.runs.series import run_series

        target = resolve_logger(view.parsed, _strings(overrides), cwd)
        seen = since if isinstance(since, dict) else None
        return run_series(tails(), target, _text(log_file), seen, _number(after), interpreter)

    return work


@guarded(None)
def _runs(ls: TuneconfServer, uri: Any, overrides: Any) -> Any:
    view = ls.view(uri, config=True)
    cwd = folder_of(Path(path_of(uri)), ls.project.folders)
    interpreter = ls.project.index.env.interpreter

    def work() -> Any:
        from tuneconf.runs.loggers import resolve_logger
        from tuneconf.runs.series import runs_json

        return runs_json(tails(), resolve_logger(view.parsed, _strings(overrides), cwd), interpreter)

    return work


@guarded(None)
def _resume(ls: TuneconfServer, uri: Any, overrides: Any) -> Any:
    view = ls.view(uri, config=True)
    cwd = folder_of(Path(path_of(uri)), ls.project.folders)
    recipe = view.ctx.recipe
    usage, name = (recipe.usage, recipe.choice.name) if recipe is not None else (None, "")

    def work() -> dict[str, Any]:
        from tuneconf.runs.resume import resume_plan

        return resume_plan(view.parsed, _strings(overrides), cwd, usage, name)

    return work


async def _off_the_loop(work: Any) -> Any:
    """Run the prepared work on a thread; a failure is logged and answered None."""
    if work is None:
        return None
    return await asyncio.get_running_loop().run_in_executor(None, guarded(None)(work))


def _padded(args: tuple[Any, ...], count: int) -> list[Any]:
    """The client's arguments, absent ones None: the optional ones may be left out (pygls would refuse
    fewer arguments than the handler's parameters, and structure each by its annotation)."""
    return [*args[:count], *[None] * (count - len(args))]


def register(server: TuneconfServer) -> None:
    """Register this family's handlers on the server."""

    @server.command(command_ids.RUN_SERIES)
    async def on_run_series(ls: TuneconfServer, *args: Any) -> Any:
        """runSeries(uri, overrides, logFile?, since?: {file, offset, generation}, after?: unix seconds)."""
        return await _off_the_loop(_series(ls, *_padded(args, 5)))

    @server.command(command_ids.RUNS)
    async def on_runs(ls: TuneconfServer, *args: Any) -> Any:
        """runs(uri, overrides): the logger and each of its runs (runs/series.py: runs_json)."""
        return await _off_the_loop(_runs(ls, *_padded(args, 2)))

    @server.command(command_ids.RESUME_PLAN)
    async def on_resume_plan(ls: TuneconfServer, *args: Any) -> Any:
        """resumePlan(uri, overrides): the overrides that resume from the output folder's recipe checkpoint
        (runs/resume.py: resume_plan), or {"error": why not}."""
        return await _off_the_loop(_resume(ls, *_padded(args, 2)))
