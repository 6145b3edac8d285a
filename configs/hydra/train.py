"""tuneconf's Hydra example: `python configs/hydra/train.py [overrides]` (needs hydra-core and torch).
tuneconf reads this file with `ast` only: the @hydra.main below makes conf/ a Hydra config root, and the
instantiate calls say what the code passes itself (the optimizer's params)."""

import hydra
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf


@hydra.main(version_base="1.3", config_path="conf", config_name="train")
def main(cfg: DictConfig) -> None:
    model = instantiate(cfg.model)
    optimizer = instantiate(cfg.optimizer, params=model.parameters())
    print(OmegaConf.to_yaml(cfg))
    print(model, optimizer)


if __name__ == "__main__":
    main()
