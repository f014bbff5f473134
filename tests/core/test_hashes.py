"""Exported hashes are pinned to known values: Prodigy and earlier exports dedupe by them.

Checking their type and range, or comparing them with the function that made
them, let a change of byte order or of the hashed JSON go unnoticed; these
numbers were computed once and must never change.
"""

import pytest

from annotator.exporting import prodigy_task, stable_hash
from annotator.model import Article, Entity, EntityState, Status

EMOJI_CJK_CRLF = "Putin 🙂 met Kim Jong Un in 北京.\r\n\r\nThe Kremlin  said nothing."
ASCII = "Second article about Moscow."
COMBINING = "Cafe\u0301 owner Zoe\u0308 left."  # decomposed accents, as some feeds send them


def _task(text: str, spans: list[tuple[str, str]]) -> dict:
    article = Article(1, text, None, {}, Status.ACCEPTED)
    entities = [Entity(i, 1, text.index(word), text.index(word) + len(word), label, EntityState.CONFIRMED)
                for i, (word, label) in enumerate(spans)]
    return prodigy_task(article, entities, None)


@pytest.mark.parametrize("text, spans, input_hash, task_hash", [
    (EMOJI_CJK_CRLF, [("Putin", "PERSON"), ("北京", "GPE")], 1712436693, 626606963),
    (ASCII, [], -1698443752, -1842384354),
    (COMBINING, [("Cafe\u0301", "ORG")], 26457492, -412292758),
])
def test_task_hashes_are_the_pinned_values(text, spans, input_hash, task_hash):
    task = _task(text, spans)
    assert (task["_input_hash"], task["_task_hash"]) == (input_hash, task_hash)


def test_stable_hash_is_the_pinned_value():
    assert stable_hash({"text": "a"}) == 1089710119
    assert stable_hash([1, "b"]) == 1845036729
