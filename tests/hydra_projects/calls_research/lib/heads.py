"""A keyword-bound parameter, two hops from the entry."""

from hydra.utils import instantiate


def attach(encoder, head_cfg):
    return instantiate(head_cfg, encoder=encoder)
