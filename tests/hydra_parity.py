"""What Hydra itself composes, for parity tests: hydra.compose run in .venv-hydra (Hydra 1.3 with its own
OmegaConf), in a subprocess, many compositions per call (each Hydra start costs about a second).

`hydra_compose_many([(config_dir, config_name, overrides), ...])` answers, per request, a dict with
"data" (`OmegaConf.to_container(cfg, resolve=False)` without the `hydra` key), "choices"
(hydra.runtime.choices without Hydra's own groups) and "error" (None, or {"type", "message"}).
Tests skip when .venv-hydra is missing.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
HYDRA_PYTHON = REPO / ".venv-hydra" / "bin" / "python"

_SCRIPT = r"""
import json, sys, warnings
warnings.simplefilter("ignore")
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from omegaconf import OmegaConf

def one(request):
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=request["config_dir"], version_base=request["version_base"]):
            cfg = compose(request["config_name"], overrides=request["overrides"], return_hydra_config=True)
            choices = OmegaConf.to_container(cfg.hydra.runtime.choices, resolve=False)
            data = OmegaConf.to_container(cfg, resolve=False)
    except Exception as exc:
        message = str(exc)
        if not message and exc.__cause__ is not None:
            message = str(exc.__cause__)
        return {"data": None, "choices": None, "error": {"type": type(exc).__name__, "message": message}}
    data.pop("hydra", None)
    choices = {k: v for k, v in choices.items() if not (k == "hydra" or k.startswith("hydra/"))}
    return {"data": data, "choices": choices, "error": None}

requests = json.load(sys.stdin)
json.dump([one(r) for r in requests], sys.stdout)
"""

Request = tuple[Path, str, list[str]]


def hydra_available() -> bool:
    return HYDRA_PYTHON.exists()


def hydra_compose_many(requests: list[Request], version_base: str | None = "1.3") -> list[dict[str, Any]]:
    """Compose each (config_dir, config_name, overrides) with Hydra, in one subprocess."""
    if not hydra_available():
        pytest.skip(f"Hydra's parity venv is missing ({HYDRA_PYTHON.relative_to(REPO)}): `make setup` creates it")
    payload = [
        {"config_dir": str(d.resolve()), "config_name": n, "overrides": list(o), "version_base": version_base}
        for d, n, o in requests
    ]
    done = subprocess.run(
        [str(HYDRA_PYTHON), "-c", _SCRIPT],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the Hydra subprocess failed:\n{done.stderr[-3000:]}")
    answers: list[dict[str, Any]] = json.loads(done.stdout)
    return answers


def hydra_compose(config_dir: Path, config_name: str, overrides: list[str]) -> dict[str, Any]:
    """One composition by Hydra (see hydra_compose_many)."""
    return hydra_compose_many([(config_dir, config_name, overrides)])[0]
