"""The runs as rows (the CLI's table), as one progress line (`--follow`) and as one self-contained HTML
page: a table and, per scalar, an inline SVG with one polyline per run, one point per logged step. No
script, no external file; every text is escaped."""

from __future__ import annotations

import html
import math
import time
from collections.abc import Sequence

from tuneconf.runs.history import Run
from tuneconf.runs.logs import Metrics, Series

COLUMNS = ("date", "steps", "last loss", "lowest loss", "state", "log")
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf")
MAX_CHARTED = len(COLOURS)
"""Runs drawn in the charts (the newest); the table lists them all."""
WIDTH, HEIGHT, PAD = 640, 220, 44


def number(value: float | None, digits: int = 4) -> str:
    if value is None:
        return "-"
    if value != value or math.isinf(value):
        return str(value)
    return f"{value:.{digits}g}"


def date(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(seconds)) if seconds > 0 else "-"


def rows(runs: Sequence[Run]) -> list[list[str]]:
    """One row per run, in COLUMNS' order."""
    return [
        [
            date(run.started),
            "-" if run.steps is None else str(run.steps),
            number(run.loss()),
            number(run.loss(lowest=True)),
            run.state if not run.problem else f"unreadable: {run.problem}",
            str(run.path),
        ]
        for run in runs
    ]


def progress(metrics: Metrics, expected: int | None) -> str:
    """`step 120/500  loss 1.234  lr 2e-05  tok/s 1234` (what the newest line logged)."""
    last = metrics.last_step
    if last is None:
        return "step -"
    parts = [f"step {last}/{expected}" if expected else f"step {last}"]
    shown = (("loss", "loss", 4), ("lr", "lr", 3), ("tokens_per_second_per_gpu", "tok/s", 0))
    for name, label, digits in shown:
        value = _at(metrics.series.get(name), last)
        if value is not None:
            parts.append(f"{label} {round(value) if digits == 0 else number(value, digits)}")
    memory = _at(metrics.series.get("peak_memory_active"), last)
    if memory is not None:
        parts.append(f"mem {memory:.2f} GiB")
    return "  ".join(parts)


def _at(series: Series | None, step: int) -> float | None:
    if series is None or not series.steps or series.steps[-1] != step:
        return None
    return series.values[-1]


def html_page(title: str, runs: Sequence[Run], notes: Sequence[str] = ()) -> str:
    """The report: `title` (the config), the notes, the runs table, a chart per scalar."""
    charted = [run for run in runs if run.metrics is not None and run.metrics.steps][:MAX_CHARTED]
    names = sorted({name for run in charted if run.metrics is not None for name in run.metrics.series})
    esc = html.escape
    head = "".join(f"<th>{esc(c)}</th>" for c in COLUMNS)
    body = "".join("<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in row) + "</tr>" for row in rows(runs))
    legend = "".join(
        f'<span class="key" style="color:{COLOURS[i]}">&#9632; {esc(date(run.started))} {esc(run.path.name)}</span>'
        for i, run in enumerate(charted)
    )
    charts = "".join(_chart(name, charted) for name in names)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc(title)}: runs</title><style>{_STYLE}</style></head><body>"
        f"<h1>{esc(title)}</h1>"
        + "".join(f'<p class="note">{esc(note)}</p>' for note in notes)
        + f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        + (f"<p>{legend}</p>{charts}" if charts else "<p>No logged steps to draw.</p>")
        + "</body></html>\n"
    )


_STYLE = (
    "body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse}"
    "td,th{padding:2px 10px;border-bottom:1px solid #ddd;text-align:left}h2{font-size:15px;margin:1.2em 0 .2em}"
    ".key{margin-right:1.5em}.note{color:#555}svg{background:#fafafa;border:1px solid #ddd}"
    "text{font:11px sans-serif;fill:#555}polyline{fill:none;stroke-width:1.5}"
)


def _chart(name: str, runs: Sequence[Run]) -> str:
    """One scalar: an SVG with a polyline per run that logged it, axes labelled with the ranges."""
    drawn = [(i, run.metrics.series[name]) for i, run in enumerate(runs) if run.metrics and name in run.metrics.series]
    points = [(s, v) for _, series in drawn for s, v in zip(series.steps, series.values) if math.isfinite(v)]
    if not points:
        return ""
    x0, x1 = min(p[0] for p in points), max(p[0] for p in points)
    y0, y1 = min(p[1] for p in points), max(p[1] for p in points)
    sx = (WIDTH - 2 * PAD) / ((x1 - x0) or 1)
    sy = (HEIGHT - 2 * PAD) / ((y1 - y0) or 1)
    lines = []
    for index, series in drawn:
        xy = " ".join(
            f"{PAD + (s - x0) * sx:.1f},{HEIGHT - PAD - (v - y0) * sy:.1f}"
            for s, v in zip(series.steps, series.values)
            if math.isfinite(v)
        )
        lines.append(f'<polyline data-run="{index}" stroke="{COLOURS[index]}" points="{xy}"/>')
    esc = html.escape
    labels = (
        f'<text x="{PAD - 4}" y="{PAD}" text-anchor="end">{esc(number(y1))}</text>'
        f'<text x="{PAD - 4}" y="{HEIGHT - PAD}" text-anchor="end">{esc(number(y0))}</text>'
        f'<text x="{PAD}" y="{HEIGHT - PAD + 16}">{x0}</text>'
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - PAD + 16}" text-anchor="end">step {x1}</text>'
    )
    frame = (
        f'<rect x="{PAD}" y="{PAD}" width="{WIDTH - 2 * PAD}" height="{HEIGHT - 2 * PAD}" fill="none" stroke="#ccc"/>'
    )
    return (
        f'<h2>{esc(name)}</h2><svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{esc(name)} by step">'
        f"{frame}{labels}{''.join(lines)}</svg>"
    )
