"""Propagation: an entity's text and label at its other whole-word places, one undo step."""

import pytest

from annotator.errors import EditError, InputError
from annotator.labels import make_labels
from annotator.model import EntityState, Status
from annotator.propagation import is_whole_word, occurrences, places

ZOE = "Zoe\u0308"  # e + combining diaeresis: "Zoe" is not a word of it


@pytest.mark.parametrize(
    "text,needle,found",
    [
        ("EU and EUR and NEU, the EU's (EU) EU", "EU", ["EU", "EU", "EU", "EU"]),
        ("eu EU Eu", "EU", ["EU"]),  # case as typed
        (ZOE + " met Zoe.", "Zoe", ["Zoe"]),  # not the start of "Zoë" written with a combining mark
        ("Zürich, Zürichsee, Zürich", "Zürich", ["Zürich", "Zürich"]),
        ("São Paulo and São Paulo's", "São Paulo", ["São Paulo", "São Paulo"]),
        ("東京、東京都", "東京", ["東京"]),  # a letter after it: not a word of its own
        ("EU2 2EU EU_x", "EU", ["EU"]),  # a digit touching it joins the word; an underscore does not
        ("$5 US$5", "$5", ["$5", "$5"]),  # a needle that starts with no letter needs no boundary there
    ],
)
def test_only_whole_word_places_count(text, needle, found):
    assert [text[s:e] for s, e in occurrences(text, needle)] == found


def test_no_place_ends_inside_a_grapheme_cluster():
    text = "I said e\u0301 and e here"
    assert [s for s, _ in occurrences(text, "e")] == [text.index(" e ") + 1]
    assert not is_whole_word("x\U0001F1EF\U0001F1F5", 1, 2)  # half a flag


def test_places_skip_what_entities_cover_and_keep_the_first_of_overlapping_places():
    text = "a a a EU EU EU"
    assert places(text, "a a", []) == ([(0, 3)], 0)
    eu = [i for i in range(len(text)) if text.startswith("EU", i)]
    kept, skipped = places(text, "EU", [(eu[1] - 2, eu[1] + 1)], own=(eu[0], eu[0] + 2))
    assert (kept, skipped) == ([(eu[2], eu[2] + 2)], 1)


@pytest.fixture
def project(store):
    store.add_labels(make_labels(["ORG", "GPE"]))
    texts = [
        "The EU said the EU budget, in EUR, is the EU's.",  # the reviewer's article
        "EU ministers met. The EU summit ended.",
        "Nothing about the union (EUR only).",
        "The EU again, and eu in lower case.",
    ]
    ids, _ = store.add_articles([{"text": t} for t in texts])
    source = store.source_id("model", "m", "1")
    first = texts[0]
    store.save_suggestions(source, [
        (ids[0], [(first.index("EU"), first.index("EU") + 2, "ORG", None),
                  (first.index("EU budget"), first.index("EU budget") + 9, "GPE", None)], None),
    ])
    return store, ids, texts


def shown(store, article_id):
    text = store.article(article_id).text
    return [(text[e.start:e.end], e.label, e.state.value) for e in store.entities(article_id)]


def test_p_in_an_article_confirms_the_other_places_in_one_undo_step(project):
    store, ids, _ = project
    first = store.entities(ids[0])[0]
    done, changes = store.propagate_in_article(first.id)
    assert (done.added, done.skipped, done.label) == (1, 1, "ORG")  # "EU budget" holds the second EU
    assert changes.article_ids == {ids[0]}
    assert shown(store, ids[0]) == [("EU", "ORG", "confirmed"), ("EU budget", "GPE", "suggested"), ("EU", "ORG", "confirmed")]
    assert all(e.annotator == "tester" for e in store.entities(ids[0]) if e.state is EntityState.CONFIRMED)
    assert store.undo_status().undo == f"propagate ORG (article {ids[0]})"
    store.undo()
    assert shown(store, ids[0]) == [("EU", "ORG", "suggested"), ("EU budget", "GPE", "suggested")]
    assert store.undo() is None  # one step held it all
    store.redo()
    assert len(store.entities(ids[0])) == 3


