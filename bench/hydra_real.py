"""tuneconf against real public Hydra projects: does our composer build what Hydra builds, and what does
`tuneconf check` say about each project's config folder?

The projects are never committed. A folder prepared by hand holds them (checkouts of public repositories),
a manifest.json naming each project's config folder, primaries and runs, and expected/*.json: what
hydra.compose produced for every run (recorded once with Hydra 1.3.8 in a separate environment; this
script never imports Hydra). Manifest entry: {"name", "root", "entry", "config_dir", "primaries",
"version_base", "notes", "runs": [{"config", "overrides"}]}; expected/<name>__<config>__<i>.json:
{"data", "choices", "error"} ("data" without the `hydra` node, interpolations unresolved).

Run: .venv/bin/python bench/hydra_real.py FOLDER [--project NAME] [--skip-check] [--skip-compose]
                                                 [--path-checks] [--out results.json]
It reports figures and never fails on one.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

CHECK_TIMEOUT_S = 300
CHECK_WORKERS = 2


@dataclass(frozen=True)
class Run:
    """One composition to compare: a primary config and its command-line overrides."""

    project: str
    index: int
    config: str
    overrides: tuple[str, ...]
    version_base: str | None
    config_dir: Path
    expected: Path


@dataclass(frozen=True)
class Project:
    """One manifest entry."""

    name: str
    root: Path
    config_dir: Path
    runs: tuple[Run, ...]


@dataclass
class RunResult:
    """How our composition of one run compares with Hydra's."""

    run: Run
    status: str  # equal | differs | both-fail | ours-silent | crash | no-expected
    detail: str = ""
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class CheckResult:
    """What `tuneconf check` reported over one project's config folder."""

    project: str
    findings: list[dict[str, Any]]
    seconds: float
    failure: str = ""  # non-JSON output, timeout, or tracebacks on stderr


def expected_name(project: str, config: str, index: int) -> str:
    """The file name the recording step gives one run's expected result."""
    stem = config.replace("/", "_").removesuffix(".yaml")
    return f"{project}__{stem}__{index}.json"


def load_manifest(folder: Path) -> list[Project]:
    """The projects of FOLDER/manifest.json (a list of entries, or {"projects": [...]})."""
    raw = json.loads((folder / "manifest.json").read_text())
    entries = raw["projects"] if isinstance(raw, dict) else raw
    projects = []
    for entry in entries:
        config_dir = Path(entry["config_dir"])
        runs = entry.get("runs") or [{"config": p, "overrides": []} for p in entry["primaries"]]
        projects.append(
            Project(
                name=entry["name"],
                root=Path(entry["root"]),
                config_dir=config_dir,
                runs=tuple(
                    Run(
                        project=entry["name"],
                        index=i,
                        config=r["config"],
                        overrides=tuple(r.get("overrides", ())),
                        version_base=entry.get("version_base"),
                        config_dir=config_dir,
                        expected=folder / "expected" / expected_name(entry["name"], r["config"], i),
                    )
                    for i, r in enumerate(runs)
                ),
            )
        )
    return projects


def plain(value: Any) -> Any:
    """VALUE as JSON would give it back (tuples → lists, non-string keys → strings), for comparing."""
    return json.loads(json.dumps(value, default=str))


def first_difference(expected: Any, ours: Any, path: str = "") -> str | None:
    """The first key path where OURS differs from EXPECTED, with both values; None when equal."""
    where = path or "<root>"
    if isinstance(expected, dict) and isinstance(ours, dict):
        for key in expected:
            sub = f"{path}.{key}" if path else str(key)
            if key not in ours:
                return f"{sub}: missing in ours (hydra: {_short(expected[key])})"
            found = first_difference(expected[key], ours[key], sub)
            if found:
                return found
        extra = [k for k in ours if k not in expected]
        return f"{path + '.' if path else ''}{extra[0]}: only in ours ({_short(ours[extra[0]])})" if extra else None
    if isinstance(expected, list) and isinstance(ours, list):
        if len(expected) != len(ours):
            return f"{where}: {len(expected)} items in hydra, {len(ours)} in ours"
        for i, (a, b) in enumerate(zip(expected, ours)):
            found = first_difference(a, b, f"{path}[{i}]")
            if found:
                return found
        return None
    if type(expected) is not type(ours) or expected != ours:
        return f"{where}: hydra {_short(expected)}, ours {_short(ours)}"
    return None


def key_order_differs(expected: Any, ours: Any) -> bool:
    """True when the same mappings list their keys in another order somewhere (Hydra's order is the merge order)."""
    if isinstance(expected, dict) and isinstance(ours, dict):
        if list(expected) != list(ours):
            return True
        return any(key_order_differs(expected[k], ours[k]) for k in expected)
    if isinstance(expected, list) and isinstance(ours, list):
        return any(key_order_differs(a, b) for a, b in zip(expected, ours))
    return False


