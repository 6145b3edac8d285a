"""Where a config's `metric_logger` writes: its `_component_`, `log_dir` and `filename` with the run's
overrides merged (overrides.py) and `${...}` resolved by OmegaConf itself within interpolation/bounds.py's
limits, as effective.py does, against torchtune 0.6.1's loggers (torchtune/training/metric_logging.py):

- DiskLogger: `log_dir/filename`, else `log_dir/log_<unix time>.txt`, one file per run (runs/logs.py reads it);
- TensorBoardLogger: event files under `log_dir/run_<rank>_<time>/` (`organize_logs`, the default) or
  `log_dir/`: read by runs/tensorboard.py through the user's interpreter (its `tensorboard` package);
- WandBLogger, CometLogger: nothing to read; the project's page is linked when the config names it
  (W&B: `entity` and `project`, default "torchtune"; Comet: `workspace` and `project`); the run's own
  link is made when the run starts;
- MLFlowLogger: stored where MLFLOW_TRACKING_URI points, not read;
- StdoutLogger: the metrics go to the run's output, no file."""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tuneconf.document.parse import ParsedConfig
from tuneconf.effective import prepare, select_resolved
from tuneconf.interpolation.bounds import Bounds, refusal, selectable

LOGGER_KEY = "metric_logger"
KINDS = {
    "DiskLogger": "disk",
    "TensorBoardLogger": "tensorboard",
    "WandBLogger": "wandb",
    "CometLogger": "comet",
    "MLFlowLogger": "mlflow",
    "StdoutLogger": "stdout",
}
"""torchtune's loggers by class name; any other component is "other"."""
_ELSEWHERE = {
    "wandb": "Weights & Biases charts this run: the run's link is printed in the terminal when it starts",
    "comet": "Comet charts this run: the experiment's link is printed in the terminal when it starts",
    "mlflow": "MLflow: the run is stored where MLFLOW_TRACKING_URI points (else ./mlruns); tuneconf does not read it",
    "stdout": "StdoutLogger prints the metrics in the run's output: there is no file to read (DiskLogger keeps one)",
}


_LINKS = {
    # kind: (label, page address, the keys naming the page and their defaults in torchtune 0.6.1)
    "wandb": ("Weights & Biases", "https://wandb.ai/{}/{}", (("entity", None), ("project", "torchtune"))),
    "comet": ("Comet", "https://www.comet.com/{}/{}", (("workspace", None), ("project", None))),
}


@dataclass(frozen=True)
class Link:
    """A page where the run is charted by someone else (W&B, Comet): shown, never read."""

    label: str
    url: str


@dataclass
class LoggerTarget:
    """What the config's metric logger writes, or why that is not known (`problem`)."""

    component: str = ""
    kind: str = "none"
    """disk, tensorboard, wandb, comet, mlflow, stdout, other, none (no metric_logger)."""
    log_dir: Path | None = None
    """Absolute: a relative log_dir is taken from the folder the run starts in."""
    filename: str | None = None
    """DiskLogger's fixed file name; None: one `log_<unix time>.txt` per run."""
    organize_logs: bool = True
    problem: str = ""
    expected_steps: int | None = None
    """epochs × max_steps_per_epoch when the config says both: the last step of a finished run."""
    log_every: int = 1
    link: Link | None = None
    """W&B's or Comet's project page, when the config names it."""

    @property
    def files_known(self) -> bool:
        return not self.problem and self.log_dir is not None and self.kind in ("disk", "tensorboard")


def resolve_logger(doc: ParsedConfig, overrides: list[str], cwd: Path) -> LoggerTarget:
    """The metric logger of `doc` with `overrides`, for a run started in `cwd`."""
    prepared = prepare(doc, overrides)
    if prepared.failed is not None:
        return LoggerTarget(problem=f"the config cannot be read: {prepared.failed.error}")
    plain = prepared.plain if isinstance(prepared.plain, dict) else {}
    values = Values(plain)
    logger = plain.get(LOGGER_KEY)
    if logger is None:
        return LoggerTarget(problem="the config has no metric_logger: torchtune's recipes then log to stdout only")
    if not isinstance(logger, dict):
        return LoggerTarget(problem="metric_logger is not a mapping with a _component_")
    component, why = values.get((LOGGER_KEY, "_component_"))
    if not isinstance(component, str) or not component:
        return LoggerTarget(problem=f"metric_logger has no _component_ {why}".rstrip())
    target = LoggerTarget(component, _kind(component))
    target.expected_steps, target.log_every = _schedule(values)
    if target.kind in _ELSEWHERE:
        target.problem = _ELSEWHERE[target.kind]
        if target.kind in _LINKS:
            _link(target, values)
        return target
    if target.kind == "other":
        target.problem = f"{component} is not one of torchtune's loggers: where it writes is not known"
        return target
    _locate(target, values, cwd)
    return target


