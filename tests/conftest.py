import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "bench"))  # the stdlib LSP client, the malformed corpus

TIERS = {"unit": "unit", "contract": "unit", "lsp": "lsp", "runtime": "runtime", "editors": "editors", "fuzz": "fuzz"}
"""Test folder → marker (pyproject.toml declares them; `make unit` runs -m unit)."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if not any(item.get_closest_marker(tier) for tier in set(TIERS.values())):  # a test may name its own
            item.add_marker(TIERS[item.path.relative_to(HERE).parts[0]])
