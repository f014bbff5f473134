"""The shipped seed article as a test project: its real text, length and layout, without spaCy.

Every run of capitalised words is an entity (labels in turn from spaCy's 18), which
puts entities, and their tags, on nearly every line, as the demo has them.
"""

from __future__ import annotations

import re

from annotator.paths import seeds_dir

SPACY_LABELS = ["PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "DATE", "WORK_OF_ART",
                "LAW", "LANGUAGE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"]
_NAMES = re.compile(r"[A-Z][\w’'-]*(?: [A-Z][\w’'-]*)*")


def seed_text() -> str:
    return sorted(seeds_dir().glob("*.txt"))[0].read_text("utf-8")


def names(text: str) -> list[tuple[int, int, str]]:
    """Every run of capitalised words as (start, end, label)."""
    return [(m.start(), m.end(), SPACY_LABELS[i % len(SPACY_LABELS)]) for i, m in enumerate(_NAMES.finditer(text))]


def seed_article(title: str | None = None) -> tuple[str | None, str, list[tuple[int, int, str]]]:
    """(title, text, spans) for ``make_project``; the title is the text's first line unless given."""
    text = seed_text()
    return (text.partition("\n")[0] if title is None else title), text, names(text)
