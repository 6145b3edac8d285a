"""Launching, hardened: probes run isolated, the interpreter setting is never run from another folder,
the prepare step is a real comment inside the workspace and confirmed, sbatch scripts quote what they
hold, existing outputs (however named) are confirmed, counts below 1 are refused."""

from __future__ import annotations

import io
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tuneconf.cli import main
from tuneconf.document.parse import parse
from tuneconf.document.values import to_python
from tuneconf.index.environment import probe
from tuneconf.launch.gpus import GPUs
from tuneconf.launch.outputs import overwrite_warnings
from tuneconf.launch.plan import Profile, build_plan, profile_of
from tuneconf.launch.prepare import prepare_step
from tuneconf.launch.slurm import slurm_script
from tuneconf.lsp.commands import launch_plan, slurm
from tuneconf.overrides import merge
from tuneconf.project import Project
from tuneconf.recipes.registry import RecipeChoice
from tuneconf.settings import Settings

DISTRIBUTED = RecipeChoice("lora_finetune_distributed", Path("/site/recipes/lora.py"), "t", True, True)
RECIPE = "def recipe_main(cfg):\n    print(cfg.epochs)\n"
# A Python without this venv's packages (no torch): `import torch` fails in milliseconds unless a
# torch.py is found on sys.path, which is what these tests look for.
BASE_PYTHON = Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
PYTHON = str(BASE_PYTHON) if BASE_PYTHON.is_file() else sys.executable


def canary(path: Path, marker: Path) -> None:
    """A Python module (or shell script, for `python` files) that writes `marker` when it runs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".py":
        path.write_text(f"open({str(marker)!r}, 'a').write({str(path)!r} + '\\n')\n")
    else:
        path.write_text(f"#!/bin/sh\necho {shlex.quote(str(path))} >> {shlex.quote(str(marker))}\necho True\n")
        path.chmod(0o755)


def workspace(tmp_path: Path, text: str) -> tuple[Path, Path]:
    folder = tmp_path / "ws"
    folder.mkdir()
    (folder / "my_recipe.py").write_text(RECIPE)
    config = folder / "c.yaml"
    config.write_text(text)
    return folder, config


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[str], str | None]]:
    """Every subprocess.run in the process: (argv, cwd)."""
    recorded: list[tuple[list[str], str | None]] = []
    real = subprocess.run

    def run(argv: Any, *args: Any, **kwargs: Any) -> Any:
        recorded.append(([str(a) for a in argv], None if kwargs.get("cwd") is None else str(kwargs["cwd"])))
        return real(argv, *args, **kwargs)

    monkeypatch.setattr(subprocess, "run", run)
    return recorded


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No nvidia-smi (the torch probe is what runs), this process's Python is PYTHON, a private cache."""
    (tmp_path / "nobin").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "nobin"))
    monkeypatch.setenv("TUNECONF_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(sys, "executable", PYTHON)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # no terminal


def isolated(argv: list[str], cwd: str | None, folder: Path) -> bool:
    return "-I" in argv[1:3] and cwd is not None and not Path(cwd).resolve().is_relative_to(folder.resolve())


@pytest.mark.parametrize("layout", ["torch.py", "torch/__init__.py"])
@pytest.mark.usefixtures("cli_env")
def test_printing_a_plan_imports_nothing_from_the_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, calls: list[tuple[list[str], str | None]], layout: str
) -> None:
    folder, config = workspace(tmp_path, "# tune run my_recipe.py --config c.yaml\nepochs: 1\n")
    marker = tmp_path / "IMPORTED"
    for name in (layout, "sitecustomize.py", "usercustomize.py"):
        canary(folder / name, marker)
    monkeypatch.chdir(folder)
    assert main(["run", "--dry-run", str(config)]) == 0
    assert main(["run", "--slurm", str(config)]) == 0
    project = Project(Settings(interpreter=PYTHON), [folder], cache_dir=tmp_path / "cache")
    view = project.view(config.as_uri(), None, config.read_text(), config=True)
    assert launch_plan(project, view, [], None)["argv"]
    assert not marker.exists(), marker.read_text()
    probes = [(argv, cwd) for argv, cwd in calls if argv[0] == PYTHON]
    assert sum("import torch" in " ".join(argv) for argv, _ in probes) == 3
    assert all(isolated(argv, cwd, folder) for argv, cwd in probes), probes