def test_across_pending_articles_suggestions_are_added_and_one_undo_removes_exactly_them(project):
    store, ids, texts = project
    store.accept(ids[3])  # decided: never touched
    before = {i: shown(store, i) for i in ids}
    suggestion_rows = store.conn.execute("SELECT count(*) FROM suggestions").fetchone()[0]
    done, changes = store.propagate_to_pending("EU", "ORG")
    assert (done.added, done.skipped, done.articles) == (3, 2, 2)
    assert changes.article_ids == {ids[0], ids[1]}
    assert shown(store, ids[1]) == [("EU", "ORG", "suggested"), ("EU", "ORG", "suggested")]
    assert {e.source for e in store.entities(ids[1])} == {"propagated from “EU”"}
    assert shown(store, ids[2]) == before[ids[2]] and shown(store, ids[3]) == before[ids[3]]
    undone = store.undo()
    assert undone.article_ids == {ids[0], ids[1]}
    assert {i: shown(store, i) for i in ids} == before
    assert store.conn.execute("SELECT count(*) FROM suggestions").fetchone()[0] == suggestion_rows
    assert store.undo_status().undo == f"accept article (article {ids[3]})"  # the step before it


def test_undo_across_articles_then_redo_brings_back_the_same_rows(project):
    store, ids, _ = project
    store.propagate_to_pending("EU", "ORG")
    after = {i: shown(store, i) for i in ids}
    store.undo()
    store.redo()
    assert {i: shown(store, i) for i in ids} == after


def test_an_entity_drawn_since_blocks_the_redo_of_a_propagation(project):
    store, ids, texts = project
    store.propagate_to_pending("EU", "ORG")
    store.undo()
    at = texts[1].index("EU")
    mallory = type(store)(store.db, store.path, "mallory")
    mallory.add_entity(ids[1], at, at + 2, "GPE")
    with pytest.raises(EditError, match="overlap"):
        store.redo()
    assert shown(store, ids[1]) == [("EU", "GPE", "confirmed")]


def test_bad_inputs_change_nothing(project):
    store, ids, _ = project
    with pytest.raises(EditError, match="unknown label"):
        store.propagate_to_pending("EU", "NOPE")
    with pytest.raises(InputError, match="non-empty"):
        store.propagate_to_pending("  ", "ORG")
    with pytest.raises(InputError, match="whitespace"):
        store.propagate_to_pending(" EU", "ORG")
    assert store.undo_status().undo is None
    assert all(e.state is EntityState.SUGGESTED for i in ids for e in store.entities(i))


def test_the_summary_says_so_when_the_text_stands_nowhere_else(project):
    store, ids, _ = project
    done, changes = store.propagate_to_pending("Zanzibar", "ORG")
    assert done.summary(pending=True) == "“Zanzibar” stands nowhere else in the pending articles"
    assert changes.article_ids == frozenset() and store.undo_status().undo is None  # no empty step


def test_a_needle_without_words_is_found_without_the_index(project):
    store, ids, _ = project
    store.add_articles([{"text": "Prices: $5 and US$5 and $50."}])
    done, _ = store.propagate_to_pending("$5", "ORG")
    assert (done.added, done.articles) == (2, 1)


def test_only_pending_articles_with_the_text_are_read(project):
    """The index picks the candidates: an article without the word is never read."""
    store, ids, _ = project
    store.reject(ids[2])
    statements = []
    store.conn.set_trace_callback(statements.append)
    try:
        store.propagate_to_pending("ministers", "ORG")
    finally:
        store.conn.set_trace_callback(None)
    assert store.article(ids[1]).status is Status.PENDING
    assert shown(store, ids[1])[0] == ("ministers", "ORG", "suggested")
    assert any("articles_fts MATCH" in s for s in statements)
