from hydra import compose, initialize
from hydra.utils import instantiate


def build():
    with initialize(version_base="1.3", config_path="../conf"):
        cfg = compose(config_name="app", overrides=["model=small"])
    return instantiate(cfg.model, _recursive_=False)
