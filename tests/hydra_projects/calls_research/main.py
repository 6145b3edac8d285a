"""A research entry point: extra arguments, flags, aliases and unusual forms (for tuneconf's tests)."""

import hydra as h
import hydra.utils as hu
import torch
from hydra.utils import call, instantiate
from lib.builders import build_encoder
from lib.module import Learner
from omegaconf import OmegaConf

# builders registered by name elsewhere
REGISTRY = {}


def run(config, vocab):
    model = instantiate(config.model, _recursive_=False)
    optimizer = h.utils.instantiate(config.optimizer, params=model.parameters())
    scheduler = instantiate(config.scheduler, optimizer, _partial_=True)
    model_cfg = config.model
    net = instantiate(model_cfg.net, 3, *vocab)
    data = instantiate(config["data"], **vocab)
    loss = instantiate(config=config.get("loss"), reduction="mean")
    for cb in config.callbacks:
        instantiate(cb)
    for index, item in enumerate(config.metrics):
        instantiate(item, index=index)
    found = OmegaConf.select(config, "aux.head")
    instantiate(found)
    instantiate(getattr(config, "ema"))  # noqa: B009
    hu.call(config.hooks.on_start, model)
    call(config.layers[0])
    instantiate({"_target_": "collections.OrderedDict"})
    settings = dict(config.extra)
    instantiate(settings, _recursive_=False)
    encoder = build_encoder(config.encoder, vocab)
    learner = Learner(config.learner)
    REGISTRY[config.kind](config.dynamic)
    torch.save(config.state, "state.pt")
    print(config.debug)
    return model, optimizer, scheduler, net, data, loss, encoder, learner


@h.main(config_path="conf", config_name="config", version_base=None)
def entry(cfg):
    run(cfg, vocab=[1, 2])


if __name__ == "__main__":
    entry()
