"""Prints each top-level group of a config."""

from omegaconf import OmegaConf


def show(cfg):
    for field in cfg:
        group = cfg[field]
        print(field, OmegaConf.to_yaml(group))