def _locate(target: LoggerTarget, values: Values, cwd: Path) -> None:
    """log_dir (both loggers), filename (DiskLogger), organize_logs (TensorBoardLogger)."""
    log_dir, why = values.get((LOGGER_KEY, "log_dir"))
    if log_dir is None and not why:
        target.problem = f"metric_logger.log_dir is not set: {target.component} needs it"
        return
    if not isinstance(log_dir, str) or not log_dir or "\x00" in log_dir:
        target.problem = f"metric_logger.log_dir is not known here: {why or 'not a path'}"
        return
    target.log_dir = Path(log_dir) if os.path.isabs(log_dir) else cwd / log_dir
    if target.kind == "disk":
        name, why = values.get((LOGGER_KEY, "filename"))
        if why:
            target.problem = f"metric_logger.filename is not known here: {why}"
        elif name is not None and name != "":
            target.filename = str(name)
    else:
        organize, _ = values.get((LOGGER_KEY, "organize_logs"))
        target.organize_logs = organize is not False


def _link(target: LoggerTarget, values: Values) -> None:
    """The project page of a W&B or Comet run; without the keys naming it, `problem` says which is missing
    (the service would pick a default account the config does not show)."""
    label, address, keys = _LINKS[target.kind]
    parts: list[str] = []
    for key, default in keys:
        value, why = values.get((LOGGER_KEY, key))
        if why:
            target.problem += f"; metric_logger.{key} is not known here: {why}"
            return
        value = default if value is None or value == "" else value
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            target.problem = (
                f"{label}: without metric_logger.{key} the project's page cannot be known from the config: "
                "the run's link is printed in the terminal when it starts"
            )
            return
        parts.append(urllib.parse.quote(str(value), safe=""))
    target.link = Link(f"{label}: {'/'.join(urllib.parse.unquote(p) for p in parts)}", address.format(*parts))


def _kind(component: str) -> str:
    module, _, name = component.rpartition(".")
    return KINDS.get(name, "other") if module.startswith("torchtune") else "other"


def _schedule(values: Values) -> tuple[int | None, int]:
    """The last step a finished run logs (when the config bounds the steps) and how often it logs."""
    epochs, _ = values.get(("epochs",))
    per_epoch, _ = values.get(("max_steps_per_epoch",))
    every, _ = values.get(("log_every_n_steps",))
    every = every if _count(every) else 1
    if _count(epochs) and _count(per_epoch):
        return epochs * per_epoch, every
    return None, every


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


class Values:
    """Values of the plain merged config, each `${...}` resolved by OmegaConf when its cost is small."""

    def __init__(self, plain: dict[str, Any]) -> None:
        self.plain = plain
        self.bounds = Bounds(plain)
        self.config: Any = None

    def get(self, path: tuple[str, ...]) -> tuple[Any, str]:
        """(value, "") or (None, why it is not known); (None, "") where the key is absent."""
        value: Any = self.plain
        for key in path:
            if not isinstance(value, dict) or key not in value:
                return None, ""
            value = value[key]
        if not isinstance(value, str) or "${" not in value:
            return value, ""
        cost = self.bounds.at(path)
        reason = refusal(cost) if cost is not None else "not found"
        if reason is None and not selectable(path):
            reason = "its key cannot be selected"
        if reason is not None:
            return None, f"{value} ({reason})"
        try:
            from omegaconf import OmegaConf  # on demand, as in effective.py

            if self.config is None:
                self.config = OmegaConf.create(self.plain)
            return select_resolved(self.config, ".".join(path)), ""
        except Exception as exc:  # what OmegaConf raises: a missing key, an unset variable
            return None, f"{value} ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})"
