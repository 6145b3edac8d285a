"""GPU discovery: how many GPUs a run would see, asked without importing torch here (and remembered
for half a minute, since asking torch takes seconds)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass

GPU_PROBE_TIMEOUT_S = 60
GPU_CACHE_S = 30.0


@dataclass(frozen=True)
class GPUs:
    count: int
    source: str
    """nvidia-smi | torch | none"""
    names: tuple[str, ...] = ()


def visible_gpus(interpreter: str, env: dict[str, str] | None = None) -> GPUs:
    """GPUs the run would see: nvidia-smi (narrowed by CUDA_VISIBLE_DEVICES), else torch asked in the
    target interpreter (a subprocess: tuneconf itself never imports torch), else none."""
    env = dict(os.environ if env is None else env)
    smi = shutil.which("nvidia-smi", path=env.get("PATH"))
    if smi is not None:
        try:
            out = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=20, env=env)
            names = [line.strip() for line in out.stdout.splitlines() if line.startswith("GPU ")]
            if out.returncode == 0:
                names = _narrow(names, env.get("CUDA_VISIBLE_DEVICES"))
                return GPUs(len(names), "nvidia-smi", tuple(names))
        except (OSError, subprocess.SubprocessError):
            pass
    code = "import torch; print(torch.cuda.device_count() if torch.cuda.is_available() else 0)"
    try:
        out = subprocess.run(
            [interpreter, "-c", code], capture_output=True, text=True, timeout=GPU_PROBE_TIMEOUT_S, env=env
        )
        if out.returncode == 0 and out.stdout.strip().isdigit():
            return GPUs(int(out.stdout.strip()), "torch")
    except (OSError, subprocess.SubprocessError):
        pass
    return GPUs(0, "none")


def _narrow(names: list[str], visible: str | None) -> list[str]:
    if visible is None:
        return names
    wanted = [v.strip() for v in visible.split(",") if v.strip()]
    if wanted and all(v.isdigit() for v in wanted):
        return [names[int(v)] for v in wanted if int(v) < len(names)]
    return [n for n in names if any(w in n for w in wanted)]  # UUIDs or MIG names


_gpus: dict[str, tuple[float, GPUs]] = {}


def gpus_cached(interpreter: str) -> GPUs:
    """visible_gpus, remembered for GPU_CACHE_S per interpreter."""
    hit = _gpus.get(interpreter)
    if hit is not None and time.monotonic() - hit[0] < GPU_CACHE_S:
        return hit[1]
    found = visible_gpus(interpreter)
    _gpus[interpreter] = (time.monotonic(), found)
    return found
