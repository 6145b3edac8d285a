"""Builders that loop over a config group and instantiate each entry."""

import logging

import hydra
from omegaconf import DictConfig

log = logging.getLogger(__name__)


def build_callbacks(callbacks_cfg: DictConfig) -> list[object]:
    built: list[object] = []
    if not callbacks_cfg:
        log.warning("no callbacks")
        return built
    for _, one in callbacks_cfg.items():
        if isinstance(one, DictConfig) and "_target_" in one:
            log.info(f"building <{one._target_}>")
            built.append(hydra.utils.instantiate(one))
    return built


def build_loggers(logger_cfg: DictConfig) -> list[object]:
    return [hydra.utils.instantiate(entry) for entry in logger_cfg.values() if "_target_" in entry]
