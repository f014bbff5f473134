"""Token boundaries for articles that no model has seen yet.

spaCy's rule-based English tokenizer (the one every English pipeline shares)
gives the same tokens a model run stores, so snapping and exported token
indices agree whether or not suggestions were made. Offsets are code points.

A long text is tokenized a piece at a time and its boundaries kept in two
arrays of ints (``Tokens``): a spaCy ``Doc`` of a whole 47 MB article, or a
list of a tuple per token, takes gigabytes.
"""

from __future__ import annotations

import re
import sys
from array import array
from collections.abc import Iterator, Sequence
from functools import lru_cache

from .progress import OnProgress, Progress, ShouldCancel, check_cancel

PIECE = 100_000  # characters tokenized at once

# Cuts the tokenizer cannot see: spaCy splits text on changes between space and non-space
# before any other rule, so a cut after a paragraph break ("\n\n", its own token) or after
# one plain space (which only marks the token before it as followed by a space), between
# non-space characters, gives the tokens of the whole text. A paragraph break is preferred:
# a model reading the pieces sees whole paragraphs.
_PARAGRAPH = re.compile(r"(?<=\S)\n\n(?=\S)")
_SPACE = re.compile(r"(?<=\S) (?=\S)")
_INT = re.compile(r"\d+")


@lru_cache(maxsize=1)
def tokenizer_name() -> str:
    """What ``token_spans`` cuts with, as stored beside its tokens."""
    import spacy

    return f"spacy.blank:en@{spacy.__version__}"


@lru_cache(maxsize=1)
def _tokenizer():
    import spacy  # imported on first use: the CLI's --help must not pay for it

    return spacy.blank("en").tokenizer


class Tokens(Sequence[tuple[int, int]]):
    """(start, end) of every token, held as two arrays (8 bytes a token, not ~100 as tuples)."""

    def __init__(self, starts: array, ends: array):
        self.starts, self.ends = starts, ends

    @classmethod
    def from_flat_json(cls, flat: str) -> Tokens:
        """From the store's JSON ``[start, end, start, end, ...]``, read number by number."""
        numbers = array("i", (int(m.group()) for m in _INT.finditer(flat)))
        return cls(numbers[0::2], numbers[1::2])

    @classmethod
    def from_flat(cls, flat: Sequence[int]) -> Tokens:
        """From ``[start, end, start, end, ...]`` (what a model run gives)."""
        numbers = flat if isinstance(flat, array) else array("i", flat)
        return cls(numbers[0::2], numbers[1::2])

    @classmethod
    def from_blobs(cls, starts: bytes, ends: bytes) -> Tokens:
        """From the store's two BLOBs (``to_blobs``)."""
        return cls(_from_bytes(starts), _from_bytes(ends))

    def to_blobs(self) -> tuple[bytes, bytes]:
        """The starts and the ends as 32-bit little-endian signed ints, 4 bytes each: the
        store's encoding (schema version 3), the same on every machine."""
        return _to_bytes(self.starts), _to_bytes(self.ends)

    @classmethod
    def from_pairs(cls, pairs: Sequence[tuple[int, int]]) -> Tokens:
        return pairs if isinstance(pairs, Tokens) else cls(array("i", (s for s, _ in pairs)), array("i", (e for _, e in pairs)))

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return list(zip(self.starts[index], self.ends[index]))
        return self.starts[index], self.ends[index]

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return zip(self.starts, self.ends)

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and len(self) == len(other) and all(a == tuple(b) for a, b in zip(self, other))


def _to_bytes(numbers: array) -> bytes:
    if sys.byteorder == "little":
        return numbers.tobytes()
    swapped = array("i", numbers)
    swapped.byteswap()
    return swapped.tobytes()


def _from_bytes(data: bytes) -> array:
    numbers = array("i")
    numbers.frombytes(data)
    if sys.byteorder != "little":
        numbers.byteswap()
    return numbers


def pieces(text: str, size: int) -> Iterator[tuple[int, str]]:
    """(offset, piece) of the text cut into pieces of about ``size`` characters where tokens cannot tell."""
    begin = 0
    while begin < len(text):
        end = len(text)
        if end - begin > size:
            cut = _PARAGRAPH.search(text, begin + size, begin + 2 * size) or _SPACE.search(text, begin + size)
            end = cut.end() if cut else end
        yield begin, text[begin:end]
        begin = end


def token_spans(text: str) -> Tokens:
    """The text's tokens, whitespace tokens such as a paragraph break included, piece by piece."""
    starts, ends = array("i"), array("i")
    tokenizer = _tokenizer()
    for begin, piece in pieces(text, PIECE):
        for token in tokenizer(piece):
            starts.append(begin + token.idx)
            ends.append(begin + token.idx + len(token.text))
    return Tokens(starts, ends)


def tokenize(text: str) -> list[tuple[int, int]]:
    """(start, end) of every token, whitespace tokens such as a paragraph break included."""
    return list(token_spans(text))


STORE_BATCH = 100  # articles tokenized and stored per transaction: a decision never waits long for the lock


def store_missing_tokens(store, on_progress: OnProgress | None = None, should_cancel: ShouldCancel | None = None) -> int:
    """Tokenize every article with no stored tokens and store them; returns how many.

    Tokens are computed once: a model run (``suggest``) stores its own, this stores the
    rest (the GUI runs it in the background after an import and on opening a project),
    and an export that finds an article without them stores them too. Stored tokens are
    never recomputed. Each batch is committed: a cancelled run keeps what it stored.
    """
    total, done, last = store.count_without_tokens(), 0, 0
    if not total:
        return 0  # before tokenizer_name(), which imports spaCy
    name = tokenizer_name()
    while batch := store.without_tokens(last, STORE_BATCH):
        check_cancel(should_cancel, "tokenizing")
        store.save_tokens([(article_id, token_spans(text)) for article_id, text in batch], name)
        done, last = done + len(batch), batch[-1][0]
        if on_progress:
            on_progress(Progress(done, max(total, done), "Storing tokens"))
    return done
