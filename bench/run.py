"""`make bench`: tuneconf beside yaml-language-server and a trivial pygls server (the floor), in one run;
then `tuneconf check` of the 156 built-in configs beside torchtune's `tune validate` and `config.validate`;
then the in-server figures of parsing.py, dotpaths.py and interpolations.py, and the run logs' (runs.py).

Writes bench/results/latest.json (stable metric names, then every figure; the in-server ones under
"inside") and prints a Markdown table, then the in-server figures as bullets.
These machines are noisy: compare ratios and medians within one run.
Env: BENCH_REQUESTS (200), BENCH_VALIDATE_SAMPLE (3 files for `tune validate`, one process each).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import dotpaths
import hydra_bench
import interpolations
import parsing
import run_view
import runs
from inputs import CONFIG_ROOT, ROOT, SERVER, real_config, synthetic
from lsp_bench import measure
from lsp_client import Client
from malformed import measure as measure_malformed

NODE_DIR = ROOT / ".bench"
YLS_VERSION = "1.25.0"
READY = "ready:"
"""What tuneconf logs once warm (the environment probed, the recipes read): its full diagnostics follow."""
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
SAMPLE = int(os.environ.get("BENCH_VALIDATE_SAMPLE", "3"))


def main() -> None:
    docs = {"real": real_config(), "1k": synthetic(1_000), "10k": synthetic(10_000)}
    servers = {"tuneconf": tuneconf_server, "yaml-language-server": yls_server, "pygls-trivial": trivial_server}
    lsp: dict[str, dict[str, dict[str, float]]] = {}
    for name, make in servers.items():
        for size, text in docs.items():
            workdir = Path(tempfile.mkdtemp(prefix=f"bench-{name}-{size}-"))
            argv, settings, env = make(workdir, text)
            print(f"measuring {name} on {size} …", file=sys.stderr)
            ready = READY if name == "tuneconf" else None
            figures = measure(argv, text, workdir, settings=settings, env=env, requests=REQUESTS, ready=ready)
            lsp.setdefault(name, {})[size] = figures
    for name, make in servers.items():  # start-up is noisy: the median of five spawns each
        lsp[name]["real"] |= startup_ms(make, docs["real"])
    checks = check_figures()
    malformed = measure_malformed()
    checks["malformed_max_ms"] = max(malformed.values())
    print("measuring inside the server …", file=sys.stderr)
    inside = parsing.figures() | dotpaths.figures() | interpolations.figures(REQUESTS)
    print("measuring a Hydra project …", file=sys.stderr)
    results_hydra = hydra_bench.figures(REQUESTS)
    results_runs = runs.figures()
    results_run_view = run_view.figures() | {"draw": run_view.draw_figures(ROOT)}
    results = {"measured": time.strftime("%Y-%m-%d %H:%M"), **headline(lsp, checks), "lsp": lsp, "checks": checks}
    results["malformed_ms"] = malformed
    results["inside"] = inside
    results["runs"] = results_runs
    results["run_view"] = results_run_view
    results["hydra"] = results_hydra
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    print(table(lsp, checks))
    print()
    print(inside_bullets(inside))
    print(json.dumps({"runs": results_runs, "run_view": results_run_view}))
    print(hydra_table(results_hydra))


def hydra_table(figures: dict[str, Any]) -> str:
    """The Hydra project's latencies (bench/hydra_bench.py), in the columns of the main table."""
    rows = [f"| Hydra project ({figures['files']} files) | primary config | group file |", "|---|---|---|"]
    for name, key in (
        ("first diagnostics (ms)", "first_diag_ms"),
        ("completion median / p95 (ms)", "completion"),
        ("hover median / p95 (ms)", "hover"),
        ("keystroke → diagnostics median / p95 (ms)", "keystroke_diag"),
    ):
        cells = []
        for doc in ("primary", "group_file"):
            got = figures[doc]
            cells.append(
                f"{got[key]:.0f}" if key in got else f"{got[key + '_median_ms']:.1f} / {got[key + '_p95_ms']:.1f}"
            )
        rows.append(f"| {name} | {cells[0]} | {cells[1]} |")
    composed = f"{figures['compose_cold_ms']:.1f} / {figures['compose_cached_ms']:.2f}"
    rows.append(f"| compose the primary, cold / cached (ms) | {composed} | |")
    return "\n".join(rows)


