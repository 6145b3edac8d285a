"""What recipes pass themselves when they instantiate a config's components, over many recipes at once.

For a config whose recipe is not known (no header, or a guess that does not fit), a required argument
is certainly missing at run time only if no recipe that might run it supplies that argument: the union
of what each recipe passes at each config path (`config.instantiate(cfg.dataset, tokenizer)`: one
positional argument at `dataset`) is read from the recipes themselves (recipes/analysis.py), never
written by hand. `RecipeUsage.supplied` already takes the union over a recipe's call sites (most
positional arguments, every keyword, unpacked anywhere), so the union over recipes is their call sites
together.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tuneconf.recipes.analysis import RecipeUsage


def combined(usages: Sequence[RecipeUsage], name: str = "<recipes>") -> RecipeUsage | None:
    """One usage whose instantiations are those of all `usages` (its `supplied(path)` is the union of
    theirs); None when there are none, or one could not be read (then nothing is known for sure)."""
    if not usages or any(u.error for u in usages):
        return None
    merged = RecipeUsage(Path(name))
    merged.instantiations = [i for u in usages for i in u.instantiations]
    return merged
