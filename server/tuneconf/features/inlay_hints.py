"""Inlay hints (LSP 3.17), their tooltips given lazily on `inlayHint/resolve`.

What a hint looks like (short; the whole story is in its tooltip):
- after a value with an interpolation, what it resolves to: `log_dir: ${output_dir}/logs  → /tmp/out/logs`,
  the value cut to LABEL_CHARS with an ellipsis; the tooltip has the value whole (up to SHOWN_CHARS), its
  type and the values it was made from, with their lines or the override that set them. With an override
  set chosen in the editor (tuneconf.server.activeOverrides), values are those after the overrides, merged
  as torchtune merges them (overrides.py), and a `???` they set shows its value instead of `required`;
- at the `_component_` line of a node the recipe instantiates with arguments of its own:
  `_component_: torchtune.datasets.alpaca_dataset  tokenizer ← recipe` (InlayHintKind.Parameter), only
  where the recipe is certain: named by a `# tuneconf: recipe=` comment, the settings or the registry, or a
  guess that fits the config well (recipes/evidence.py GOOD: the rule under which the recipe checks report
  `supplied-argument` as an error). The names are those of its `config.instantiate(cfg.x, ...)` calls
  (recipes/usage.py: positional ones as the component's parameters in order), less any the config sets
  (that is the `supplied-argument` error); as many as fit LABEL_CHARS, then `+N`;
- after a value that is exactly `???` (quoted or not: OmegaConf reads both as missing): `required`.

None on lines whose value is literal, none on a Jinja placeholder's line, and none for a value that is
not certain (features/inlay_values.py: a resolver such as `oc.env`, whose value may be a token that would
show on screen; a missing key, `???`, a cycle; a config OmegaConf would not load; overrides torchtune
would refuse): never a wrong value.

Cost: only the nodes on the requested lines that may carry a hint are visited; values are resolved on
our own tree (no OmegaConf); the overrides are merged once per version of the document (inlay_values.ActiveOverrides).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from lsprotocol import types

from tuneconf.document.components import component_of
from tuneconf.document.parse import ParsedConfig
from tuneconf.document.positions import Converter
from tuneconf.document.tree import KeyPath, Mapping, Node, Scalar, Span
from tuneconf.document.tree import Sequence as SeqNode
from tuneconf.features.inlay_values import MISSING, Resolved, Resolver, marked_lines, shown
from tuneconf.findings import Severity
from tuneconf.index.records import ParamKind
from tuneconf.overrides import Merged, merge
from tuneconf.project import ConfigView
from tuneconf.recipes.usage import ITEM, Instantiate, RecipeUsage

LABEL_CHARS = 40
"""A hint's text at most (not counting `→ ` and ` ← recipe`): a longer value is cut, with an ellipsis."""
SHOWN_CHARS = 300
"""Of a resolved value in the tooltip (as the hover)."""
MAX_SOURCES = 8
"""The values a resolved value was made from, listed in its tooltip at most."""
NOT_LOADABLE = frozenset(
    {"yaml-syntax", "duplicate-key", "top-level-not-mapping", "not-loadable", "too-large", "interpolation-syntax"}
)
"""Findings after which OmegaConf (so the run) loads no config at all: no value is shown."""
VALUE, REQUIRED, SUPPLIED = "value", "required", "supplied"
"""What a hint is (its data's `kind`, which `resolve_hint` reads)."""


def inlay_hints(
    view: ConfigView,
    first: int,
    last: int,
    conv: Converter,
    overrides: Sequence[str] = (),
    merged: Merged | None = None,
) -> list[types.InlayHint]:
    """The hints on lines `first`..`last` of the document (the range the editor shows), in order;
    `merged`: the document with `overrides` applied, when the caller keeps it (inlay_values.ActiveOverrides)."""
    top = view.parsed.mapping
    if top is None or first > last:
        return []
    return _Request(view, first, last, conv, overrides, merged).hints(top)


