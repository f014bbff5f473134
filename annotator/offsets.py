"""Offset rules and conversions over plain data.

All stored offsets are Python code points into the text as imported, end
exclusive. Qt counts UTF-16 code units; the converters here are plain Python
so they can be tested without Qt, and ``ui/highlight.py`` is their only caller.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from itertools import accumulate

from .errors import EditError
from .graphemes import cluster_end, cluster_start, is_boundary


def check_span(start: int, end: int, length: int) -> None:
    if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool) or isinstance(end, bool):
        raise EditError(f"offsets must be whole numbers, got {start!r}-{end!r}")
    if start < 0 or end < 0:
        raise EditError(f"span {start}-{end} has a negative offset")
    if start >= end:
        raise EditError(f"span {start}-{end} is empty or inverted (start must be before end)")
    if end > length:
        raise EditError(f"span {start}-{end} is out of range (the text has {length} characters)")


def overlapping(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def meets_any(taken: Iterable[tuple[int, int]]) -> Callable[[int, int], bool]:
    """A test of whether [start, end) overlaps any span of ``taken`` (which may overlap itself):
    one sort here, then a bisect per question (``overlapping`` is a pass over ``taken`` each time)."""
    taken = sorted(taken)
    taken_starts = [s for s, _ in taken]
    reach = list(accumulate((e for _, e in taken), max))  # reach[i]: the furthest end of taken[: i + 1]

    def meets(start: int, end: int) -> bool:
        before = bisect_left(taken_starts, end)  # taken[:before] start before this span ends
        return bool(before) and reach[before - 1] > start

    return meets


def clear_of(spans: Sequence[tuple[int, int]], taken: Iterable[tuple[int, int]]) -> list[int]:
    """Indices (ascending) of the ``spans`` that overlap nothing in ``taken``, nor a span kept
    before them in text order.

    One sort and one pass (``overlapping`` against a growing list made an article of
    200,000 imported spans quadratic): the spans kept are apart and come in order of
    start, so the last one kept is the only one a span can meet; ``taken`` may overlap
    itself, so ``meets_any`` looks up its furthest end so far by the start of what comes next.
    """
    meets = meets_any(taken)
    kept, kept_end = [], None
    for i in sorted(range(len(spans)), key=spans.__getitem__):
        start, end = spans[i]
        if (kept_end is not None and start < kept_end) or meets(start, end):
            continue
        kept.append(i)
        kept_end = end
    kept.sort()
    return kept


def first_overlap(spans: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The first pair of overlapping spans, or None."""
    ordered = sorted(spans)
    for a, b in zip(ordered, ordered[1:]):
        if b[0] < a[1]:
            return a, b
    return None


# --------------------------------------------------------------- token snapping
def word_tokens(text: str, tokens: Iterable[tuple[int, int]] | None) -> list[tuple[int, int]] | None:
    """The tokens a span may start and end on: whitespace dropped, whole grapheme clusters.

    Tokenizers hand back whitespace tokens (a paragraph break, a trailing tab) and
    split what a reader sees as one character (a ZWJ family emoji, a flag's two
    letters), so snapping and boundary moves go over these instead. None stays None
    (the tokens are not known yet).
    """
    if tokens is None:
        return None
    out: list[tuple[int, int]] = []
    for start, end in tokens:
        if text[start].isspace() or text[end - 1].isspace():
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if start >= end:
                continue
        if not (is_boundary(text, start) and is_boundary(text, end)):
            start, end = cluster_start(text, start), cluster_end(text, end)
            if text[start].isspace():  # a space carrying a combining mark is not part of the word
                start = cluster_end(text, start + 1)
                if start >= end:
                    continue
        if out and start < out[-1][1]:  # one cluster the tokenizer split: one token
            out[-1] = (min(out[-1][0], start), max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def snap(start: int, end: int, tokens: Sequence[tuple[int, int]]) -> tuple[int, int] | None:
    """Grow [start, end) to whole tokens (a half-selected word becomes the word).

    Over ``word_tokens`` the result never starts or ends with whitespace, and
    selections that touch only whitespace snap to None.
    """
    if start > end:
        start, end = end, start
    starts = [t[0] for t in tokens]
    ends = [t[1] for t in tokens]
    first = bisect_right(ends, start)  # first token ending after start
    last = bisect_left(starts, end) - 1  # last token starting before end
    if first > last or first >= len(tokens):
        return None
    return tokens[first][0], tokens[last][1]


def step_end(start: int, end: int, tokens: Sequence[tuple[int, int]], delta: int) -> tuple[int, int]:
    """Move the end by ``delta`` tokens, never below one token."""
    ends = [t[1] for t in tokens]
    i = bisect_left(ends, end)
    first = bisect_right(ends, start)
    i = max(first, min(len(tokens) - 1, i + delta))
    return start, tokens[i][1]


def step_start(start: int, end: int, tokens: Sequence[tuple[int, int]], delta: int) -> tuple[int, int]:
    """Move the start by ``delta`` tokens, never past the last token of the span."""
    starts = [t[0] for t in tokens]
    i = bisect_left(starts, start)
    last = bisect_left(starts, end) - 1
    i = max(0, min(last, i + delta))
    return tokens[i][0], end


def flatten(tokens: Iterable[tuple[int, int]]) -> list[int]:
    out: list[int] = []
    for s, e in tokens:
        out += (s, e)
    return out


# ------------------------------------------------------------------ UTF-16
def utf16_prefix(text: str) -> list[int]:
    """``table[i]`` is the UTF-16 position of code point ``i`` (length len(text) + 1)."""
    table = [0] * (len(text) + 1)
    pos = 0
    for i, ch in enumerate(text):
        table[i] = pos
        pos += 2 if ord(ch) > 0xFFFF else 1
    table[len(text)] = pos
    return table


def index_to_utf16(text: str, index: int) -> int:
    return index + sum(1 for ch in text[:index] if ord(ch) > 0xFFFF)


def utf16_to_index(text: str, pos: int) -> int:
    """The code point at UTF-16 position ``pos`` (a position inside a pair rounds down)."""
    units = 0
    for i, ch in enumerate(text):
        width = 2 if ord(ch) > 0xFFFF else 1
        if units + width > pos:
            return i
        units += width
    return len(text)
