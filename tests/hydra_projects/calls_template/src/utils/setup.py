"""Run setup: reads a few flags and prints the config."""

import warnings

from omegaconf import DictConfig, OmegaConf, open_dict

from . import printing


def prepare(cfg: DictConfig) -> None:
    if not cfg.get("extras"):
        return
    if cfg.extras.get("ignore_warnings"):
        warnings.filterwarnings("ignore")
    with open_dict(cfg):
        cfg.extras.ready = True
    printing.show(cfg)
    print(OmegaConf.to_yaml(cfg))
