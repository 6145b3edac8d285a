"""Run in a subprocess where the recipe runtime is installed: inspect.signature of each dotpath.

Reads dotpaths on stdin (one per line), prints one JSON object per line:
{"dotpath", "ok", "params": [[name, kind, default_repr_or_null, literal_or_null], ...], "error"}
"""

import inspect
import json
import sys

from torchtune.config._utils import _get_component_from_path

_EMPTY = inspect.Parameter.empty
_KINDS = {
    inspect.Parameter.POSITIONAL_ONLY: "positional-only",
    inspect.Parameter.POSITIONAL_OR_KEYWORD: "positional or keyword",
    inspect.Parameter.VAR_POSITIONAL: "variadic positional",
    inspect.Parameter.KEYWORD_ONLY: "keyword-only",
    inspect.Parameter.VAR_KEYWORD: "variadic keyword",
}


def describe(default):
    if default is _EMPTY:
        return None, None
    literal = default if isinstance(default, (int, float, str, bool, type(None), tuple, list)) else None
    if isinstance(literal, tuple):
        literal = list(literal)
    return repr(default), literal


for line in sys.stdin:
    dotpath = line.strip()
    try:
        obj = _get_component_from_path(dotpath)
        params = [[p.name, _KINDS[p.kind], *describe(p.default)] for p in inspect.signature(obj).parameters.values()]
        print(json.dumps({"dotpath": dotpath, "ok": True, "params": params}), flush=True)
    except Exception as exc:
        print(json.dumps({"dotpath": dotpath, "ok": False, "error": f"{type(exc).__name__}: {exc}"}), flush=True)
