"""Token boundaries for articles that no model has seen yet.

spaCy's rule-based English tokenizer (the one every English pipeline shares)
gives the same tokens a model run stores, so snapping and exported token
indices agree whether or not suggestions were made. Offsets are code points.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _tokenizer():
    import spacy  # imported on first use: the CLI's --help must not pay for it

    return spacy.blank("en").tokenizer


def tokenize(text: str) -> list[tuple[int, int]]:
    """(start, end) of every token, whitespace tokens such as a paragraph break included."""
    return [(token.idx, token.idx + len(token.text)) for token in _tokenizer()(text)]
