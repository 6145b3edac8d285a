"""What the real-editor tests (tests/editors: Neovim, Emacs) ask of demo_mistakes.yaml, written once: where
to hover, and the two completions (a dotpath member after `torchtune.datasets.`, then an argument key)."""

from __future__ import annotations

from typing import Any

DATASETS = "  _component_: torchtune.datasets."


def position(text: str, needle: str, offset: int = 0) -> dict[str, int]:
    """The LSP position `offset` characters into the first `needle` of `text`."""
    before = text[: text.index(needle)]
    return {"line": before.count("\n"), "character": len(before) - before.rfind("\n") - 1 + offset}


def expected_ranges(text: str) -> set[tuple[str, tuple[int, int, int, int]]]:
    """(code, range) of the two diagnostics every editor must show on demo_mistakes.yaml, exactly."""
    member = position(text, "alpaca_datset")
    argument = position(text, "lora_rnak")
    return {
        ("unknown-member", (member["line"], member["character"], member["line"], member["character"] + 13)),
        ("unexpected-argument", (argument["line"], argument["character"], argument["line"], argument["character"] + 9)),
    }


def completion_steps(lines: int) -> list[dict[str, Any]]:
    """Lines appended after the config's `lines` lines, and where each completion is asked."""
    return [
        {
            "set_lines": [lines, lines, ["scratch:", DATASETS]],
            "position": {"line": lines + 1, "character": len(DATASETS)},
        },
        {
            "set_lines": [lines + 1, lines + 2, ["  _component_: torchtune.datasets.alpaca_dataset", "  "]],
            "position": {"line": lines + 2, "character": 2},
        },
    ]
