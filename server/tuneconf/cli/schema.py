"""`tuneconf schema`: a JSON Schema for one config's components, from the same index the checks use,
so that other YAML tools (yaml-language-server, check-jsonschema) can validate the config too."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tuneconf.cli import exits
from tuneconf.context import AnalysisContext
from tuneconf.diagnostics.recipe import supplied_arguments
from tuneconf.document.components import component_of
from tuneconf.document.parse import ParsedConfig
from tuneconf.document.tree import KeyPath, Node, deref
from tuneconf.document.tree import Sequence as SeqNode
from tuneconf.document.values import ExpansionLimitError, check_expansion
from tuneconf.files import read_text
from tuneconf.index.annotations import literal_value
from tuneconf.index.docstrings import summary
from tuneconf.index.records import Symbol, TypeSpec
from tuneconf.project import Project
from tuneconf.recipes.analysis import ITEM
from tuneconf.settings import Settings

DRAFT = "http://json-schema.org/draft-07/schema#"
INTERPOLATION = {"type": "string", "pattern": "^.*\\$\\{.*\\}.*$", "description": "an OmegaConf interpolation"}
_SIMPLE = {"int": "integer", "float": "number", "bool": "boolean", "str": "string", "none": "null"}


def schema_command(target: str) -> int:
    path = Path(target)
    text, problem = read_text(path)
    if text is None:
        print(f"tuneconf: {target}: {problem}", file=sys.stderr)
        return exits.USAGE
    project = Project(Settings(), [Path.cwd()])
    view = project.view(path.resolve().as_uri(), None, text)
    try:
        schema = config_schema(view.parsed, view.ctx, f"tuneconf schema for {path.name}")
    except ExpansionLimitError as exc:
        print(f"tuneconf: cannot write a schema for {target}: {exc}", file=sys.stderr)
        return exits.USAGE
    print(json.dumps(schema, indent=1))
    project.save()
    return exits.OK


def config_schema(doc: ParsedConfig, ctx: AnalysisContext, title: str = "torchtune config") -> dict[str, Any]:
    """Raises ExpansionLimitError for a config OmegaConf refuses for its size: lists are walked item by
    item, through aliases."""
    check_expansion(doc.root)
    properties: dict[str, Any] = {}
    definitions: dict[str, Any] = {}
    top = doc.mapping
    for pair in top.pairs if top is not None else []:
        if pair.name is None:
            continue
        entry = _node_schema(pair.value, (pair.name,), ctx)
        if entry is not None:
            properties[pair.name] = _shared(entry, definitions)
    schema: dict[str, Any] = {"$schema": DRAFT, "title": title, "type": "object", "properties": properties}
    if definitions:
        schema["definitions"] = definitions
    usage = ctx.recipe.usage if ctx.recipe is not None else None
    if usage is not None and not usage.error:
        schema["required"] = sorted(usage.required_keys())
    return schema


def _shared(entry: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    """Components with the same schema are defined once and referenced (a config may repeat one)."""
    if entry.get("type") != "object":
        return entry
    dotpath = str(entry["properties"].get(next(iter(entry["properties"])), {}).get("const", "component"))
    name = dotpath.rsplit(".", 1)[-1]
    index = 0
    while name in definitions and definitions[name] != entry:
        index += 1
        name = f"{dotpath.rsplit('.', 1)[-1]}_{index}"
    definitions[name] = entry
    return {"$ref": f"#/definitions/{name}"}


def _node_schema(node: Node, path: KeyPath, ctx: AnalysisContext) -> dict[str, Any] | None:
    target = deref(node)
    component = component_of(target, ctx.settings.component_keys)
    if component is not None:
        resolution = ctx.resolve_or_defer(str(component.dotpath.value))
        symbol = resolution.symbol if resolution is not None else None
        return _component_schema(str(component.dotpath.value), symbol, path, ctx)
    if isinstance(target, SeqNode) and target.items:
        items = [_node_schema(item, (*path, ITEM), ctx) for item in target.items]
        known = [item for item in items if item is not None]
        return {"type": "array", "items": {"anyOf": known}} if known else None
    return None


def _component_schema(dotpath: str, symbol: Symbol | None, path: KeyPath, ctx: AnalysisContext) -> dict[str, Any]:
    key = ctx.settings.component_keys[0]
    properties: dict[str, Any] = {key: {"const": dotpath}}
    schema: dict[str, Any] = {"type": "object", "properties": properties, "required": [key]}
    if symbol is None or symbol.parameters is None:
        return schema
    if symbol.doc:
        properties[key]["description"] = summary(symbol.doc)
    supplied = _supplied(symbol, path, ctx)
    for param in symbol.parameters:
        if param.by_keyword and param.name not in supplied:
            entry = _with_interpolation(type_schema(param.type))
            entry["description"] = param.doc or param.render()
            properties[param.name] = entry
    required = [p.name for p in symbol.parameters if p.required and p.by_keyword and p.name not in supplied]
    schema["required"] = [key, *required]
    schema["additionalProperties"] = symbol.var_keyword is not None
    return schema


def _supplied(symbol: Symbol, path: KeyPath, ctx: AnalysisContext) -> set[str]:
    usage = ctx.recipe.usage if ctx.recipe is not None else None
    if usage is None:
        return set()
    return supplied_arguments(usage, path, symbol)[0]


def type_schema(spec: TypeSpec) -> dict[str, Any]:
    """The JSON Schema of a TypeSpec ({} when anything goes)."""
    kind = spec.kind
    if kind in _SIMPLE:
        return {"type": _SIMPLE[kind]}
    if kind == "union":
        parts = [type_schema(a) for a in spec.args]
        return {} if any(p == {} for p in parts) else {"anyOf": parts}
    if kind == "literal":
        return {"enum": [literal_value(v) for v in spec.values]}
    if kind == "enum":
        return {"enum": list(spec.values)}
    if kind == "list":
        return {"type": "array", "items": type_schema(spec.args[0]) if spec.args else {}}
    if kind == "tuple":
        return {"type": "array"}
    if kind == "dict":
        return {"type": "object"}
    return {}


def _with_interpolation(schema: dict[str, Any]) -> dict[str, Any]:
    if schema == {} or schema.get("type") == "string":
        return dict(schema)
    return {"anyOf": [schema, INTERPOLATION]}
