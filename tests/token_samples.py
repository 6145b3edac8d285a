"""The semantic-token sample shared by the in-process and the real-server tests: keys added after a real
config, and the tokens they must get (tests/unit/test_semantic_tokens.py, tests/lsp/test_semantic_tokens_lsp.py)."""

from __future__ import annotations

EXTRA = """\
logs: ${output_dir}/logs
home: ${oc.env:HOME}
needed: ???
builder:
  _component_: torchtune.models.llama3_2._model_builders.lora_llama3_2_1b
"""

Decoded = tuple[int, str, str, tuple[str, ...]]
"""(line, text, token type, modifiers)."""


def extra_tokens(at: int) -> list[Decoded]:
    """The tokens of EXTRA appended at line `at`: the recipe never reads these top-level keys."""
    return [
        (at, "logs", "property", ("unnecessary",)),
        (at, "${", "operator", ()),
        (at, "output_dir", "property", ()),
        (at, "}", "operator", ()),
        (at + 1, "home", "property", ("unnecessary",)),
        (at + 1, "${", "operator", ()),
        (at + 1, "oc.env", "function", ("defaultLibrary",)),
        (at + 1, "}", "operator", ()),
        (at + 2, "needed", "property", ("unnecessary",)),
        (at + 2, "???", "keyword", ()),
        (at + 3, "builder", "property", ("unnecessary",)),
        (at + 4, "torchtune", "namespace", ()),
        (at + 4, "models", "namespace", ()),
        (at + 4, "llama3_2", "namespace", ()),
        (at + 4, "_model_builders", "namespace", ("private",)),
        (at + 4, "lora_llama3_2_1b", "function", ()),
    ]
