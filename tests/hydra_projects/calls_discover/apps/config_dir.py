from pathlib import Path

import hydra

HERE = Path(__file__).parent

with hydra.initialize_config_dir(config_dir=str(HERE.parent / "configs"), version_base="1.3"):
    cfg = hydra.compose("app")
    hydra.utils.instantiate(cfg.trainer, devices=1)
