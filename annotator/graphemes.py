"""Where a user-perceived character (an extended grapheme cluster) may be cut, in code points.

A span edge inside a cluster would cut a family emoji at its joiner, a flag
into two letters, or a letter from its combining accent. This follows the
Unicode rules (UAX #29) closely enough for span edges without a dependency:
CR LF, controls, Hangul syllables, combining and spacing marks, variation
selectors, emoji modifiers and tags, emoji joined by ZWJ, and regional-indicator
pairs. Its approximations: "pictographic" is any symbol (category So) or a
code point in the emoji blocks (it only matters right after a ZWJ), and the few
"prepend" signs (Arabic number signs and the like) do not join what follows.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

ZWJ = "\u200d"
_FIRST_MARK = "\u0300"  # the first combining mark: no code point before it joins a neighbour (but CR LF)
_EXTEND_RANGES = (
    (0x200C, 0x200D),  # zero-width non-joiner and joiner
    (0xFE00, 0xFE0F),  # variation selectors (text / emoji presentation)
    (0x1F3FB, 0x1F3FF),  # emoji skin-tone modifiers
    (0xE0020, 0xE007F),  # tags (subdivision flags)
    (0xE0100, 0xE01EF),  # variation selectors supplement
)


def _hangul(cp: int) -> str:
    """The Hangul syllable type: L, V, T, LV, LVT, or "" for anything else."""
    if 0x1100 <= cp <= 0x115F or 0xA960 <= cp <= 0xA97C:
        return "L"
    if 0x1160 <= cp <= 0x11A7 or 0xD7B0 <= cp <= 0xD7C6:
        return "V"
    if 0x11A8 <= cp <= 0x11FF or 0xD7CB <= cp <= 0xD7FB:
        return "T"
    if 0xAC00 <= cp <= 0xD7A3:
        return "LV" if (cp - 0xAC00) % 28 == 0 else "LVT"
    return ""


@lru_cache(maxsize=4096)  # a text uses few distinct characters: each is classified once
def _kind(ch: str) -> str:
    """How a character joins: "extend" (marks, joiners, selectors, modifiers attach to what
    precedes them), "control", "regional", a Hangul type, "pictographic", or ""."""
    cp, category = ord(ch), unicodedata.category(ch)
    if category in ("Mn", "Me", "Mc") or any(lo <= cp <= hi for lo, hi in _EXTEND_RANGES):
        return "extend"
    if category in ("Cc", "Zl", "Zp", "Cf"):
        return "control"
    if 0x1F1E6 <= cp <= 0x1F1FF:
        return "regional"
    if category == "So" or 0x1F000 <= cp <= 0x1FAFF or cp in (0x203C, 0x2049):
        return "pictographic"
    return _hangul(cp)


_HANGUL_JOINS = {
    ("L", "L"), ("L", "V"), ("L", "LV"), ("L", "LVT"), ("LV", "V"), ("LV", "T"), ("V", "V"), ("V", "T"), ("LVT", "T"), ("T", "T"),
}


def is_boundary(text: str, i: int) -> bool:
    """Whether a span may start or end at code point ``i`` without cutting a cluster."""
    if i <= 0 or i >= len(text):
        return True
    before, after = text[i - 1], text[i]
    if before == "\r" and after == "\n":
        return False
    if before < _FIRST_MARK and after < _FIRST_MARK:
        return True  # Latin-1 and spacing modifiers, most of most texts: nothing below joins
    a, b = _kind(before), _kind(after)
    if a == "control" or b == "control":
        return True
    if b == "extend" or (a, b) in _HANGUL_JOINS:
        return False
    if before == ZWJ and b == "pictographic":  # an emoji ZWJ sequence goes on
        j = i - 2
        while j >= 0 and _kind(text[j]) == "extend":
            j -= 1
        return not (j >= 0 and _kind(text[j]) == "pictographic")
    if a == b == "regional":
        run = 0  # regional indicators pair up from the start of their run
        while i - 1 - run >= 0 and _kind(text[i - 1 - run]) == "regional":
            run += 1
        return run % 2 == 0
    return True


def cluster_start(text: str, i: int) -> int:
    """``i`` moved back to the start of the cluster it falls in."""
    while not is_boundary(text, i):
        i -= 1
    return i


def cluster_end(text: str, i: int) -> int:
    """``i`` moved on to the end of the cluster it falls in."""
    while not is_boundary(text, i):
        i += 1
    return i