def _short(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def parse_overrides(texts: Sequence[str]) -> list[Any]:
    """Command-line overrides parsed with tuneconf's own Hydra override parser (raises OverrideError)."""
    from tuneconf.hydra.overrides import parse

    return [parse(text) for text in texts]


def describe_problem(problem: Any) -> str:
    """One line for a composition problem: code, file:line (1-based), the message's first line."""
    code = getattr(problem, "code", "?")
    file = getattr(problem, "file", None)
    line = getattr(getattr(problem, "span", None), "start_line", None)
    where = f" {Path(file).name}:{line + 1 if isinstance(line, int) else '?'}" if file else ""
    message = str(getattr(problem, "message", problem)).splitlines()
    return f"[{code}]{where} {message[0] if message else ''}"


def compare_run(run: Run) -> RunResult:
    """Compose RUN with tuneconf's composer and compare with Hydra's recorded result."""
    from tuneconf.hydra.compose import compose

    if not run.expected.exists():
        return RunResult(run, "no-expected", f"{run.expected.name} is missing")
    expected = json.loads(run.expected.read_text())
    started = time.perf_counter()
    try:
        composition = compose(
            [run.config_dir], run.config, parse_overrides(run.overrides), version_base=run.version_base
        )
    except Exception as error:  # a crash is a result here, not a reason to stop
        return RunResult(run, "crash", f"{type(error).__name__}: {error}", seconds=time.perf_counter() - started)
    seconds = time.perf_counter() - started
    problems = [describe_problem(p) for p in getattr(composition, "problems", ())]
    if expected.get("error"):
        status = "both-fail" if problems else "ours-silent"
        return RunResult(run, status, "hydra: " + expected["error"].splitlines()[0][:160], problems, seconds)
    ours = plain(composition.data)
    difference = first_difference(expected["data"], ours)
    if difference:
        return RunResult(run, "differs", difference, problems, seconds)
    notes = []
    if key_order_differs(expected["data"], ours):
        notes.append("key order differs")
    choice_gap = choices_difference(expected.get("choices") or {}, plain(getattr(composition, "choices", {}) or {}))
    if choice_gap:
        notes.append("choices: " + choice_gap)
    return RunResult(run, "equal", "; ".join(notes), problems, seconds)


def choices_difference(expected: dict[str, Any], ours: dict[str, Any]) -> str:
    """The first group whose choice differs (Hydra's own hydra/* groups are left out)."""
    for group, choice in expected.items():
        if group.startswith("hydra/") or group == "hydra":
            continue
        if ours.get(group) != choice:
            return f"{group}: hydra {choice!r}, ours {ours.get(group)!r}"
    return ""


def tuneconf_command() -> list[str]:
    """How to start the CLI of the environment this script runs in."""
    script = Path(sys.executable).with_name("tuneconf")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tuneconf"]


def run_check(project: Project, path_checks: bool) -> CheckResult:
    """`tuneconf check --format json` over the project's config folder, from the project root."""
    command = [*tuneconf_command(), "check", "--format", "json"]
    if not path_checks:
        command.append("--no-path-checks")
    command.append(str(project.config_dir))
    started = time.perf_counter()
    try:
        done = subprocess.run(
            command, cwd=project.root, capture_output=True, text=True, timeout=CHECK_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        return CheckResult(project.name, [], time.perf_counter() - started, f"timed out after {CHECK_TIMEOUT_S} s")
    seconds = time.perf_counter() - started
    tracebacks = done.stderr.count("Traceback (most recent call last)")
    failure = f"{tracebacks} tracebacks on stderr (last: {_last_error(done.stderr)})" if tracebacks else ""
    try:
        findings = json.loads(done.stdout or "[]")
    except json.JSONDecodeError:
        return CheckResult(project.name, [], seconds, f"rc {done.returncode}, not JSON: {done.stdout[:200]!r}")
    return CheckResult(project.name, findings, seconds, failure)


def _last_error(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line and not line.startswith((" ", "Traceback"))]
    return lines[-1][:160] if lines else ""


def compose_section(results: list[RunResult]) -> list[str]:
    """Per-run lines: parity with Hydra, time, and what our composer reported."""
    lines = ["== composition parity (tuneconf.hydra.compose vs hydra.compose)"]
    for r in results:
        label = f"{r.run.project}#{r.run.index} {r.run.config} {' '.join(r.run.overrides)}".strip()
        lines.append(f"{r.status:12} {r.seconds * 1000:7.1f} ms  {label[:90]}")
        if r.detail:
            lines.append(f"{'':24}{r.detail}")
        shown = r.problems if r.status in ("equal", "differs") else r.problems[:1]
        lines.extend(f"{'':24}problem {p[:200]}" for p in shown[:5])
        if len(shown) > 5:
            lines.append(f"{'':24}... {len(shown) - 5} more problems")
    return lines


def check_section(results: list[CheckResult]) -> list[str]:
    """Per project: findings tallied by code and severity, then every error with file:line and message."""
    lines = ["", "== tuneconf check over each config folder"]
    for c in results:
        tally = Counter((f.get("severity", "?"), f.get("code", "?")) for f in c.findings)
        counts = ", ".join(f"{sev}/{code} {n}" for (sev, code), n in sorted(tally.items())) or "no findings"
        lines.append(f"-- {c.project} ({c.seconds:.1f} s): {counts}")
        if c.failure:
            lines.append(f"   FAILURE {c.failure}")
        for f in c.findings:
            if f.get("severity") == "error":
                lines.append(f"   {f.get('file')}:{f.get('line')}: [{f.get('code')}] {f.get('message')}")
    return lines


def summary_section(projects: list[Project], composed: list[RunResult], checked: list[CheckResult]) -> list[str]:
    """One row per project and a total row."""
    statuses = ("equal", "differs", "crash", "both-fail", "ours-silent", "no-expected")
    head = f"{'project':38} {'yaml':>5} {'runs':>4} " + " ".join(f"{s[:11]:>11}" for s in statuses)
    head += f" {'errors':>6} {'warns':>6} {'other':>6} {'check s':>7}"
    lines = ["", "== summary", head]
    totals: Counter[str] = Counter()
    for p in projects:
        mine = Counter(r.status for r in composed if r.run.project == p.name)
        check = next((c for c in checked if c.project == p.name), None)
        sev = Counter(f.get("severity") for f in check.findings) if check else Counter()
        other = sum(sev.values()) - sev["error"] - sev["warning"]
        yaml_files = sum(1 for _ in p.config_dir.rglob("*.yaml")) if p.config_dir.exists() else 0
        row = f"{p.name[:38]:38} {yaml_files:>5} {len(p.runs):>4} " + " ".join(f"{mine[s]:>11}" for s in statuses)
        row += f" {sev['error']:>6} {sev['warning']:>6} {other:>6} {check.seconds if check else 0:>7.1f}"
        lines.append(row + ("  CHECK FAILED" if check and check.failure else ""))
        totals.update(mine)
        totals.update({"yaml": yaml_files, "runs": len(p.runs), "errors": sev["error"], "warns": sev["warning"]})
        totals.update({"other": other})
    lines.append(
        f"{'TOTAL':38} {totals['yaml']:>5} {totals['runs']:>4} "
        + " ".join(f"{totals[s]:>11}" for s in statuses)
        + f" {totals['errors']:>6} {totals['warns']:>6} {totals['other']:>6}"
    )
    return lines


def compose_all(projects: list[Project]) -> tuple[list[RunResult], str]:
    """Every run compared; the second value says why nothing was compared (composer not importable)."""
    try:
        from tuneconf.hydra import compose as _compose  # noqa: F401
        from tuneconf.hydra import overrides as _overrides  # noqa: F401
    except ImportError as error:
        return [], f"composition skipped: {error}"
    return [compare_run(run) for p in projects for run in p.runs], ""


def arguments(argv: Sequence[str]) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("folder", type=Path, help="folder with manifest.json, expected/ and the checkouts")
    parser.add_argument("--project", action="append", help="only this project (repeatable)")
    parser.add_argument("--skip-compose", action="store_true", help="do not compare compositions")
    parser.add_argument("--skip-check", action="store_true", help="do not run tuneconf check")
    parser.add_argument("--path-checks", action="store_true", help="let tuneconf check test file paths too")
    parser.add_argument("--out", type=Path, help="also write the results as JSON here")
    return parser.parse_args(argv)


def main(argv: Sequence[str]) -> int:
    """Compare, check, report."""
    args = arguments(argv)
    projects = [p for p in load_manifest(args.folder) if not args.project or p.name in args.project]
    composed, skipped = ([], "composition skipped (--skip-compose)") if args.skip_compose else compose_all(projects)
    checked: list[CheckResult] = []
    if not args.skip_check:
        with ThreadPoolExecutor(CHECK_WORKERS) as pool:
            checked = list(pool.map(lambda p: run_check(p, args.path_checks), projects))
    lines = [skipped] if skipped else compose_section(composed)
    lines += check_section(checked) + summary_section(projects, composed, checked)
    print("\n".join(lines))
    if args.out:
        rows = [dict(asdict(r), run=asdict(r.run)) for r in composed]
        args.out.write_text(json.dumps({"compose": rows, "check": [asdict(c) for c in checked]}, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
