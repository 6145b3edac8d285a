"""What checks may consult beside the document."""

from __future__ import annotations

from dataclasses import dataclass, field

from tuneconf.settings import Settings


@dataclass
class CheckContext:
    settings: Settings = field(default_factory=Settings)
