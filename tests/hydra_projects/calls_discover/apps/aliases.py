import os

from hydra import main as hydra_main

CONFIGS = os.path.join("..", "configs")


@hydra_main(config_path=CONFIGS, config_name="app.yaml", version_base="1.3")
def main(cfg):
    pass