@pytest.mark.usefixtures("cli_env")
def test_explicit_counts_probe_no_gpus(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, calls: list[tuple[list[str], str | None]]
) -> None:
    folder, config = workspace(tmp_path, "# tune run my_recipe.py --config c.yaml\nepochs: 1\n")
    monkeypatch.chdir(folder)
    assert main(["run", "--dry-run", "--nproc-per-node", "2", str(config)]) == 1  # single device: refused, not probed
    assert main(["run", "--slurm", "--nproc-per-node", "8", "--nnodes", "2", str(config)]) == 0
    # What ran is the environment probe (`-I -S`, the analysis needs the user's sys.path), nothing else.
    assert calls and all("-S" in argv[1:3] and isolated(argv, cwd, folder) for argv, cwd in calls), calls
    project = Project(Settings(interpreter=PYTHON), [folder], cache_dir=tmp_path / "cache")
    view = project.view(config.as_uri(), None, config.read_text(), config=True)
    project.index  # noqa: B018 (the environment probe, done here, not in the command)
    calls.clear()
    assert "srun " in slurm(project, view, [], 2, 8)
    assert calls == []


def test_a_relative_interpreter_never_runs_from_another_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "RAN"
    shared, here, folder = tmp_path / "tmp", tmp_path / "cwd", tmp_path / "ws"
    for root in (shared, here, folder):
        canary(root / ".venv" / "bin" / "python", marker)
        canary(root / "python3", marker)
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    monkeypatch.chdir(here)
    # An empty and a relative PATH entry name the working folder: its `python3` is not the one found.
    monkeypatch.setenv("PATH", os.pathsep.join(["", ".", str(Path(sys.executable).parent), os.environ["PATH"]]))
    for setting in (".venv/bin/python", "./.venv/bin/python", "python3"):
        env = probe(setting, [folder])
        assert os.path.isabs(env.interpreter) and not env.problem, (setting, env)
    assert not marker.exists(), marker.read_text()


def prepare_of(folder: Path, text: str) -> Any:
    return prepare_step("/env/bin/python", folder / "configs" / "c.yaml", text, folder)


@pytest.mark.parametrize(
    "text",
    [
        "notes: |\n  # tuneconf: prepare=prep.py\nepochs: 1\n",
        "notes: >-\n    x\n    # tuneconf: prepare=prep.py\nepochs: 1\n",
        "notes: 'a\n  # tuneconf: prepare=prep.py\n  b'\n",
        'notes: "a\n  # tuneconf: prepare=prep.py\n  b"\n',
        "model:\n  doc: |\n    text\n    # tuneconf: prepare=prep.py\n  x: 1\n",
        "epochs: 1  # tuneconf: prepare=prep.py\n",
    ],
)
def test_prepare_is_taken_only_from_a_comment_line(tmp_path: Path, text: str) -> None:
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "prep.py").write_text("")
    assert prepare_of(tmp_path, text).argv is None
    assert prepare_of(tmp_path, "# tuneconf: prepare=prep.py\n" + text).argv == [
        "/env/bin/python",
        str((tmp_path / "configs" / "prep.py").resolve()),
    ]


@pytest.mark.parametrize("where", ["../../outside.py", "ABSOLUTE", "link.py", "../configs/../../outside.py"])
def test_prepare_outside_the_workspace_is_refused(tmp_path: Path, where: str) -> None:
    folder = tmp_path / "ws"
    (folder / "configs").mkdir(parents=True)
    outside = tmp_path / "outside.py"
    outside.write_text("")
    (folder / "configs" / "link.py").symlink_to(outside)
    path = str(outside) if where == "ABSOLUTE" else where
    result = prepare_of(folder, f"# tuneconf: prepare={path}\nepochs: 1\n")
    assert result.argv is None and "outside the workspace folder" in (result.problem or "")
    plan = build_plan("/env/bin/python", folder / "configs" / "c.yaml", f"# tuneconf: prepare={path}\n", [],
                      DISTRIBUTED, folder, GPUs(1, "nvidia-smi"))  # fmt: skip
    assert not plan.runnable and plan.prepare is None