class _Request:
    """One request's walk. Visited: the nodes on the requested lines that may carry a hint, i.e. whose
    lines hold `${` or `???` (found once per version by a substring search), or whose path the recipe
    instantiates; the rest of the document is skipped by the spans. The resolver (with the overrides'
    merge) and the recipe's certainty are made on first need."""

    def __init__(
        self,
        view: ConfigView,
        first: int,
        last: int,
        conv: Converter,
        overrides: Sequence[str],
        merged: Merged | None,
    ) -> None:
        self.view, self.first, self.last, self.conv = view, first, last, conv
        self.overrides, self.merged = tuple(overrides), merged
        self.blocked = _placeholder_lines(view)
        self.marks = marked_lines(view.parsed)
        info = view.ctx.recipe
        usage = info.usage if info is not None else None
        self.wanted = _prefixes(usage.instantiations if usage is not None and not usage.error else [])
        self._resolver: Resolver | bool | None = False
        self._recipe: _Recipe | bool | None = False

    def hints(self, top: Mapping) -> list[types.InlayHint]:
        hints: list[types.InlayHint] = []
        keys = self.view.ctx.settings.component_keys
        for path, node in self._visible(top):
            if isinstance(node, Mapping):
                component = component_of(node, keys) if path and _normal(path) in self.wanted else None
                if component is not None and self._shows(component.dotpath):
                    recipe = self.recipe()
                    if recipe is not None:
                        hints += _supplied(self.view, recipe, path, node, component.dotpath, self.conv)
                continue
            if not isinstance(node.value, str) or not self._shows(node):
                continue
            if node.value == MISSING:
                hints += _missing(path, node, self.resolver(), self.overrides, self.conv)
            elif "${" in node.value:
                resolver = self.resolver()
                found = resolver.at(path) if resolver is not None else None
                if found is not None:
                    hints.append(_value_hint(path, node, found, self.overrides, self.conv))
        return sorted(hints, key=lambda h: (h.position.line, h.position.character))

    def _visible(self, top: Mapping) -> Iterator[tuple[KeyPath, Mapping | Scalar]]:
        """The mappings and scalars that may carry a hint on the requested lines, with their paths, in
        document order; aliases are not followed (what they name is visited where it is written)."""
        stack: list[tuple[KeyPath, Node]] = [((), top)]
        while stack:
            path, node = stack.pop()
            if isinstance(node, Scalar):
                yield path, node
                continue
            children: list[tuple[KeyPath, Node]] = []
            if isinstance(node, Mapping):
                yield path, node
                children = [((*path, p.name), p.value) for p in node.pairs if p.name is not None]
            elif isinstance(node, SeqNode):
                children = [((*path, i), item) for i, item in enumerate(node.items)]
            stack.extend(reversed([(p, n) for p, n in children if self._may_hint(p, n.span)]))

    def _may_hint(self, path: KeyPath, span: Span) -> bool:
        if span.start_line > self.last or span.end_line < self.first:
            return False
        if self.wanted and _normal(path) in self.wanted:
            return True
        marks = self.marks
        at = bisect.bisect_left(marks, span.start_line)
        return at < len(marks) and marks[at] <= span.end_line

    def _shows(self, scalar: Scalar) -> bool:
        """Whether a hint after `scalar` is on a requested line, and not on a placeholder's line."""
        span = scalar.span
        if not self.first <= span.end_line <= self.last:
            return False
        blocked = self.blocked
        return not blocked or not any(line in blocked for line in range(span.start_line, span.end_line + 1))

    def resolver(self) -> Resolver | None:
        if self._resolver is False:
            self._resolver = _resolver(self.view, self.blocked, self.overrides, self.merged)
        assert not isinstance(self._resolver, bool)
        return self._resolver

    def recipe(self) -> _Recipe | None:
        if self._recipe is False:
            self._recipe = _certain_recipe(self.view)
        assert not isinstance(self._recipe, bool)
        return self._recipe


def _normal(path: KeyPath) -> KeyPath:
    """A path as recipes/usage.py writes what a recipe instantiates: list items as ITEM."""
    return tuple(ITEM if isinstance(p, int) else p for p in path)


def _prefixes(instantiations: Iterable[Instantiate]) -> frozenset[KeyPath]:
    """Every path a component the recipe instantiates sits at or under."""
    return frozenset(i.path[:n] for i in instantiations for n in range(1, len(i.path) + 1))


def _resolver(
    view: ConfigView, blocked: frozenset[int], overrides: Sequence[str], merged: Merged | None
) -> Resolver | None:
    """Values of the document, or of the document with the overrides; None where the run would load no
    config (OmegaConf refuses the YAML, torchtune an override) or a template's statements may add keys."""
    if view.template is not None and view.template.makes_keys:
        return None
    if any(f.code in NOT_LOADABLE and f.severity is Severity.ERROR for f in view.findings()):
        return None
    if not overrides:
        return Resolver(view.parsed.root, blocked)
    merged = merged if merged is not None else merge(view.parsed, list(overrides))
    if any(f.severity is Severity.ERROR for f in merged.findings):
        return None
    return Resolver(merged.doc.root, blocked)


