"""torchtune 0.6.1's built-in configs, read from the installed wheel (never copied into the repo)."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import pytest

CONFIG_ROOT = Path(sysconfig.get_paths()["purelib"]) / "recipes" / "configs"


def builtin_configs() -> list[Path]:
    files = sorted(CONFIG_ROOT.rglob("*.yaml"))
    if not files:
        pytest.skip("torchtune is not installed in this environment (make test installs it)")
    return files
