"""A training script in the shape of the Lightning-Hydra template (written for tuneconf's tests)."""

from typing import Any

import hydra
from omegaconf import DictConfig

from src.utils import build_callbacks, build_loggers, record_settings, wrap_task
from src.utils.setup import prepare


@wrap_task
def train(cfg: DictConfig) -> dict[str, Any]:
    datamodule = hydra.utils.instantiate(cfg.data)
    model = hydra.utils.instantiate(cfg.model)
    callbacks = build_callbacks(cfg.get("callbacks"))
    logger = build_loggers(cfg.get("logger"))
    trainer = hydra.utils.instantiate(cfg.trainer, callbacks=callbacks, logger=logger)
    everything = {"cfg": cfg, "datamodule": datamodule, "model": model, "trainer": trainer}
    if logger:
        record_settings(everything)
    if cfg.get("train"):
        trainer.fit(model=model, datamodule=datamodule, ckpt_path=cfg.get("ckpt_path"))
    return {}


@hydra.main(version_base="1.3", config_path="../configs", config_name="train.yaml")
def main(cfg: DictConfig) -> float | None:
    prepare(cfg)
    metrics = train(cfg)
    return metrics.get(cfg.get("optimized_metric"))


if __name__ == "__main__":
    main()
