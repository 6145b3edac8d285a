"""Run where torchtune is installed: torchtune's own override merge for each case on stdin.

Input: JSON lines {"config": path, "overrides": [...]}. Output: JSON lines {"ok", "result" | "error"}.
"""

import json
import sys
from argparse import Namespace

from omegaconf import OmegaConf
from torchtune.config._utils import _merge_yaml_and_cli_args

for line in sys.stdin:
    case = json.loads(line)
    yaml_kwargs = OmegaConf.to_container(OmegaConf.load(case["config"]), resolve=False)
    try:
        flags = [arg for arg in case["overrides"] if arg.startswith("--")]
        if flags:  # what TuneRecipeArgumentParser.parse_known_args says before the merge
            raise ValueError(f"Additional flag arguments not supported: {flags}.")
        merged = _merge_yaml_and_cli_args(Namespace(**yaml_kwargs), case["overrides"])
        print(json.dumps({"ok": True, "result": OmegaConf.to_container(merged, resolve=False)}), flush=True)
    except Exception as exc:  # report any failure as data
        print(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"}), flush=True)
