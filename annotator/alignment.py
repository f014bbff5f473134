"""Spans against tokens: which spans fall on token boundaries, and the rules for those that do not.

Pure functions over code-point offsets (the ``(start, end)`` pairs of
``tokens.tokenize`` or a model's stored tokens), shared by import and by every
token-based export, so that both apply one rule:

- ``strict``: a span must start where a token starts and end where a token
  ends; any other span is refused, by name.
- ``contract``: the span shrinks to the tokens wholly inside it; a span with
  no whole token inside ("iPhone" in the token "iPhones") is dropped.
- ``expand``: the span grows to every token it touches ("E.U." in "E.U.-backed"
  becomes "E.U.-backed"); a span touching no token (only spaces) is dropped.

Overlapping spans, where a format holds one entity per token (``doc.ents``,
CoNLL, Prodigy ``ner_manual``), are thinned by spaCy's ``filter_spans`` rule:
the longest first, then the earliest.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from .tokens import Tokens

ALIGN_RULES = ("strict", "contract", "expand")


class TokenIndex:
    """The tokens of one text, searchable by character offset."""

    def __init__(self, tokens: Sequence[tuple[int, int]]):
        # The token arrays themselves (8 bytes a token), searched by bisection: a 10 MB article has
        # millions of tokens, and export keeps memory a small multiple of the article.
        tokens = Tokens.from_pairs(tokens)
        self.starts, self.ends = tokens.starts, tokens.ends

    def indices(self, start: int, end: int) -> tuple[int, int] | None:
        """(first, last) token (``last`` inclusive, as in Prodigy) of an aligned span, else None."""
        first, last = bisect_left(self.starts, start), bisect_left(self.ends, end)
        if first == len(self.starts) or self.starts[first] != start or last == len(self.ends) or self.ends[last] != end:
            return None
        return (first, last) if first <= last else None

    def contract(self, start: int, end: int) -> tuple[int, int] | None:
        """Character offsets of the tokens wholly inside [start, end), or None when there are none."""
        first = bisect_left(self.starts, start)  # first token starting at or after start
        last = bisect_right(self.ends, end) - 1  # last token ending at or before end
        if first > last:
            return None
        return self.starts[first], self.ends[last]

    def expand(self, start: int, end: int) -> tuple[int, int] | None:
        """Character offsets of every token [start, end) touches, or None when it touches none."""
        first = bisect_right(self.ends, start)  # first token ending after start
        last = bisect_left(self.starts, end) - 1  # last token starting before end
        if first > last:
            return None
        return self.starts[first], self.ends[last]

    def align(self, start: int, end: int, rule: str) -> tuple[int, int] | None:
        """[start, end) under ``rule``: itself when aligned, else moved (or None: dropped).

        ``strict`` returns None for a span that is not aligned: the caller refuses it.
        """
        if self.indices(start, end) is not None:
            return start, end
        if rule == "contract":
            return self.contract(start, end)
        if rule == "expand":
            return self.expand(start, end)
        if rule == "strict":
            return None
        raise ValueError(f"unknown alignment rule {rule!r} (use {', '.join(ALIGN_RULES)})")


def without_overlaps(
    spans: Sequence[tuple[int, int, str]], index: TokenIndex | None = None
) -> tuple[list[tuple[int, int, str]], list[tuple[int, int, str]]]:
    """(kept, dropped): spaCy's ``filter_spans`` rule (the longest span first, then the earliest),
    kept in text order, for formats that hold one entity per token.

    Length counts tokens when ``index`` is given (every span aligned), as ``filter_spans`` does,
    else characters.
    """
    def length(span: tuple[int, int, str]) -> int:
        if index is None:
            return span[1] - span[0]
        first, last = index.indices(span[0], span[1])
        return last - first + 1

    order = sorted(range(len(spans)), key=lambda i: (-length(spans[i]), spans[i][0]))
    taken_starts: list[int] = []  # the kept spans never overlap: sorted by start, they are sorted by end too
    taken_ends: list[int] = []
    chosen: set[int] = set()
    for i in order:
        start, end, _ = spans[i]
        at = bisect_left(taken_starts, end)  # kept spans before ``at`` start before this one ends
        if at and taken_ends[at - 1] > start:
            continue
        taken_starts.insert(at, start)
        taken_ends.insert(at, end)
        chosen.add(i)
    return (
        sorted((spans[i] for i in chosen), key=lambda s: (s[0], s[1])),
        [spans[i] for i in range(len(spans)) if i not in chosen],
    )