CONFIRM = "# tune run my_recipe.py --config c.yaml\nepochs: 1\n"


@pytest.mark.parametrize("needs", ["prepare", "output_dir"])
@pytest.mark.usefixtures("cli_env")
def test_without_a_terminal_nothing_unconfirmed_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str], needs: str
) -> None:
    text = CONFIRM + ("# tuneconf: prepare=prep.py\n" if needs == "prepare" else "output_dir: out\n")
    folder, config = workspace(tmp_path, text)
    (folder / "out").mkdir()
    (folder / "out" / "model.bin").write_text("")
    # The prepare step records that it ran, then fails, so that the recipe itself never starts.
    (folder / "prep.py").write_text("open('RAN', 'w').write('x')\nraise SystemExit(3)\n")
    monkeypatch.chdir(folder)
    assert main(["run", "--dry-run", str(config)]) == 0
    printed = capfd.readouterr().out
    assert ("prepare: " in printed) == (needs == "prepare") and ("already has files" in printed) == (needs != "prepare")
    assert main(["run", str(config)]) == 1
    assert "--yes" in capfd.readouterr().err and not (folder / "RAN").exists()
    monkeypatch.setattr(sys, "stdin", type("Tty", (io.StringIO,), {"isatty": lambda self: True})("n\n"))
    assert main(["run", str(config)]) == 1 and not (folder / "RAN").exists()
    if needs == "prepare":
        assert main(["run", "--yes", str(config)]) == 3 and (folder / "RAN").exists()


@pytest.mark.parametrize(
    ("text", "overrides"),
    [
        ("base: {out}\noutput_dir: ${{base}}/run\n", []),
        ("output_dir: ${{oc.env:TUNECONF_TEST_OUT}}/run\n", []),
        ("output_dir: /nowhere\n", ["output_dir={out}/run"]),
        ("checkpointer:\n  _component_: x.Y\n  output_dir: {out}/run\n", []),
        ("metric_logger:\n  log_dir: ${{.base}}/run\n  base: {out}\n", []),
        ("profiler:\n  output_dir: ${{dirs.out}}/run\ndirs: {{out: {out}}}\n", []),
        ("log_dir: {out}/run\n", []),
    ],
)
def test_every_named_output_folder_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, overrides: list[str]
) -> None:
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "model.bin").write_text("")
    monkeypatch.setenv("TUNECONF_TEST_OUT", str(tmp_path))
    merged = merge(parse(text.format(out=tmp_path)), [o.format(out=tmp_path) for o in overrides])
    warnings = overwrite_warnings(merged.doc.root, to_python(merged.doc.root), tmp_path / "elsewhere")
    assert len(warnings) == 1 and f"{tmp_path}/run already has files" in warnings[0]


@pytest.mark.parametrize(
    "text",
    [
        "a0: x\n" + "".join(f"a{i}: ${{a{i - 1}}}${{a{i - 1}}}\n" for i in range(1, 60)) + "output_dir: ${a59}\n",
        "output_dir: ${a}\na: ${output_dir}\n",
        "output_dir: ${oc.select:a}\na: x\n",
    ],
)
def test_output_folders_that_would_not_resolve_quickly_are_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    from omegaconf import OmegaConf

    selected: list[str] = []
    monkeypatch.setattr(OmegaConf, "select", lambda config, key, **kw: selected.append(key))
    root = parse(text).root
    assert overwrite_warnings(root, to_python(root), tmp_path) == [] and selected == []


HOSTILE = [
    "a b",
    "q='x'",
    'r="y"',
    "s=$(touch {c})",
    "t=1;touch {c}",
    "u=x\ntouch {c}",
    "v=`touch {c}`",
    "$SLURM_JOB_ID",
]


