"""Hydra 1.3's defaults tree, built statically: which configs a primary config brings in, in which
packages and in which order (hydra/_internal/defaults_list.py, written again without Hydra).

Hydra walks each defaults list from its last entry to its first, so that an `override` in a later
entry (an experiment file) is known before the group it overrides is reached; it then reads the tree
depth first into the list of configs to merge. Where Hydra would raise, a Problem is recorded and the
walk goes on without the element, so that one bad entry does not hide the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tuneconf.document.tree import Span
from tuneconf.hydra.compose_elements import Default, Problem, ResultDefault, TreeNode
from tuneconf.hydra.compose_files import LoadedConfig, Repository
from tuneconf.hydra.compose_tree_support import (
    expand_options,
    from_entry,
    known_choices_map,
    resolve_interpolation,
    validate_self,
)


@dataclass
class OverrideChoice:
    """A group choice set from outside the group's own entry (command line or `override` entry)."""

    value: str | list[str] | None
    external: bool
    containing_config: str | None = None
    file: Path | None = None
    span: Span | None = None
    used: bool = False


@dataclass
class Deletion:
    name: str | None
    used: bool = False


@dataclass
class Overrides:
    """The group overrides, deletions and appends of a composition, and the choices made so far."""

    choices: dict[str, OverrideChoice] = field(default_factory=dict)
    appends: list[Default] = field(default_factory=list)
    deletions: dict[str, Deletion] = field(default_factory=dict)
    known: dict[str, str | None] = field(default_factory=dict)
    known_per_group: dict[str, set[str]] = field(default_factory=dict)

    def add_override(self, parent_config: str, default: Default) -> None:
        key = default.override_key()
        if key not in self.choices:
            self.choices[key] = OverrideChoice(default.value, False, parent_config, default.file, default.span)

    def apply(self, default: Default) -> None:
        """Replace the default's choice when an override names its key."""
        choice = self.choices.get(default.override_key()) if default.is_group else None
        if choice is not None:
            default.value = choice.value
            choice.used = True

    def is_deleted(self, default: Default) -> bool:
        if not default.is_group:
            return False
        deletion = self.deletions.get(default.override_key())
        if deletion is None:
            return False
        return deletion.name is None or deletion.name == default.name()


