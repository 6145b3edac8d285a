"""GPU discovery: how many GPUs a run would see, asked without importing torch here (and remembered
for half a minute, since asking torch takes seconds).

Every probe runs isolated: from a fresh private temporary folder, and the interpreter with `-I`
(neither the working directory nor PYTHONPATH on sys.path), so a `torch.py` or `torch/` in the
workspace or the caller's folder is never imported by printing a plan."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass

GPU_PROBE_TIMEOUT_S = 60
GPU_CACHE_S = 30.0
_TORCH_PROBE = "import torch; print(torch.cuda.device_count() if torch.cuda.is_available() else 0)"


@dataclass(frozen=True)
class GPUs:
    count: int
    source: str
    """nvidia-smi | torch | none | requested (counts given explicitly: nothing probed)"""
    names: tuple[str, ...] = ()


def visible_gpus(interpreter: str, env: dict[str, str] | None = None) -> GPUs:
    """GPUs the run would see: nvidia-smi (narrowed by CUDA_VISIBLE_DEVICES), else torch asked in the
    target interpreter (a subprocess: tuneconf itself never imports torch), else none."""
    env = dict(os.environ if env is None else env)
    with tempfile.TemporaryDirectory(prefix="tuneconf-gpus-") as scratch:
        found = _nvidia_smi(env, scratch)
        return found if found is not None else _torch(interpreter, env, scratch)


def _nvidia_smi(env: dict[str, str], scratch: str) -> GPUs | None:
    # Only absolute PATH entries: an empty or relative one would find a `nvidia-smi` in some folder.
    search = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if os.path.isabs(p))
    smi = shutil.which("nvidia-smi", path=search)
    if smi is None:
        return None
    try:
        out = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=20, env=env, cwd=scratch)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    names = [line.strip() for line in out.stdout.splitlines() if line.startswith("GPU ")]
    names = _narrow(names, env.get("CUDA_VISIBLE_DEVICES"))
    return GPUs(len(names), "nvidia-smi", tuple(names))


def _torch(interpreter: str, env: dict[str, str], scratch: str) -> GPUs:
    if not os.path.isabs(interpreter):  # a relative one would depend on the folder it is run from
        return GPUs(0, "none")
    try:
        out = subprocess.run(
            [interpreter, "-I", "-c", _TORCH_PROBE],
            capture_output=True,
            text=True,
            timeout=GPU_PROBE_TIMEOUT_S,
            env=env,
            cwd=scratch,
        )
    except (OSError, subprocess.SubprocessError):
        return GPUs(0, "none")
    if out.returncode == 0 and out.stdout.strip().isdigit():
        return GPUs(int(out.stdout.strip()), "torch")
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
