"""store_missing_tokens: every article without tokens gets them once; stored ones are never recomputed."""

import pytest

from annotator.errors import Cancelled
from annotator.tokens import STORE_BATCH, Tokens, store_missing_tokens, tokenize


def test_articles_without_tokens_get_them_and_stored_ones_stay(store):
    ids, _ = store.add_articles([{"text": f"Article number {i} about Paris."} for i in range(STORE_BATCH + 5)])
    kept = Tokens.from_pairs([(0, 7), (8, 14)])  # not what the tokenizer makes: shows it was not recomputed
    store.save_tokens([(ids[3], kept)], "model")
    seen = []
    assert store_missing_tokens(store, on_progress=seen.append) == len(ids) - 1
    assert store.count_without_tokens() == 0
    assert store.tokens(ids[0]) == tokenize("Article number 0 about Paris.")
    assert store.tokens(ids[3]) == [(0, 7), (8, 14)]
    assert [(p.done, p.total) for p in seen] == [(STORE_BATCH, len(ids) - 1), (len(ids) - 1, len(ids) - 1)]
    assert store_missing_tokens(store) == 0


def test_a_cancelled_run_keeps_the_batches_it_stored(store):
    ids, _ = store.add_articles([{"text": f"Article {i}."} for i in range(2 * STORE_BATCH)])
    asked = []

    def cancel_second_time():
        asked.append(1)
        return len(asked) > 1

    with pytest.raises(Cancelled):
        store_missing_tokens(store, should_cancel=cancel_second_time)
    assert store.count_without_tokens() == STORE_BATCH
    assert store.tokens(ids[0]) is not None and store.tokens(ids[-1]) is None
