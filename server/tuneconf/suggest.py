"""Did-you-mean: the closest candidate to a misspelt name (difflib's ratio, after a cheap length filter)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(name: str, candidates: Iterable[str], cutoff: float = 0.75) -> str | None:
    """The most similar candidate at or above `cutoff`, or None. Candidates whose length differs too
    much to reach the cutoff are skipped before difflib compares anything."""
    # ratio = 2*M/(a+b) <= 2*min(a,b)/(a+b): a length gap alone can rule a candidate out.
    size = len(name)
    near = [c for c in candidates if 2 * min(size, len(c)) >= cutoff * (size + len(c))]
    found = difflib.get_close_matches(name, near, n=1, cutoff=cutoff)
    return found[0] if found else None
