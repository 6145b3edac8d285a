"""Where interpolations are, what they name, and which of them go round in circles.

Resolution follows OmegaConf: `${a.b}` from the root; `${.x}` in the mapping holding the value;
each further dot one container up; list items by index (`${lst.0}`, `${lst[0]}`).
"""

from __future__ import annotations

from dataclasses import dataclass

from tuneconf.document.tree import KeyPath, Mapping, Node, Pair, Scalar, Sequence, Span, deref
from tuneconf.interpolation.grammar import ParsedValue, Reference, parse_value

MAX_CHAIN = 32


@dataclass(frozen=True)
class Occurrence:
    """A string value with `${` in it, and where it sits in the config."""

    path: KeyPath
    scalar: Scalar
    parsed: ParsedValue


@dataclass(frozen=True)
class Target:
    """What a reference names: the node (and the pair holding it, for go-to-definition), or why not."""

    node: Node | None
    pair: Pair | None = None
    path: KeyPath = ()
    failed: int | None = None
    """Index of the key that does not exist (None when it resolved, or could not be judged)."""
    candidates: tuple[str, ...] = ()


def occurrences(root: Node | None, prefix: KeyPath = ()) -> list[Occurrence]:
    """Every string value containing `${`, with its path (aliases are not followed)."""
    found: list[Occurrence] = []
    stack: list[tuple[KeyPath, Node]] = [(prefix, root)] if root is not None else []
    while stack:
        path, node = stack.pop()
        if isinstance(node, Scalar):
            if isinstance(node.value, str) and "${" in node.value:
                found.append(Occurrence(path, node, parse_value(node.value)))
        elif isinstance(node, Mapping):
            stack.extend((path + (p.name,), p.value) for p in reversed(node.pairs) if p.name is not None)
        elif isinstance(node, Sequence):
            stack.extend((path + (i,), item) for i, item in reversed(list(enumerate(node.items))))
    return found


def node_at_path(root: Node | None, path: KeyPath) -> tuple[Node | None, Pair | None]:
    node, pair = root, None
    for key in path:
        node = deref(node)
        if isinstance(node, Mapping) and isinstance(key, str):
            pair = node.get(key)
            node = pair.value if pair is not None else None
        elif isinstance(node, Sequence) and isinstance(key, int) and key < len(node.items):
            node, pair = node.items[key], None
        else:
            return None, None
    return node, pair


def target(root: Node | None, path: KeyPath, ref: Reference) -> Target:
    """What `ref`, written in the value at `path`, names."""
    if any(key is None for key in ref.keys):
        return Target(None)  # a key computed by a nested interpolation: nothing to judge statically
    if ref.dots > len(path):
        return Target(None, failed=0)
    base: KeyPath = path[: -ref.dots] if ref.dots else ()
    node, pair = node_at_path(root, base)
    current: KeyPath = base
    for index, key in enumerate(ref.keys):
        assert key is not None
        container = deref(node)
        if isinstance(container, Mapping):
            pair = container.get(key)
            if pair is None:
                return Target(None, failed=index, candidates=tuple(container.names()))
            node, current = pair.value, current + (key,)
        elif isinstance(container, Sequence) and key.isdigit() and int(key) < len(container.items):
            node, pair, current = container.items[int(key)], None, current + (int(key),)
        else:
            return Target(None, failed=index)
    return Target(node, pair, current)


def whole_reference(scalar: Scalar) -> Reference | None:
    """The reference when the value is exactly one `${key}` (its type is then the target's)."""
    if not isinstance(scalar.value, str):
        return None
    parsed = parse_value(scalar.value)
    refs = parsed.references
    if len(refs) == 1 and not parsed.resolvers and refs[0].start == 0 and refs[0].end == len(scalar.value.strip()):
        return refs[0]
    return None


def resolve_chain(root: Node | None, path: KeyPath, scalar: Scalar) -> Node | None:
    """Follow `${a}` → `${b}` → value; None when it leaves what we can follow or loops."""
    seen: set[KeyPath] = set()
    for _ in range(MAX_CHAIN):
        ref = whole_reference(scalar)
        if ref is None:
            return scalar
        found = target(root, path, ref)
        if found.node is None or found.path in seen:
            return None
        seen.add(found.path)
        node = deref(found.node)
        if not isinstance(node, Scalar):
            return node
        scalar, path = node, found.path
    return None


def cycles(root: Node | None, found: list[Occurrence]) -> dict[KeyPath, list[KeyPath]]:
    """For each value in an interpolation cycle, the cycle (a → b → a), by Tarjan's SCC, iteratively."""
    edges: dict[KeyPath, list[KeyPath]] = {}
    for occ in found:
        targets = [target(root, occ.path, ref) for ref in occ.parsed.references]
        edges[occ.path] = [t.path for t in targets if t.node is not None and isinstance(deref(t.node), Scalar)]
    known = set(edges)
    index: dict[KeyPath, int] = {}
    low: dict[KeyPath, int] = {}
    on_stack: set[KeyPath] = set()
    stack: list[KeyPath] = []
    result: dict[KeyPath, list[KeyPath]] = {}
    counter = 0
    for start in edges:
        if start in index:
            continue
        work = [(start, iter(edges[start]))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in edges.get(node, []):
                        for member in component:
                            result[member] = list(reversed(component))
                continue
            if child not in known:
                continue
            if child not in index:
                index[child] = low[child] = counter
                counter += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(edges[child])))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return result


def offset_span(scalar: Scalar, start: int, end: int) -> Span:
    """The document span of characters [start, end) of a one-line scalar's value (the scalar otherwise)."""
    span = scalar.span
    quote = 1 if scalar.style in ("'", '"') else 0
    if span.start_line != span.end_line or scalar.style in ("|", ">"):
        return span
    if span.end_col - span.start_col != len(scalar.text) + 2 * quote:
        return span  # escapes make offsets differ from columns
    col = span.start_col + quote
    return Span(span.start_line, col + start, span.start_line, col + max(end, start + 1))


def dotted(path: KeyPath) -> str:
    return ".".join(str(p) for p in path)
