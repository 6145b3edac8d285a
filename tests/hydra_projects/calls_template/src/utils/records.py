"""Logs the settings of a run; never instantiates anything."""

from omegaconf import OmegaConf


def record_settings(things: dict[str, object]) -> None:
    cfg = OmegaConf.to_container(things["cfg"])
    summary = {"model": cfg["model"], "data": cfg["data"]}
    for logger in things["trainer"].loggers:
        logger.log_hyperparams(summary)
