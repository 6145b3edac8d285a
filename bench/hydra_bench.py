"""A Hydra project in `make bench`: the same latencies as for torchtune configs (first diagnostics,
completion, hover, keystroke → diagnostics) on a generated project shaped like the Lightning-Hydra
template (an entry point, a primary config with a defaults list, 8 config groups, 40 group files,
experiment files), on the primary config and on a group file (whose checks compose the primary).
Also the in-process cost of composing it. Reports figures; never fails on one."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from inputs import SERVER
from lsp_bench import _keystrokes, _requests, find
from lsp_client import Client

GROUPS = ("data", "model", "optimizer", "scheduler", "trainer", "callbacks", "logger", "paths")
OPTIONS = 5
TRAIN = """import hydra
from hydra.utils import instantiate


@hydra.main(version_base="1.3", config_path="../configs", config_name="train")
def main(cfg):
    model = instantiate(cfg.model)
    optimizer = instantiate(cfg.optimizer, params=model.parameters())
    scheduler = instantiate(cfg.scheduler, optimizer=optimizer)
    return model, optimizer, scheduler
"""
PRIMARY = """# @package _global_
defaults:
{defaults}
  - _self_
  - experiment: null

task_name: train
seed: 12345
batch_size: 4
tags: ["dev"]
ckpt_path: null
"""
OPTION = {
    "model": "_target_: torch.nn.Linear\nin_features: {n}\nout_features: 10\nbias: true\n",
    "optimizer": "_target_: torch.optim.AdamW\n_partial_: true\nlr: 0.00{n}\nweight_decay: 0.0\n",
    "scheduler": "_target_: torch.optim.lr_scheduler.StepLR\n_partial_: true\nstep_size: {n}\ngamma: 0.5\n",
}
GENERIC = "name: option{n}\nroot: ${{paths.root_dir}}\nsize: {n}\nbatch_size: ${{batch_size}}\n"


def write_project(root: Path) -> Path:
    """The generated project; returns its primary config."""
    (root / "src").mkdir(parents=True)
    (root / "src" / "train.py").write_text(TRAIN)
    configs = root / "configs"
    for group in GROUPS:
        (configs / group).mkdir(parents=True)
        for n in range(OPTIONS):
            text = OPTION.get(group, GENERIC).format(n=n + 1)
            if group == "paths":
                text = f"root_dir: /tmp/project{n}\ndata_dir: ${{paths.root_dir}}/data\n"
            (configs / group / f"option{n}.yaml").write_text(text)
    (configs / "experiment").mkdir()
    for n in range(OPTIONS):
        body = f"# @package _global_\ndefaults:\n  - override /model: option{n}\n\nseed: {n}\n"
        (configs / "experiment" / f"exp{n}.yaml").write_text(body)
    defaults = "\n".join(f"  - {group}: option0" for group in GROUPS)
    primary = configs / "train.yaml"
    primary.write_text(PRIMARY.format(defaults=defaults))
    return primary


def measure_doc(root: Path, doc: Path, spots: dict[str, Any], requests: int) -> dict[str, float]:
    text = doc.read_text()
    env = dict(os.environ, TUNECONF_CACHE_DIR=str(root / "cache"))
    client = Client(SERVER, cwd=str(root), env=env, settings={})
    try:
        client.initialize(root)
        uri = doc.as_uri()
        opened = client.open(uri, text)
        first = client.wait_diagnostics(uri, None, opened, timeout=120)
        figures = {"first_diag_ms": first - client.spawned}
        client.wait_message("ready:", timeout=120)
        figures |= _requests(client, uri, "textDocument/completion", spots["completion"], requests, "completion")
        figures |= _requests(client, uri, "textDocument/hover", spots["hover"], requests, "hover")
        figures |= _keystrokes(client, uri, text, spots["change"], 20, 40)
        figures["rss_mb"] = client.rss_mb()
    finally:
        client.close()
    return figures


def compose_ms(primary: Path, rounds: int = 50) -> dict[str, float]:
    from tuneconf.hydra.compose import compose

    search = [primary.parent]
    started = time.perf_counter()
    compose(search, "train")
    cold = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    for _ in range(rounds):
        compose(search, "train")
    return {"compose_cold_ms": cold, "compose_cached_ms": (time.perf_counter() - started) * 1000 / rounds}


def figures(requests: int = 200) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="bench-hydra-"))
    primary = write_project(root)
    text = primary.read_text()
    primary_spots = {
        "completion": [find(text, r"^  - model: "), find(text, r"^  - (?=data)")],
        "hover": [find(text, r"^  - model: opt"), find(text, r"^  - data: opt")],
        "change": find(text, r"^batch_size: 4"),
    }
    group = root / "configs" / "model" / "option0.yaml"
    group_text = group.read_text()
    group_spots = {
        "completion": [find(group_text, r"^(?=bias)"), find(group_text, r"^_target_: torch\.nn\.")],
        "hover": [find(group_text, r"^_target_: torch\.nn\.Lin"), find(group_text, r"^in_feat")],
        "change": find(group_text, r"^in_features: 1"),
    }
    return {
        "files": sum(1 for _ in (root / "configs").rglob("*.yaml")),
        "primary": measure_doc(root, primary, primary_spots, requests),
        "group_file": measure_doc(root, group, group_spots, requests),
        **compose_ms(primary),
    }


if __name__ == "__main__":
    print(figures(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
