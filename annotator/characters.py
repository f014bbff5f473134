"""Which characters a reader can see: the rules behind "text is empty" and label names.

A zero-width space, a byte-order mark or a bidi override looks like nothing
on screen, so text made only of them is empty, and a label name holding one
would look the same as another label without it.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import lru_cache

# Unicode general categories that draw nothing: controls, format characters
# (zero-width, bidi, U+2060, U+FEFF), separators. Text made only of these and
# whitespace is empty.
INVISIBLE = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})

_KINDS = {
    "Cc": "a control character",
    "Cf": "an invisible character",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
    "Zs": "an unusual space",
    "Co": "a private-use character",
    "Cn": "an unassigned code point",
    "Cs": "an unpaired surrogate",
}
# unicodedata has no names for controls; these are the ones a label or a file is likely to hold.
_CONTROL_NAMES = {"\0": "NUL", "\t": "TAB", "\n": "LINE FEED", "\r": "CARRIAGE RETURN", "\x1b": "ESCAPE", "\x7f": "DELETE"}


def code_name(char: str) -> str:
    """``U+200B ZERO WIDTH SPACE``: the code point and, when it has one, its name."""
    name = unicodedata.name(char, "") or _CONTROL_NAMES.get(char, "")
    return f"U+{ord(char):04X} {name}".rstrip()


def describe(char: str) -> str:
    """``an invisible character U+200B (ZERO WIDTH SPACE)``: what the character is, by name."""
    code, _, name = code_name(char).partition(" ")
    return f"{_KINDS.get(unicodedata.category(char), 'the character')} {code}" + (f" ({name})" if name else "")


@lru_cache(maxsize=None)
def _blank_pattern() -> re.Pattern:
    """Whitespace and every invisible character, as one class (built once: a scan of all code points)."""
    chars = "".join(chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) in INVISIBLE)
    return re.compile(f"[\\s{re.escape(chars)}]*")


_NOT_SPACE = re.compile(r"\S")


def first_invisible(text: str) -> str | None:
    """The first character of ``text`` that is not whitespace when ``text`` has nothing visible, else None.

    None also for text that is only whitespace (or nothing): callers call that empty anyway.
    """
    first = _NOT_SPACE.search(text)
    return first.group() if first is not None and _invisible_from(text, first) else None


def is_blank(text: str) -> bool:
    """True when no character of ``text`` is visible (only whitespace, controls, format characters, separators)."""
    first = _NOT_SPACE.search(text)
    return first is None or _invisible_from(text, first)


def _invisible_from(text: str, first: re.Match) -> bool:
    if unicodedata.category(first.group()) not in INVISIBLE:
        return False  # the usual case, decided without scanning (or copying) the text
    return _blank_pattern().fullmatch(text, first.start()) is not None