def startup_ms(make: Any, text: str, spawns: int = 5) -> dict[str, float]:
    """Medians over fresh spawns (a fresh workdir each): spawn to the initialize answer, to first diagnostics,
    and (tuneconf) to warm: the environment probed and the recipes read, after which full diagnostics follow."""
    first, ready, warm = [], [], []
    for _ in range(spawns):
        workdir = Path(tempfile.mkdtemp(prefix="bench-start-"))
        argv, settings, env = make(workdir, text)
        doc = workdir / "bench.yaml"
        doc.write_text(text)
        client = Client(argv, cwd=str(workdir), env=env, settings=settings)
        try:
            client.initialize(workdir)
            ready.append(client.ready_at - client.spawned)
            opened = client.open(doc.as_uri(), text)
            first.append(client.wait_diagnostics(doc.as_uri(), None, opened, timeout=120) - client.spawned)
            if make is tuneconf_server:
                warm.append(client.wait_message(READY, timeout=120) - client.spawned)
        finally:
            client.close()
    figures = {"first_diag_ms": statistics.median(first), "initialize_ms": statistics.median(ready)}
    return figures | ({"warm_ms": statistics.median(warm)} if warm else {})


def headline(lsp: dict[str, Any], checks: dict[str, float]) -> dict[str, float]:
    ours, yls = lsp["tuneconf"], lsp["yaml-language-server"]
    return {
        "completion_p95_ms_10k": ours["10k"]["completion_p95_ms"],
        "hover_p95_ms_real": ours["real"]["hover_p95_ms"],
        "keystroke_diag_p95_ms_real": ours["real"]["keystroke_diag_p95_ms"],
        "keystroke_diag_p95_ms_10k": ours["10k"]["keystroke_diag_p95_ms"],
        "first_diag_ms": ours["real"]["first_diag_ms"],
        "rss_mb": max(run["rss_mb"] for run in ours.values()),
        "check_builtin_s": checks["check_builtin_s"],
        "tune_validate_inprocess_s": checks["tune_validate_inprocess_s"],
        "yls_completion_p95_ms_10k": yls["10k"]["completion_p95_ms"],
    }


def tuneconf_server(workdir: Path, text: str) -> tuple[list[str], dict[str, Any], dict[str, str]]:
    env = dict(os.environ, TUNECONF_CACHE_DIR=str(workdir / "cache"))  # a cold index
    # The 10,000-line config has more YAML nodes than OmegaConf loads by default, where tuneconf reports
    # that alone; lifted, as a user running it would, it stays the stress test of every check.
    env["OMEGACONF_MAX_YAML_EXPANDED_NODES"] = "none"
    return SERVER, {}, env


def trivial_server(workdir: Path, text: str) -> tuple[list[str], dict[str, Any], dict[str, str]]:
    return [sys.executable, str(ROOT / "bench" / "trivial_server.py")], {}, dict(os.environ)


def yls_server(workdir: Path, text: str) -> tuple[list[str], dict[str, Any], dict[str, str]]:
    """yaml-language-server given the JSON Schema that `tuneconf schema` exports for this document."""
    binary = NODE_DIR / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"
    if not binary.exists():
        subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(NODE_DIR),
                "--no-audit",
                "--no-fund",
                f"yaml-language-server@{YLS_VERSION}",
            ],
            check=True,
        )
    doc = workdir / "bench.yaml"
    doc.write_text(text)
    schema = workdir / "schema.json"
    lifted = dict(os.environ, OMEGACONF_MAX_YAML_EXPANDED_NODES="none")  # as for tuneconf_server
    made = subprocess.run(
        [sys.executable, "-m", "tuneconf", "schema", str(doc)], capture_output=True, text=True, check=True, env=lifted
    )
    schema.write_text(made.stdout)
    settings = {
        "yaml": {
            "schemas": {schema.as_uri(): ["bench.yaml", "*.yaml"]},
            "validate": True,
            "completion": True,
            "hover": True,
            "schemaStore": {"enable": False},
        }
    }
    return ["node", str(binary), "--stdio"], settings, dict(os.environ)


def check_figures() -> dict[str, float]:
    """`tuneconf check` of the built-ins beside torchtune's validators; each of ours is a median of three.
    Exit statuses: `tuneconf check` 0, or 1 with findings; validate_inprocess.py 0; `tune validate` 0 when
    well-formed, 1 when a component fails to import (an uncaught InstantiationError, e.g. bitsandbytes
    missing: the first built-in), 2 on a ConfigError (argparse's error())."""
    check = [sys.executable, "-m", "tuneconf", "check", str(CONFIG_ROOT)]
    cold, warm = [], []
    for _ in range(3):
        env = dict(os.environ, TUNECONF_CACHE_DIR=tempfile.mkdtemp(prefix="bench-check-cache-"))
        cold.append(_timed(check, env))  # an empty index cache
        warm.append(_timed(check, env))  # the cache the cold run wrote
    inprocess = _timed([sys.executable, str(ROOT / "bench" / "validate_inprocess.py"), str(CONFIG_ROOT)], ok=(0,))
    files = sorted(CONFIG_ROOT.rglob("*.yaml"))
    tune = Path(sys.executable).with_name("tune")
    per_file = [_timed([str(tune), "validate", str(f)], ok=(0, 1, 2)) for f in files[:SAMPLE]]
    per_file_s = sum(per_file) / len(per_file)
    return {
        "configs": len(files),
        "check_builtin_s": statistics.median(cold),
        "check_builtin_warm_s": statistics.median(warm),
        "tune_validate_inprocess_s": inprocess,
        "tune_validate_per_file_s": per_file_s,
        "tune_validate_all_files_s_estimated": per_file_s * len(files),
    }