def _placeholder_lines(view: ConfigView) -> frozenset[int]:
    if view.template is None:
        return frozenset()
    return frozenset(line for span in view.template.spans for line in range(span.start_line, span.end_line + 1))


def _value_hint(
    path: KeyPath, scalar: Scalar, found: Resolved, overrides: Sequence[str], conv: Converter
) -> types.InlayHint:
    text = shown(found.value)
    sources = [
        {"path": _dotted(s.path), "written": _cut(_one_line(s.written), 80), "line": s.line}
        for s in found.sources[:MAX_SOURCES]
    ]
    data = {
        "kind": VALUE,
        "path": _dotted(path),
        "written": _cut(_one_line(scalar.text), 120),
        "value": _cut(text, SHOWN_CHARS),
        "chars": len(text),
        "type": type(found.value).__name__,
        "sources": sources,
        "more": max(len(found.sources) - MAX_SOURCES, 0),
        "overrides": list(overrides),
    }
    return types.InlayHint(
        position=conv.position(*scalar.span.end), label=f"→ {_label(text)}", padding_left=True, data=data
    )


def _missing(
    path: KeyPath, scalar: Scalar, resolver: Resolver | None, overrides: Sequence[str], conv: Converter
) -> list[types.InlayHint]:
    """`required` after `???`; with active overrides that set it, the value they give instead."""
    if overrides and resolver is not None:
        now = resolver.node(path)
        if not (isinstance(now, Scalar) and now.value == MISSING):
            found = resolver.at(path)
            return [_value_hint(path, scalar, found, overrides, conv)] if found is not None else []
    data = {"kind": REQUIRED, "path": _dotted(path)}
    return [types.InlayHint(position=conv.position(*scalar.span.end), label="required", padding_left=True, data=data)]


@dataclass(frozen=True)
class _Recipe:
    name: str
    how: str
    usage: RecipeUsage


_last_recipe: list[tuple[ParsedConfig, Any, _Recipe | None]] = []


def _certain_recipe(view: ConfigView) -> _Recipe | None:
    """The recipe that runs the config, where it is certain (see the module's docstring); kept for the
    last version asked. The fit counts the keys the config's own interpolations read as read, found in
    the text as the catalog finds them before parsing (recipes/evidence.py: text_referenced)."""
    info = view.ctx.recipe
    doc = view.parsed
    if _last_recipe and _last_recipe[0][0] is doc and _last_recipe[0][1] is info:
        return _last_recipe[0][2]
    found = None
    usage = info.usage if info is not None else None
    if info is not None and usage is not None and not usage.error and doc.mapping is not None:
        certain = info.choice.known
        if not certain:
            from tuneconf.recipes.evidence import GOOD, measure, text_referenced

            certain = measure(usage, doc.mapping.names(), text_referenced(doc.text)).grade == GOOD
        if certain:
            found = _Recipe(info.choice.name, info.choice.how, usage)
    _last_recipe[:] = [(doc, info, found)]
    return found


def _supplied(
    view: ConfigView, recipe: _Recipe, path: KeyPath, mapping: Mapping, dotpath: Scalar, conv: Converter
) -> list[types.InlayHint]:
    """`tokenizer ← recipe` after the dotpath of a component the recipe instantiates with arguments of its own."""
    where = _normal(path)
    positional, keywords, unknown = recipe.usage.supplied(where)
    if not (positional or keywords) or not isinstance(dotpath.value, str):
        return []
    resolution = view.ctx.resolver(dotpath.value)  # never waits: hints come again once the index knows it
    symbol = resolution.symbol if resolution is not None else None
    if symbol is None or symbol.parameters is None:
        return []
    kinds = (ParamKind.POSITIONAL_ONLY, ParamKind.POSITIONAL_OR_KEYWORD)
    by_position = [p.name for p in symbol.parameters if p.kind in kinds][:positional]
    present = set(mapping.names())
    names = [n for n in [*by_position, *sorted(keywords - set(by_position))] if n not in present]
    if not names:
        return []
    data = {
        "kind": SUPPLIED,
        "recipe": recipe.name,
        "how": recipe.how,
        "names": names,
        "component": dotpath.value,
        "path": _dotted(path),
        "lines": sorted({i.line for i in recipe.usage.instantiations if i.path == where}),
        "unknown": unknown,
    }
    label = f"{_names_label(names)} ← recipe"
    position = conv.position(*dotpath.span.end)
    return [
        types.InlayHint(
            position=position, label=label, kind=types.InlayHintKind.Parameter, padding_left=True, data=data
        )
    ]


