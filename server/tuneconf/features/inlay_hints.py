"""Inlay hints (LSP 3.17): after a value with an interpolation, what OmegaConf resolves it to
(`${output_dir}/logs` → `/tmp/out/logs`, after the active overrides when the editor chose some); at a
component, the arguments its recipe passes itself (`tokenizer ← recipe`); after `???`, `required`.

Short labels, the whole story in the tooltip, given on `inlayHint/resolve` (lazily: a hint's `data` says
what to explain). The value is OmegaConf's own, where interpolation/bounds.py finds it cheap (the same
answer as the hover, features/interpolations.py: resolved_value), else no hint: never a guessed value.
No hint on a value that uses `oc.env` (an environment variable such as a token would be shown in the
editor, in screenshots and screen shares; the hover still says it), nor inside a Jinja template's
placeholder, nor on literal lines.
"""

from __future__ import annotations

from lsprotocol import types

from tuneconf.document.components import Component, iter_components
from tuneconf.document.positions import Converter
from tuneconf.document.tree import KeyPath, Mapping, Node, Scalar
from tuneconf.document.tree import Sequence as SeqNode
from tuneconf.features.interpolations import resolved_value
from tuneconf.interpolation.resolve import occurrences
from tuneconf.project import ConfigView

LABEL_CHARS = 40
"""A resolved value longer than this is cut, with an ellipsis (the tooltip has it whole)."""
MISSING = "???"


def inlay_hints(
    view: ConfigView, first: int, last: int, conv: Converter, overrides: list[str] | None = None
) -> list[types.InlayHint]:
    """The hints on lines `first`..`last` (the visible range) of the document."""
    doc = view.parsed
    hints = [*_required(view, first, last, conv), *_supplied(view, first, last, conv)]
    resolved_in = doc
    if overrides:
        from tuneconf.overrides import merge

        resolved_in = merge(doc, overrides).doc
    found_in = [found for prefix, node in _sections(view, first, last) for found in occurrences(node, prefix)]
    for found in found_in:
        scalar = found.scalar
        if not first <= scalar.span.end_line <= last or "oc.env" in scalar.text or _templated(view, scalar):
            continue
        shown, note = resolved_value(resolved_in, found.path)
        if shown is None or shown == scalar.text:
            continue
        hints.append(_value_hint(scalar, shown, note, found.path, bool(overrides), conv))
    return sorted(hints, key=lambda h: (h.position.line, h.position.character))


def _value_hint(
    scalar: Scalar, shown: str, note: str, path: KeyPath, overridden: bool, conv: Converter
) -> types.InlayHint:
    label = shown if len(shown) <= LABEL_CHARS else f"{shown[: LABEL_CHARS - 1]}…"
    data = {"kind": "value", "path": ".".join(map(str, path)), "value": shown, "note": note, "overrides": overridden}
    return types.InlayHint(
        position=conv.position(*scalar.span.end),
        label=f"→ {label}",
        padding_left=True,
        data=data,
    )


def _required(view: ConfigView, first: int, last: int, conv: Converter) -> list[types.InlayHint]:
    found = []
    for path, scalar in (hit for prefix, node in _sections(view, first, last) for hit in _scalars(node, prefix)):
        if scalar.text == MISSING and scalar.style is None and first <= scalar.span.end_line <= last:
            data = {"kind": "required", "path": ".".join(map(str, path))}
            found.append(
                types.InlayHint(
                    position=conv.position(*scalar.span.end), label="required", padding_left=True, data=data
                )
            )
    return found


def _supplied(view: ConfigView, first: int, last: int, conv: Converter) -> list[types.InlayHint]:
    """`tokenizer ← recipe` after a component's dotpath that its recipe instantiates with more arguments."""
    info = view.ctx.recipe
    if info is None or info.usage is None or info.usage.error:
        return []
    found = []
    keys = view.ctx.settings.component_keys
    for prefix, node in _sections(view, first, last):
        for component in iter_components(node, keys):
            if first <= component.dotpath.span.end_line <= last:
                hint = _supplied_hint(view, prefix + component.path, component, conv)
                found += [hint] if hint is not None else []
    return found


def _supplied_hint(view: ConfigView, path: KeyPath, component: Component, conv: Converter) -> types.InlayHint | None:
    from tuneconf.diagnostics.recipe import supplied_arguments

    info = view.ctx.recipe
    assert info is not None and info.usage is not None
    resolution = view.ctx.resolve_or_defer(str(component.dotpath.value))
    symbol = resolution.symbol if resolution is not None else None
    if symbol is None or symbol.parameters is None:
        return None
    names, _unknown = supplied_arguments(info.usage, path, symbol)
    names -= set(component.mapping.names())
    if not names:
        return None
    label = ", ".join(sorted(names)) + " ← recipe"
    data = {"kind": "supplied", "recipe": info.choice.name, "how": info.choice.how, "names": sorted(names)}
    position = conv.position(*component.dotpath.span.end)
    return types.InlayHint(position=position, label=label, padding_left=True, data=data)


def _sections(view: ConfigView, first: int, last: int) -> list[tuple[KeyPath, Node]]:
    """The top-level sections that reach into lines `first`..`last` (a visible range walks only those)."""
    mapping = view.parsed.mapping
    if mapping is None:
        return []
    return [
        ((pair.name,), pair.value)
        for pair in mapping.pairs
        if pair.name is not None and pair.span.start_line <= last and pair.span.end_line >= first
    ]


def _scalars(root: Node, prefix: KeyPath) -> list[tuple[KeyPath, Scalar]]:
    found: list[tuple[KeyPath, Scalar]] = []
    stack: list[tuple[KeyPath, Node | None]] = [(prefix, root)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, Scalar):
            found.append((path, node))
        elif isinstance(node, Mapping):
            stack.extend((path + (p.name,), p.value) for p in node.pairs if p.name is not None)
        elif isinstance(node, SeqNode):
            stack.extend((path + (i,), item) for i, item in enumerate(node.items))
    return found


def _templated(view: ConfigView, scalar: Scalar) -> bool:
    """A value on a line holding a Jinja placeholder: its stand-in is not what the template renders."""
    if view.template is None:
        return False
    lines = range(scalar.span.start_line, scalar.span.end_line + 1)
    return any(span.start_line in lines or span.end_line in lines for span in view.template.spans)


def resolve_hint(hint: types.InlayHint) -> types.InlayHint:
    """The tooltip of a hint (inlayHint/resolve): the whole value and where it comes from."""
    data = hint.data if isinstance(hint.data, dict) else {}
    kind = data.get("kind")
    if kind == "value":
        after = " with the active overrides" if data.get("overrides") else ""
        text = f"`{data.get('path')}` resolves to `{data.get('value')}`{after} (OmegaConf)"
        if data.get("note"):
            text += f" *({data['note']})*"
    elif kind == "supplied":
        names = ", ".join(f"`{n}`" for n in data.get("names", []))
        text = f"{data.get('recipe')} ({data.get('how')}) passes {names} itself when it instantiates this component"
    elif kind == "required":
        text = f"`{data.get('path')}` is `???`: the run fails unless an override sets it (`{data.get('path')}=…`)"
    else:
        return hint
    hint.tooltip = types.MarkupContent(kind=types.MarkupKind.Markdown, value=text)
    return hint
