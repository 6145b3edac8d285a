"""The layers of docs/ARCHITECTURE.md hold: adapters (lsp/, cli/) sit on the core and never on each
other (but `tuneconf serve` starting the server); only lsp/ speaks pygls; only cli/ prints; the
document model knows nothing of the editor."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "server" / "tuneconf"
ADAPTERS = ("lsp", "cli")
PURE = ("document", "interpolation", "index", "recipes", "diagnostics", "launch", "runs")
"""Core packages that take plain inputs and return plain data (no lsprotocol types either)."""


def modules() -> dict[str, ast.Module]:
    return {path.relative_to(PACKAGE).as_posix(): ast.parse(path.read_text()) for path in PACKAGE.rglob("*.py")}


def imports(tree: ast.Module) -> set[str]:
    """Every module imported anywhere in the file (also inside functions)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def layer(module: str) -> str:
    if module == "__main__.py":
        return "cli"  # `python -m tuneconf` is the CLI's entry point
    first = module.split("/")[0]
    return first if first in (*ADAPTERS, *PURE, "features") else "core"


def uses(module_imports: set[str], package: str) -> list[str]:
    return sorted(m for m in module_imports if m == package or m.startswith(package + "."))


def test_only_lsp_imports_pygls() -> None:
    offenders = {name: uses(imports(tree), "pygls") for name, tree in modules().items() if layer(name) != "lsp"}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_core_imports_no_adapter() -> None:
    offenders = {
        name: uses(imports(tree), "tuneconf.lsp") + uses(imports(tree), "tuneconf.cli")
        for name, tree in modules().items()
        if layer(name) not in ADAPTERS
    }
    assert {name: found for name, found in offenders.items() if found} == {}


STARTERS = ("cli/app.py", "cli/__init__.py")
"""Where `tuneconf serve` starts the server (cli/__init__.py: a bare `serve`, without the parser)."""


def test_the_adapters_do_not_import_each_other_but_serve() -> None:
    found = {name: uses(imports(tree), "tuneconf.cli") for name, tree in modules().items() if layer(name) == "lsp"}
    found |= {
        name: [m for m in uses(imports(tree), "tuneconf.lsp") if name not in STARTERS or "lsp.server" not in m]
        for name, tree in modules().items()
        if layer(name) == "cli"
    }
    assert {name: modules for name, modules in found.items() if modules} == {}


def test_the_pure_core_returns_no_protocol_types() -> None:
    # document/positions.py is the one boundary where code points become the client's units (LSP ranges).
    offenders = {
        name: uses(imports(tree), "lsprotocol")
        for name, tree in modules().items()
        if layer(name) in PURE and name != "document/positions.py"
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_only_the_cli_prints() -> None:
    def prints(tree: ast.Module) -> bool:
        return any(
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"
            for node in ast.walk(tree)
        )

    assert sorted(name for name, tree in modules().items() if layer(name) != "cli" and prints(tree)) == []