def _names_label(names: list[str]) -> str:
    """As many names as fit LABEL_CHARS, then `+N`."""
    shown_names: list[str] = []
    for index, name in enumerate(names):
        rest = len(names) - index - 1
        tail = f", +{rest}" if rest else ""
        if shown_names and len(", ".join([*shown_names, name]) + tail) > LABEL_CHARS:
            return ", ".join(shown_names) + f", +{len(names) - index}"
        shown_names.append(name)
    return ", ".join(shown_names)


def resolve_hint(hint: types.InlayHint) -> types.InlayHint:
    """The hint with its tooltip (inlayHint/resolve): the whole value and where it comes from, who passes
    an argument, what `???` means. All it needs travels in the hint's data: no state, no version race."""
    data = hint.data if isinstance(hint.data, dict) else {}
    kind = data.get("kind")
    if kind == VALUE:
        text = _value_tooltip(data)
    elif kind == SUPPLIED:
        text = _supplied_tooltip(data)
    elif kind == REQUIRED:
        path = data.get("path", "")
        text = (
            f"`{path}` is `???`, OmegaConf's mandatory value: the run fails (MissingMandatoryValue) where it is "
            f"read unless something sets it, e.g. the override `{path}=…`."
        )
    else:
        return hint
    hint.tooltip = types.MarkupContent(kind=types.MarkupKind.Markdown, value=text)
    return hint


def _value_tooltip(data: dict[str, Any]) -> str:
    value, chars = str(data.get("value", "")), int(data.get("chars", 0))
    kind = {"str": "a string", "int": "an int", "float": "a float", "bool": "a bool", "NoneType": "null"}.get(
        str(data.get("type")), "a value"
    )
    cut = f"; {chars:,} characters, the first {SHOWN_CHARS} shown" if chars > len(value) else ""
    parts = [f"`{data.get('path')}: {data.get('written')}` resolves to", _code(value)]
    parts.append(f"*{kind}, as OmegaConf resolves it{cut}*")
    overrides = [str(o) for o in data.get("overrides", [])]
    if overrides:
        parts.append("With the active overrides: " + " ".join(f"`{o}`" for o in overrides))
    sources = data.get("sources", [])
    if sources:
        lines = [f"- `{s['path']}: {s['written']}` ({_where(int(s['line']), overrides)})" for s in sources]
        if data.get("more"):
            lines.append(f"- … and {data['more']} more")
        parts.append("From:\n" + "\n".join(lines))
    return "\n\n".join(parts)


def _supplied_tooltip(data: dict[str, Any]) -> str:
    names = data.get("names", [])
    lines = ", ".join(str(n) for n in data.get("lines", []))
    at = f" (recipe line {lines})" if lines else ""
    text = (
        f"**{data.get('recipe')}** ({data.get('how')}) passes {', '.join(f'`{n}`' for n in names)} to "
        f"`{data.get('component')}` itself when it instantiates `{data.get('path')}`{at}: this config must not "
        f"set {'it' if len(names) == 1 else 'them'}."
    )
    if data.get("unknown"):
        text += " It also unpacks arguments (`*args`, `**kwargs`) that cannot be read."
    return text


def _where(line: int, overrides: list[str]) -> str:
    if line >= 0:
        return f"line {line + 1}"
    index = -line - 1
    return f"override `{overrides[index]}`" if index < len(overrides) else "an override"


def _label(text: str) -> str:
    return _cut(_one_line(text), LABEL_CHARS)


def _one_line(text: str) -> str:
    return text.replace("\r", "").replace("\n", "⏎")


def _code(text: str) -> str:
    if "`" not in text and "\n" not in text and len(text) <= 80:
        return f"`{text}`"
    fence = "````" if "```" in text else "```"
    return f"{fence}text\n{text}\n{fence}"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def _dotted(path: KeyPath) -> str:
    return ".".join(map(str, path))