def _timed(argv: list[str], env: dict[str, str] | None = None, ok: tuple[int, ...] = (0, 1)) -> float:
    """Seconds `argv` took; raises when its exit status is not one of `ok`."""
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    if done.returncode not in ok:
        raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return elapsed


def table(lsp: dict[str, Any], checks: dict[str, float]) -> str:
    rows = [
        ("start → first diagnostics, median of 5 (ms)", "first_diag_ms", "real"),
        ("of which start → initialize answered (ms)", "initialize_ms", "real"),
        ("start → warm (environment and recipes read; full diagnostics follow) (ms)", "warm_ms", "real"),
        ("completion median / p95, real (ms)", "completion", "real"),
        ("completion median / p95, 1,000 lines (ms)", "completion", "1k"),
        ("completion median / p95, 10,000 lines (ms)", "completion", "10k"),
        ("hover median / p95, real (ms)", "hover", "real"),
        ("hover median / p95, 10,000 lines (ms)", "hover", "10k"),
        ("keystroke → diagnostics median / p95, real (ms)", "keystroke_diag", "real"),
        ("keystroke → diagnostics median / p95, 10,000 lines (ms)", "keystroke_diag", "10k"),
        ("completion right after a keystroke, p95, 10,000 lines (ms)", "typing_completion_p95_ms", "10k"),
        ("RSS after the 10,000-line run (MB)", "rss_mb", "10k"),
    ]
    names = list(lsp)
    lines = ["| | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for title, key, size in rows:
        cells = []
        for name in names:
            figures = lsp[name][size]
            if key not in figures and f"{key}_median_ms" not in figures:
                cells.append("–")
            elif f"{key}_median_ms" in figures:
                cells.append(f"{figures[f'{key}_median_ms']:.1f} / {figures[f'{key}_p95_ms']:.1f}")
            else:
                cells.append(f"{figures[key]:.1f}")
        lines.append(f"| {title} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"- `tuneconf check` of the {checks['configs']:.0f} built-in configs: {checks['check_builtin_s']:.2f} s cold, "
        f"{checks['check_builtin_warm_s']:.2f} s from the disk cache",
        f"- torchtune `config.validate` of all of them in one process: {checks['tune_validate_inprocess_s']:.2f} s",
        f"- `tune validate`, one process per file: {checks['tune_validate_per_file_s']:.2f} s per file, "
        f"~{checks['tune_validate_all_files_s_estimated'] / 60:.1f} min for all",
        f"- the slowest of the malformed inputs (bench/malformed.py), open → diagnostics: "
        f"{checks['malformed_max_ms']:.0f} ms",
    ]
    return "\n".join(lines)


def inside_bullets(inside: dict[str, dict[str, float]]) -> str:
    real, big, libs = inside["parse_real"], inside["parse_10k"], inside["yaml_libraries_real"]
    index, interp = inside["index"], inside["completion_in_interpolation_10k"]
    lines = [
        f"- Parsing the real config takes {real['cold_ms']:.1f} ms cold and {real['one_edit_ms']:.1f} ms after an "
        f"edit; a 10,000-line config takes {big['cold_ms']:.0f} ms cold and {big['one_edit_ms']:.0f} ms after an edit.",
        f"- Resolving all {index['dotpaths']:.0f} built-in dotpaths takes {index['resolve_all_cold_s']:.2f} s cold "
        f"and {index['resolve_all_disk_cache_ms']:.0f} ms from the disk cache.",
        f"- The first dotpath completion after opening a file takes "
        f"{inside['dotpath_completion']['first_completion_ms']:.0f} ms.",
        f"- Completion inside `${{` on a 10,000-line config takes {interp['median_ms']:.1f} / "
        f"{interp['p95_ms']:.1f} ms (median / p95).",
        f"- The interpolation checks on the real config take {inside['interpolations_real']['checks_ms']:.1f} ms.",
    ]
    if "ruamel_compose_ms" in libs:
        lines.append(
            f"- On the real config: {libs['libyaml_events_ms']:.1f} ms for libyaml's events against "
            f"{libs['ruamel_compose_ms']:.0f} ms for ruamel.yaml's composer."
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
