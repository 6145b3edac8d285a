"""The elements of a Hydra defaults tree: a config or group default, with Hydra 1.3's rules for its
group path, config path, package and override key (hydra/core/default_element.py), written again here
so that tuneconf never imports Hydra."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tuneconf.document.tree import Span


@dataclass
class Problem:
    """What Hydra would refuse, in Hydra's words; `file` and `span` locate the entry at fault (None for
    the command line or the primary config itself)."""

    file: Path | None
    span: Span | None
    code: str
    message: str


@dataclass(eq=False)
class Default:
    """One element: a config default (`path`) or a group default (`group` with `value`)."""

    path: str | None = None
    """A config default's path as written (`_self_`, `some/config`, `/abs/config`)."""
    group: str | None = None
    """A group default's group as written (`db`, `/db`)."""
    value: str | list[str] | None = None
    package: str | None = None
    optional: bool = False
    override: bool = False
    external_append: bool = False
    primary: bool = False
    deleted: bool = False
    parent_base_dir: str | None = None
    parent_package: str | None = None
    package_header: str | None = None
    file: Path | None = field(default=None, compare=False)
    """The file whose defaults list holds this element (None for the primary and command-line ones)."""
    span: Span | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.package == "_here_":
            self.package = ""

    @property
    def is_group(self) -> bool:
        return self.group is not None

    def is_self(self) -> bool:
        return self.value == "_self_" if self.is_group else self.path == "_self_"

    def is_options(self) -> bool:
        return isinstance(self.value, list)

    def update_parent(self, base_dir: str | None, package: str | None) -> None:
        self.parent_base_dir = base_dir
        self.parent_package = package
        if self.package is not None and "_group_" in self.package:
            self.package = "_global_." + self.package.replace("_group_", self.default_package())

    def group_path(self) -> str:
        """The group folder from the config root (`db`, `server/db`)."""
        base = self.parent_base_dir or ""
        if self.group is not None:
            absolute = self.group.startswith("/")
            group = self.group[1:] if absolute else self.group
            return group if base == "" or absolute else f"{base}/{group}"
        assert self.path is not None
        absolute = self.path.startswith("/")
        path = self.path[1:] if absolute else self.path
        group = path[: path.rfind("/")] if "/" in path else ""
        if absolute or base == "":
            return group
        return base if group == "" else f"{base}/{group}"

    def name(self) -> str | None:
        """The option chosen (a group default) or the file name (a config default)."""
        if self.group is not None:
            return self.value if isinstance(self.value, str) or self.value is None else None
        assert self.path is not None
        return self.path[self.path.rfind("/") + 1 :]

    def config_path(self) -> str:
        """The config's path from the config root (`db/mysql`)."""
        if self.group is not None:
            return f"{self.group_path()}/{self.name()}"
        assert self.path is not None
        absolute = self.path.startswith("/")
        path = self.path[1:] if absolute else self.path
        base = self.parent_base_dir or ""
        return path if absolute or base == "" else f"{base}/{path}"

    def default_package(self) -> str:
        return self.group_path().replace("/", ".")

    def relative_group_path(self) -> str:
        if self.group is not None:
            return self.group[1:] if self.group.startswith("/") else self.group
        assert self.path is not None
        path = self.path[1:] if self.path.startswith("/") else self.path
        return path[: path.rfind("/")] if "/" in path else ""

    def get_package(self, default_to_header: bool = True) -> str | None:
        if self.package is None and default_to_header:
            return self.package_header
        return self.package

    def final_package(self, default_to_header: bool = True) -> str:
        """Where the config's content goes in the composed config ("" for the root)."""
        parent = self.parent_package or ""
        package = self.get_package(default_to_header)
        if package is None:
            package = self.relative_group_path().replace("/", ".")
        result = package if parent == "" else parent if package == "" else f"{parent}.{package}"
        last = result.rfind("_global_")
        return result if last == -1 else result[last + len("_global_") + 1 :]

    def override_key(self) -> str:
        """The key that overrides this choice (`db`, `db@backup`)."""
        default = self.default_package()
        final = self.final_package(default_to_header=False)
        key = self.group_path()
        if default != final:
            key = f"{key}@{final or '_global_'}"
        return key

    def relative_override_key(self) -> str:
        assert self.group is not None
        key = self.group
        if self.default_package() != self.get_package() and self.package is not None:
            key = f"{key}@{self.package}"
        return key

    def set_package_header(self, header: str | None, version_base: tuple[int, int]) -> None:
        """Hydra's `set_package_header`: a header is absolute (`_global_.` added)."""
        if header is None:
            return
        if version_base < (1, 2) and header == "_group_":
            return
        if header != "_global_" and not header.startswith("_global_."):
            header = "_global_" if header == "" else f"_global_.{header}"
        if version_base < (1, 2):
            header = header.replace("_group_", self.default_package())
        self.package_header = header

    def is_interpolation(self) -> bool:
        if self.group is not None:
            return isinstance(self.value, str) and "${" in self.value
        return "${" in self.config_path()

    def is_missing(self) -> bool:
        return self.name() == "???"

    def is_hydra(self) -> bool:
        """An element of Hydra's own groups (`hydra/launcher`), which live in Hydra's package."""
        group = self.group_path()
        return group == "hydra" or group.startswith("hydra/")


@dataclass(eq=False)
class TreeNode:
    """A default with the defaults it brings in (children None when it has no defaults list)."""

    node: Default
    children: list[TreeNode | Default] | None = None
    parent: TreeNode | None = None


@dataclass
class ResultDefault:
    """One config to merge, in order: its path, package and where it was chosen."""

    config_path: str
    package: str
    is_self: bool = False
    primary: bool = False
    parent: str | None = None
    override_key: str | None = None
