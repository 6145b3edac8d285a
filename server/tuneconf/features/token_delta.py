"""Semantic token deltas: the last result per document, and the one edit that turns it into the next.

A keystroke changes a few tokens in one place; with LSP's relative encoding the rest of the array is
unchanged (a token after the edit moves only by its line delta, which is relative to the token before
it). So the edit is what lies between the common prefix and the common suffix: one
`SemanticTokensEdit`, aligned to whole tokens (five integers), which clients apply most simply.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from typing import TYPE_CHECKING, NamedTuple

from lsprotocol import types

if TYPE_CHECKING:
    from tuneconf.features.semantic_tokens import Sections

TOKEN_INTS = 5
KEPT = 64
"""Documents whose last result is kept (an open editor asks for deltas of the visible ones)."""


class Edit(NamedTuple):
    start: int
    delete: int
    data: list[int]


def token_edit(old: list[int], new: list[int]) -> Edit | None:
    """The one edit from `old` to `new` (None when they are equal), on whole tokens."""
    if old == new:
        return None
    shortest = min(len(old), len(new))
    prefix = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), shortest)
    prefix -= prefix % TOKEN_INTS
    limit = shortest - prefix  # the suffix may not reach into the prefix of either array
    pairs = zip(reversed(old), reversed(new), strict=False)
    suffix = next((i for i, (a, b) in enumerate(itertools.islice(pairs, limit)) if a != b), limit)
    suffix -= suffix % TOKEN_INTS
    return Edit(prefix, len(old) - prefix - suffix, new[prefix : len(new) - suffix])


class TokenResults:
    """The last tokens sent for each document, by result id, and each document's tokens per section (a
    few documents, least recently used out)."""

    def __init__(self, kept: int = KEPT) -> None:
        self._last: OrderedDict[str, tuple[str, list[int]]] = OrderedDict()
        self._sections: OrderedDict[str, Sections] = OrderedDict()
        self._kept = kept
        self._ids = itertools.count(1)

    def sections(self, uri: str) -> Sections:
        """The document's section cache (features/semantic_tokens.py), made on first use."""
        from tuneconf.features.semantic_tokens import Sections

        found = self._sections.pop(uri, None) or Sections()
        self._sections[uri] = found
        while len(self._sections) > self._kept:
            self._sections.popitem(last=False)
        return found

    def full(self, uri: str, data: list[int]) -> types.SemanticTokens:
        """A full result, remembered for the next delta."""
        return types.SemanticTokens(data=data, result_id=self._remember(uri, data))

    def delta(self, uri: str, previous: str, data: list[int]) -> types.SemanticTokens | types.SemanticTokensDelta:
        """The edit from the result `previous`; the full result when that is not the last one sent."""
        last = self._last.get(uri)
        if last is None or last[0] != previous:
            return self.full(uri, data)
        edit = token_edit(last[1], data)
        edits = [] if edit is None else [types.SemanticTokensEdit(edit.start, edit.delete, edit.data)]
        return types.SemanticTokensDelta(edits=edits, result_id=self._remember(uri, data))

    def forget(self, uri: str) -> None:
        self._last.pop(uri, None)
        self._sections.pop(uri, None)

    def _remember(self, uri: str, data: list[int]) -> str:
        result_id = str(next(self._ids))
        self._last[uri] = (result_id, data)
        self._last.move_to_end(uri)
        while len(self._last) > self._kept:
            self._last.popitem(last=False)
        return result_id
