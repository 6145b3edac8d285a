"""Overrides of a Hydra run (`python train.py db=mysql +trainer.fast=true ~logger`, override sets, the
Run lens, `tuneconf check FILE OVERRIDES...`): Hydra's grammar (hydra/overrides.py), sweeps only with
--multirun, and what composing with them would refuse ("Could not override 'x'. No match in config.")
— each finding placed on its override (findings.OVERRIDES_FILE: line = the override's index)."""

from __future__ import annotations

from collections.abc import Sequence

from tuneconf.document.tree import Span
from tuneconf.findings import OVERRIDES_FILE, Finding, Severity
from tuneconf.hydra.workspace import HydraWorkspace, Place


def override_findings(
    workspace: HydraWorkspace, place: Place, overrides: Sequence[str], multirun: bool = False
) -> list[Finding]:
    from tuneconf.hydra.overrides import OverrideError, parse

    found: list[Finding] = []
    good: list[tuple[int, str]] = []
    multirun = multirun or any(text in MULTIRUN_FLAGS for text in overrides)
    for index, text in enumerate(overrides):
        if text.startswith("-"):  # Hydra's own flags (-m, --cfg job, ...): not overrides
            continue
        try:
            parsed = parse(text)
        except OverrideError as error:
            found.append(_at(index, error.column, len(text), "bad-override", str(error.message)))
            continue
        if parsed.sweep is not None and not multirun:
            message = (
                f"Ambiguous value for argument '{text}'\n1. To use it as a list, use key=[value1,value2]\n"
                "2. To use it as string, quote the value: key=\\'value1,value2\\'\n"
                "3. To sweep over it, add --multirun to your command line"
            )
            found.append(_at(index, parsed.value_span[0], parsed.value_span[1], "bad-override", message))
            continue
        good.append((index, text if parsed.sweep is None else _first_of_sweep(text, parsed)))
    if place.group:  # overrides apply to a primary config
        return found
    composed = workspace.compose(place.root, place.option, [text for _, text in good])
    before = {(p.code, p.message) for p in workspace.compose(place.root, place.option).problems}
    for problem in composed.problems:
        if (problem.code, problem.message) in before:
            continue  # a config file's own problem: that file's diagnostics say it
        index = _which(problem.message, good, overrides)
        found.append(_at(index, 0, len(overrides[index]) if overrides else 0, problem.code, problem.message))
    return found


MULTIRUN_FLAGS = ("-m", "--multirun")


def _first_of_sweep(text: str, parsed: object) -> str:
    """A sweep is checked with its first value (each job composes one)."""
    sweep = getattr(parsed, "sweep", None)
    values = getattr(sweep, "values", ()) if sweep is not None else ()
    key = text.split("=", 1)[0]
    return f"{key}={values[0]}" if values and isinstance(values[0], (str, int, float, bool)) else text


def _which(message: str, good: list[tuple[int, str]], overrides: Sequence[str]) -> int:
    for index, text in good:
        key = text.lstrip("+~").split("=", 1)[0]
        if f"'{key}'" in message or f"'{key}/" in message:
            return index
    return good[-1][0] if good else 0


def _at(index: int, start: int, end: int, code: str, message: str) -> Finding:
    return Finding(code, Severity.ERROR, message, Span(index, start, index, max(end, start)), file=OVERRIDES_FILE)