@dataclass
class TreeBuilder:
    """Builds the defaults tree of one composition."""

    repo: Repository
    overrides: Overrides
    problems: list[Problem] = field(default_factory=list)
    loaded: dict[str, LoadedConfig] = field(default_factory=dict)

    def fail(self, default: Default | None, code: str, message: str) -> None:
        file = default.file if default is not None else None
        span = default.span if default is not None else None
        self.problems.append(Problem(file, span, code, message))

    def load(self, config_path: str) -> LoadedConfig | None:
        if config_path not in self.loaded:
            found = self.repo.load(config_path)
            if found is None:
                return None
            self.loaded[config_path] = found
        return self.loaded[config_path]

    def build(self, root: TreeNode, is_root: bool, interpolated: bool) -> TreeNode:
        """Hydra's `_create_defaults_tree_impl`."""
        parent = root.node
        if is_root:
            parent.update_parent("", "")
            if self.repo.config_file(parent.config_path()) is None:
                name = parent.config_path()
                message = f"Cannot find primary config '{name}'. Check that it's in your config search path.\n"
                self.fail(None, "primary-not-found", message)
                return root
        if parent.is_hydra():
            self.set_known_choice(parent)
            return root
        if not parent.is_missing() and parent.name() is not None:
            header = self.load(parent.config_path())
            if header is not None:
                parent.set_package_header(header.header, self.repo.version_base)
        if self.overrides.is_deleted(parent):
            parent.deleted = True
            self.overrides.deletions[parent.override_key()].used = True
            return root
        self.set_known_choice(parent)
        if parent.name() is None:
            return root
        if parent.is_missing():
            self.missing_choice(parent)
            return root
        loaded = self.load(parent.config_path())
        if loaded is None:
            if parent.optional:
                parent.deleted = True
            else:
                self.not_found(root)
                parent.deleted = True
            return root
        return self.expand(root, loaded, is_root, interpolated)

    def expand(self, root: TreeNode, loaded: LoadedConfig, is_root: bool, interpolated: bool) -> TreeNode:
        parent = root.node
        path = parent.config_path()
        defaults = [from_entry(e, loaded.path) for e in loaded.entries]
        self_added = False
        if defaults or (is_root and self.overrides.appends):
            self_added = validate_self(parent, defaults, self.fail)
        if is_root:
            defaults.extend(self.overrides.appends)
        self.update_overrides(defaults, parent, interpolated)
        children: list[TreeNode | Default] = []
        for d in reversed(defaults):
            if d.is_self():
                d.update_parent(parent.parent_base_dir, parent.get_package())
                children.append(d)
                continue
            if d.override:
                continue
            d.update_parent(parent.group_path(), parent.final_package())
            self.overrides.apply(d)
            if d.is_options():
                for node in expand_options(d, parent, path, self.fail):
                    self.add_child(children, TreeNode(node, parent=root), interpolated)
            elif d.is_interpolation():
                children.append(d)
            else:
                self.add_child(children, TreeNode(d, parent=root), interpolated)
        self.resolve_deferred(root, children, defaults, self_added)
        if children:
            root.children = list(reversed(children))
        return root

    def add_child(self, children: list[TreeNode | Default], node: TreeNode, interpolated: bool) -> None:
        subtree = self.build(node, False, interpolated)
        children.append(node.node if subtree.children is None else subtree)

    def resolve_deferred(
        self, root: TreeNode, children: list[TreeNode | Default], defaults: list[Default], self_added: bool
    ) -> None:
        """Entries whose choice is an interpolation (`db: ${other}`), resolved once the others are known."""
        if not any(isinstance(c, Default) and c.is_interpolation() for c in children):
            return
        parent = root.node
        known = known_choices_map(self.overrides.known, defaults, self_added)
        for index, child in enumerate(children):
            if not isinstance(child, Default) or not child.is_interpolation():
                continue
            if not resolve_interpolation(child, known, self.fail):
                child.deleted = True
                continue
            child.update_parent(parent.group_path(), parent.final_package())
            subtree = self.build(TreeNode(child, parent=root), False, True)
            if subtree.children is not None:
                children[index] = subtree

    def update_overrides(self, defaults: list[Default], parent: Default, interpolated: bool) -> None:
        """Hydra's `_update_overrides`: record `override` entries, which must come last."""
        last_override: Default | None = None
        for d in defaults:
            if d.is_self():
                continue
            d.update_parent(parent.group_path(), parent.final_package())
            if last_override is not None and not (d.override or d.external_append):
                message = (
                    f"In {parent.config_path()}: Override '{last_override.override_key()} : {last_override.name()}'"
                    f" is defined before '{d.override_key()}: {d.name()}'.\n"
                    "Overrides must be at the end of the defaults list"
                )
                self.fail(d, "override-order", message)
            if d.is_group and d.override:
                last_override = d
                if interpolated:
                    message = (
                        f"{parent.config_path()}: Default List Overrides are not allowed in the subtree\n"
                        f"of an in interpolated config group (override {d.override_key()}={d.name()}).\n"
                    )
                    self.fail(d, "override-in-interpolated", message)
                    continue
                self.overrides.add_override(parent.config_path(), d)

    def set_known_choice(self, default: Default) -> None:
        if not default.is_group:
            return
        key = default.override_key()
        if key not in self.overrides.known:
            self.overrides.known[key] = default.name()
        elif default.name() != self.overrides.known[key]:
            previous = self.overrides.known[key]
            message = f"Multiple values for {key}. To override a value use 'override {key}: {previous}'"
            self.fail(default, "multiple-values", message)
        self.overrides.known_per_group.setdefault(default.group_path(), set()).add(key)

    def missing_choice(self, default: Default) -> None:
        if not default.is_group:
            self.fail(default, "missing-config", f"Missing ConfigDefault is not supported : {default.config_path()}")
            return
        key = default.override_key()
        listed = "\n".join("\t" + x for x in self.repo.group_options(default.group_path()))
        message = f"You must specify '{key}', e.g, {key}=<OPTION>\nAvailable options:\n" + listed
        self.fail(default, "missing-choice", message)

    def not_found(self, tree: TreeNode) -> None:
        """Hydra's `config_not_found_error`, without the search path it appends."""
        element = tree.node
        if element.is_group:
            group = element.group_path()
            message = f"Could not find '{element.config_path()}'\n"
            options = self.repo.group_options(group)
            if options:
                message += f"\nAvailable options in '{group}':\n" + "\n".join("\t" + x for x in options)
            code = "option-not-found" if self.repo.group_exists(group) else "group-not-found"
        else:
            message = f"Could not load '{element.config_path()}'.\n"
            code = "config-not-found"
        if tree.parent is not None:
            message = f"In '{tree.parent.node.config_path()}': {message}"
        self.fail(element, code, message)


def tree_to_list(tree: TreeNode) -> list[ResultDefault]:
    """Hydra's `_tree_to_list`: the configs to merge, depth first."""
    output: list[ResultDefault] = []

    def visit(owner: TreeNode | None, node: Default) -> None:
        if node.deleted or node.is_missing() or node.is_hydra() or node.name() is None:
            return
        output.append(_result(owner, node))

    _walk(tree, visit)
    return output


def _walk(tree: TreeNode, visit: Callable[[TreeNode | None, Default], None]) -> None:
    if not tree.children:
        visit(tree.parent, tree.node)
        return
    for child in tree.children:
        if isinstance(child, Default):
            visit(tree, child)
        else:
            _walk(child, visit)


def _result(owner: TreeNode | None, node: Default) -> ResultDefault:
    if node.is_self():
        assert owner is not None
        parent = owner.parent.node.config_path() if owner.parent is not None else None
        main = owner.node
        return ResultDefault(main.config_path(), main.final_package(), True, main.primary, parent)
    parent = owner.node.config_path() if owner is not None else None
    key = node.override_key() if node.is_group else None
    return ResultDefault(node.config_path(), node.final_package(), False, node.primary, parent, key)


def check_duplicates(result: list[ResultDefault], fail: Callable[[Default | None, str, str], None]) -> None:
    """Hydra's `ensure_no_duplicates_in_list`."""
    seen: set[str] = set()
    for item in result:
        key = item.override_key
        if item.is_self or key is None:
            continue
        if key in seen:
            fail(None, "duplicate", f"{key} appears more than once in the final defaults list")
        seen.add(key)
