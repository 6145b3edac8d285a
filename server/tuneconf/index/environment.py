"""Whose code we analyse: the target interpreter's import path, read without importing its packages.

One subprocess per interpreter runs `python -S` (no site: no .pth file executes) and reports its
paths; we add the site directories and the path entries of their .pth files ourselves, reading
editable-install finders statically. Workspace folders come last: `tune run` and torchtune's
instantiate *append* the working directory to sys.path, so an installed package wins over a folder of
the same name in the workspace (a fork's `torchtune/` checkout runs the installed torchtune unless it
is installed itself, e.g. editable, which its .pth file then says).
"""

from __future__ import annotations

import ast
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

# Run with -I -S: isolated (neither the working directory nor PYTHONPATH is on sys.path, so no file
# of the workspace can shadow a module the probe imports) and without site.py (so no .pth file's
# import line runs). We redo, by reading files only, what site.py would add: the virtual
# environment's site-packages (pyvenv.cfg), the base interpreter's when the venv includes them, and
# the user site (argv[1] says whether the user's environment enables it); PYTHONPATH is added here.
_PROBE = """
import json, os, site, sys, sysconfig
exe_dir = os.path.dirname(os.path.abspath(sys.executable))
prefix, system = sys.prefix, True
for folder in (exe_dir, os.path.dirname(exe_dir)):
    cfg = os.path.join(folder, "pyvenv.cfg")
    if os.path.isfile(cfg):
        prefix = os.path.dirname(exe_dir)
        with open(cfg, encoding="utf-8") as f:
            for line in f:
                key, _, value = line.partition("=")
                if key.strip().lower() == "include-system-site-packages":
                    system = value.strip().lower() == "true"
        break
def site_dirs(base):
    paths = sysconfig.get_paths(vars={"base": base, "platbase": base})
    return [paths["purelib"], paths["platlib"]]
dirs = site_dirs(prefix)
if prefix != sys.prefix and system:
    dirs += site_dirs(sys.prefix)
if system and sys.argv[1] == "user-site":
    dirs.insert(0, site.getusersitepackages())
print(json.dumps({
    "executable": sys.executable,
    "version": "%d.%d.%d" % sys.version_info[:3],
    "path": [p for p in sys.path if p],
    "site": dirs,
}))
"""


@dataclass
class Environment:
    interpreter: str
    version: str = ""
    search_path: list[Path] = field(default_factory=list)
    """Where modules are looked up, in order."""
    editable: dict[str, Path] = field(default_factory=dict)
    """Top-level names that editable installs map to a folder (from their finder modules)."""
    problem: str = ""
    """Why the interpreter could not be probed (then only the workspace is searched)."""

    @property
    def key(self) -> str:
        """What the disk cache is keyed by."""
        return json.dumps([self.interpreter, self.version, [str(p) for p in self.search_path]])


def probe(interpreter: str | None, workspace: list[Path], timeout: float = 20.0) -> Environment:
    """The environment of `interpreter` (default, or when it is a relative path: the one running
    tuneconf; resolve_interpreter), workspace folders last (as `tune run` appends the working folder)."""
    interpreter = resolve_interpreter(interpreter)
    env = Environment(interpreter)
    try:
        user_site = "no-user-site" if os.environ.get("PYTHONNOUSERSITE") else "user-site"
        proc = subprocess.run(
            [interpreter, "-I", "-S", "-c", _PROBE, user_site],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=tempfile.gettempdir(),
            env=_clean_env(),
        )
        facts = json.loads(proc.stdout)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        env.problem = f"cannot run {interpreter}: {exc}"
        log.warning("environment probe failed: %s", env.problem)
        env.search_path = list(workspace)
        return env
    env.interpreter = facts["executable"] or interpreter
    env.version = facts["version"]
    python_path = [Path(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    paths = [*python_path, *(Path(p) for p in facts["path"])]
    for site_dir in facts["site"]:
        paths.append(Path(site_dir))
        extra, editable = read_pth_files(Path(site_dir))
        paths.extend(extra)
        env.editable.update(editable)
    paths.extend(workspace)
    env.search_path = _unique([p for p in paths if p.is_dir()])
    return env


def resolve_interpreter(interpreter: str | None) -> str:
    """The interpreter to probe and run, as an absolute path: the setting when it names one (a bare
    name looked up on PATH), else the one running tuneconf (logged, with why the setting is not used)."""
    if not interpreter:
        return sys.executable
    if os.path.isabs(interpreter):
        return interpreter
    # A relative path means a file under whichever folder it runs from (this process's, a temporary
    # folder anyone can write to), and the server cannot tell whether the workspace is trusted: it is
    # refused. The VS Code client resolves it against the workspace folder when trusted and starts the
    # server with that interpreter, which is then sys.executable here.
    if "/" in interpreter or os.sep in interpreter or interpreter.startswith(("~", "$", ".")):
        log.warning(
            "tuneconf.interpreter %r is not an absolute path: not run; using %s (set an absolute path)",
            interpreter,
            sys.executable,
        )
        return sys.executable
    # Only absolute PATH entries: an empty or relative one would find the name in the working folder.
    search = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if os.path.isabs(p))
    found = shutil.which(interpreter, path=search)
    if found is None:
        log.warning("tuneconf.interpreter %r is not on PATH: using %s", interpreter, sys.executable)
        return sys.executable
    return os.path.abspath(found)


def read_pth_files(site_dir: Path) -> tuple[list[Path], dict[str, Path]]:
    """Path entries of a site directory's .pth files, and editable finders' mappings, without executing."""
    paths: list[Path] = []
    editable: dict[str, Path] = {}
    try:
        pth_files = sorted(site_dir.glob("*.pth"))
    except OSError:
        return paths, editable
    for pth in pth_files:
        try:
            lines = pth.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for line in lines:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith(("import ", "import\t")):
                editable.update(_finder_mapping(site_dir, line))
                continue
            entry = Path(line) if os.path.isabs(line) else site_dir / line
            paths.append(entry)
    return paths, editable


def _finder_mapping(site_dir: Path, line: str) -> dict[str, Path]:
    """setuptools' editable finders (`import __editable___x_finder; ...`) hold a literal MAPPING."""
    name = line.split()[1].rstrip(";")
    finder = site_dir / f"{name}.py"
    if not name.startswith("__editable__") or not finder.is_file():
        return {}
    try:
        tree = ast.parse(finder.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "MAPPING" for t in node.targets):
            try:
                mapping = ast.literal_eval(node.value)
            except ValueError:
                return {}
            return {str(k): Path(v) for k, v in mapping.items() if isinstance(k, str) and isinstance(v, str)}
    return {}


def _clean_env() -> dict[str, str]:
    # -I ignores PYTHON* variables already; these would make Python run code at start without it.
    env = dict(os.environ)
    env.pop("PYTHONSTARTUP", None)
    env.pop("PYTHONINSPECT", None)
    return env


def _unique(paths: list[Path]) -> list[Path]:
    seen: set[str] = set()
    result = []
    for path in paths:
        key = os.path.normpath(str(path))
        if key not in seen:
            seen.add(key)
            result.append(path)
    return result