def test_an_sbatch_script_runs_exactly_the_plan(tmp_path: Path) -> None:
    canary_file = tmp_path / "INJECTED"
    cwd = tmp_path / "dir 'q' \"d\" $(touch {c}) `x`; y\nz".replace("{c}", str(canary_file))
    config = cwd / "configs" / f"c$(touch {canary_file});\n`x`'\".yaml"  # the canary's / make folders
    config.parent.mkdir(parents=True)
    overrides = [h.replace("{c}", str(canary_file)) for h in HOSTILE]
    (config.parent / "prep.py").write_text("")
    text = "# tuneconf: prepare=prep.py\n"
    plan = build_plan("/env/bin/py'thon", config, text, overrides, DISTRIBUTED, cwd, GPUs(8, "requested"))
    assert plan.prepare is not None
    script = slurm_script(plan, 2, 8, job_name=f"x\ntouch {canary_file}\n#")
    script_file = tmp_path / "job.sh"
    script_file.write_text(script)
    assert subprocess.run(["bash", "-n", str(script_file)], capture_output=True).returncode == 0
    bin_dir, record = tmp_path / "bin", tmp_path / "argv.json"
    bin_dir.mkdir()
    record_argv = f"import json, sys\nopen({str(record)!r}, 'w').write(json.dumps(sys.argv[1:]))\n"
    (bin_dir / "record.py").write_text(record_argv)
    record_command = shlex.join([sys.executable, str(bin_dir / "record.py")])
    fakes = {
        "scontrol": "echo node1; echo node2",
        "srun": f'if [ "$1" = --nodes=1 ]; then echo 10.0.0.7; else {record_command} "$@"; fi',
    }
    for name, body in fakes.items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / name).chmod(0o755)
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "SLURM_JOB_ID": "77", "SLURM_JOB_NODELIST": "n[1-2]"}
    done = subprocess.run(["bash", str(script_file)], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    torchrun = ["--nnodes", "2", "--nproc_per_node", "8", "--rdzv_id", "77", "--rdzv_backend", "c10d",
                "--rdzv_endpoint", "10.0.0.7:29500"]  # fmt: skip
    assert json.loads(record.read_text()) == [*plan.argv[:4], *torchrun, *plan.argv[6:]]
    assert not canary_file.exists()
    assert re.fullmatch(r"#SBATCH --job-name=[A-Za-z0-9._-]+", script.splitlines()[1])


def test_counts_below_one_never_reach_a_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for flag, value in [("--nproc-per-node", "-5"), ("--nnodes", "-2"), ("--nnodes", "0"), ("--node-rank", "-1"),
                        ("--nproc-per-node", "two")]:  # fmt: skip
        with pytest.raises(SystemExit) as exit_:
            main(["run", "--dry-run", flag, value, "c.yaml"])
        assert exit_.value.code == 2
        err = capsys.readouterr().err
        assert f"argument {flag}: " in err and value in err and "Traceback" not in err
    assert profile_of({"nproc_per_node": -1, "nnodes": 0, "node_rank": -1}) == Profile()
    assert profile_of({"nproc_per_node": True, "nnodes": 2.5, "node_rank": "0"}) == Profile()
    assert not build_plan("/p/python", Path("/p/c.yaml"), "", [], DISTRIBUTED, Path("/p"), GPUs(4, "x"),
                          Profile(nproc_per_node=-5)).runnable  # fmt: skip
    monkeypatch.setenv("TUNECONF_CACHE_DIR", str(tmp_path / "cache"))
    folder, config = workspace(tmp_path, "# tune run my_recipe.py --config c.yaml\nepochs: 1\n")
    project = Project(Settings(), [folder], cache_dir=tmp_path / "cache")
    view = project.view(config.as_uri(), None, config.read_text(), config=True)
    for nodes, gpus in [(0, 8), (-2, 8), (2, 0), (2, True), ("2\nrm -rf ~", 8), (2, 1.5)]:
        script = slurm(project, view, [], nodes, gpus)
        assert script.startswith("# tuneconf: ") and script.count("\n") == 1 and "srun" not in script, script
    with pytest.raises(ValueError):
        slurm_script(build_plan("/p/python", Path("/p/c.yaml"), "", [], DISTRIBUTED, Path("/p"), GPUs(1, "x")), -2, 8)
