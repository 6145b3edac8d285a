"""What a recipe reads from its config and what it passes to `config.instantiate`, read with `ast`.

A small abstract interpretation (recipes/walker.py): `cfg` (and any parameter bound to a part of it at a
call site) is a config path, and so is what `OmegaConf.load(args.config)` returns in a recipe that reads
`--config` itself (its functions that call `OmegaConf.load`, and its module-level statements, are walked
with nothing bound; walker.py says which loads are the run's config). `cfg.x`, `cfg["x"]` read x
(required unless the read may not run: inside an `if`, a loop, a `try`, after `and`/`or`);
`cfg.get("x", d)`, `getattr(cfg, "x", d)` and `"x" in cfg` read x optionally. Paths flow through local
names, `for` loops (list items: "*") and calls to the recipe's own functions and methods, until nothing
new is learnt; given a `Library` (recipes/library.py), also into torchtune's own code the recipe hands
the config to, as it is read.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tuneconf.files import read_text
from tuneconf.recipes.usage import ITEM, Instantiate, Read, RecipeUsage, Value
from tuneconf.recipes.walker import (
    FunctionNode,
    Learnt,
    Scope,
    class_methods,
    fixpoint,
    functions_of,
    loads_config,
    param_names,
)

if TYPE_CHECKING:
    from tuneconf.recipes.library import Library

__all__ = ["ITEM", "MAX_RECIPE_BYTES", "Constant", "Instantiate", "Read", "RecipeUsage", "Value", "analyse"]

MAX_RECIPE_BYTES = 1_000_000
"""Larger recipe files are not read: torchtune's largest is 52 KB, and `ast` takes ~400 bytes of memory
and 2 µs per byte of source (a 20 MB file: 70 s and 8 GB)."""

Constant = Callable[[str], "str | None"]


def analyse(file: Path, constant: Constant | None = None, library: Library | None = None) -> RecipeUsage:
    """What the recipe in `file` reads from its config and supplies; `constant` finds imported string
    constants (e.g. PROFILER_KEY); `library` follows the config into torchtune's code (else a call that
    hands the whole config to code outside the recipe makes it escape)."""
    usage = RecipeUsage(file)
    source, problem = read_text(file, MAX_RECIPE_BYTES)
    if source is None:
        usage.error = f"cannot read {file.name}: {problem}"
        return usage
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        usage.error = f"cannot read {file.name}: {exc}"
        return usage
    functions = functions_of(tree)
    script = _module_statements(tree)
    if script is not None:
        functions[script.name] = [script]
    entries = frozenset(id(fn) for group in functions.values() for fn in group if loads_config(fn.body))
    outside = library.session(file, tree).outside if library is not None else None
    scope = Scope(functions, constants_of(tree, constant), outside, class_methods(tree.body), entries)
    bindings: Learnt = {}
    for group in functions.values():
        for fn in group:
            if "cfg" in param_names(fn):
                bindings[(id(fn), "cfg")] = (Value((), False), False)
    fixpoint(usage, scope, bindings)
    return usage


def _module_statements(tree: ast.Module) -> FunctionNode | None:
    """The module's own statements (a script's `if __name__ == "__main__":` block) as a function to walk,
    when they load a config; None otherwise."""
    body = [s for s in tree.body if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    if not loads_config(body):
        return None
    arguments = ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[], defaults=[])
    return ast.FunctionDef(name="<module>", args=arguments, body=body, decorator_list=[], lineno=1, col_offset=0)


def constants_of(tree: ast.Module, constant: Constant | None) -> dict[str, str]:
    """Module-level `NAME = "text"`, and imported names that are string constants where defined."""
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            found.update({t.id: node.value.value for t in node.targets if isinstance(t, ast.Name)})
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and constant is not None:
            for alias in node.names:
                if alias.name.isupper():
                    value = constant(f"{node.module}.{alias.name}")
                    if value is not None:
                        found[alias.asname or alias.name] = value
    return found
