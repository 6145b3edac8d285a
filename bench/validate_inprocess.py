"""torchtune's own `config.validate` over every config in a folder, in one process (imports included).

Run in the recipe runtime: python bench/validate_inprocess.py FOLDER  (prints files, failures)."""

import sys
from pathlib import Path

from omegaconf import OmegaConf
from torchtune import config

files = sorted(Path(sys.argv[1]).rglob("*.yaml"))
failures = 0
for file in files:
    try:
        config.validate(OmegaConf.load(file))
    except Exception:  # torchtune stops at the first problem of a config, with an exception
        failures += 1
print(f"{len(files)} configs, {failures} failed")
