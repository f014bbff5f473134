"""Full-text search (Ctrl+F) in the store: plain words, the last one a prefix, context with marks."""

from __future__ import annotations

import json

import pytest

from annotator.importing import import_files
from annotator.store import AnnotationStore
from annotator.store import search as search_module
from annotator.store.search import Marked, SearchError, fts_query, unmark

ARTICLES = [
    {"title": "Talks in Zürich", "text": "Ada Lovelace met Charles Babbage in ZÜRICH on Monday."},
    {"title": "Harbour news", "text": "The ferry 😀 to Hamburg left late.\r\nPassengers cheered when it docked in Hamburg."},
    {"text": "Untitled piece about the Cafe\u0301 de Flore and its espresso."},  # é as e + combining accent
    {"title": "Markets", "text": "Shares rose 100% after the merger (AND the stock split) -- title: none."},
    {"title": "Figures", "text": "A rise of 1000 points."},
]


@pytest.fixture
def found(store):
    ids, _ = store.add_articles(ARTICLES)

    def titles(query: str) -> list[str]:
        return [hit.title.text or f"#{ids.index(hit.article_id)}" for hit in store.search(query)]

    titles.ids = ids
    return titles


def marked(piece: Marked) -> list[str]:
    return [piece.text[a:b] for a, b in piece.marks]


def test_every_word_must_match_whatever_its_case_and_accents(found):
    assert found("zurich") == ["Talks in Zürich"]
    assert found("ZÜRICH ada") == ["Talks in Zürich"]
    assert found("zurich hamburg") == []
    assert found("café") == ["#2"]  # precomposed query, decomposed text
    assert found("CAFE flore") == ["#2"]


def test_the_last_word_matches_as_a_prefix_while_it_is_typed(found):
    assert found("hamb") == ["Harbour news"]
    assert found("hamb ") == []  # a space after it: a whole word
    assert found("cheered passeng") == ["Harbour news"]
    assert found("passeng cheered") == []  # only the last word is a prefix
    assert found("100%") == ["Markets"]  # ends in punctuation: a whole word, not "1000"
    assert found("100") == ["Markets", "Figures"]


@pytest.mark.parametrize("query", [
    'AND', 'OR stock', 'NOT', '"', '""', '"stock', 'stock"', '*', 'sto*', '-', '-merger', 'title:none', ':',
    'NEAR(stock split)', '(', ')', '^shares', '+', "'", 'a AND', 'stock OR', '{title}: x', '\\',
])
def test_operators_and_punctuation_typed_are_plain_words_never_errors(found, query):
    titles = found(query)  # never raises
    words = [w for w in query.split() if any(c.isalnum() for c in w)]
    if not words:
        assert titles == []


def test_operator_words_are_found_as_words(found):
    assert found("AND stock") == ["Markets"]  # "AND" is the word in "(AND the stock split)"
    assert found("title: none") == ["Markets"]
    assert found('"merger"') == ["Markets"]
    assert found("-merger") == ["Markets"]


def test_no_words_or_no_matches_find_nothing(found):
    assert found("") == []
    assert found("   ") == []
    assert found("%") == []
    assert found("zeppelin") == []


def test_hits_carry_title_and_context_with_the_matched_words_marked(store, found):
    (hit,) = store.search("hamburg docked")
    assert hit.article_id == found.ids[1] and hit.status == "pending"
    assert hit.title == Marked("Harbour news", ())
    assert "\r" not in hit.context.text and "\n" not in hit.context.text  # one line
    assert marked(hit.context) == ["Hamburg", "docked", "Hamburg"]
    (hit,) = store.search("zur")
    assert marked(hit.title) == ["Zürich"]
    assert marked(hit.context) == ["ZÜRICH"]


def test_context_is_cut_around_the_match(store):
    text = " ".join(f"word{i}" for i in range(200)) + " needle " + " ".join(f"tail{i}" for i in range(200))
    store.add_articles([{"text": text}])
    (hit,) = store.search("needle")
    assert hit.context.text.startswith("…") and hit.context.text.endswith("…")
    assert len(hit.context.text) < 200
    assert marked(hit.context) == ["needle"]


def test_match_ranges_are_code_points_in_the_text_as_imported(store, found):
    article = store.article(found.ids[1])
    ranges = store.match_ranges(article.id, "hamburg")
    first = article.text.index("Hamburg")  # after an emoji and before a "\r\n": code points, not UTF-16
    assert ranges == [(first, first + 7), (article.text.rindex("Hamburg"), article.text.rindex("Hamburg") + 7)]
    cafe = store.article(found.ids[2]).text
    assert [cafe[a:b] for a, b in store.match_ranges(found.ids[2], "cafe")] == ["Cafe\u0301"]
    assert store.match_ranges(found.ids[0], "hamburg") == []
    assert store.match_ranges(found.ids[0], "  ") == []


def test_articles_holding_the_marker_characters_are_marked_right(store):
    text = "Odd \ufdd0 and \ufdd1 around the needle here"
    (article_id,), _ = store.add_articles([{"text": text, "title": "Odd \ufdd0 title needle"}])
    (hit,) = store.search("needle")
    assert hit.context.text == text and marked(hit.context) == ["needle"]
    assert hit.title.text == "Odd \ufdd0 title needle" and marked(hit.title) == ["needle"]
    start = text.index("needle")
    assert store.match_ranges(article_id, "needle") == [(start, start + 6)]


def test_an_index_error_is_a_clear_message(store, monkeypatch):
    store.add_articles(ARTICLES)
    monkeypatch.setattr(search_module, "fts_query", lambda query: "AND AND")  # what quoting prevents
    with pytest.raises(SearchError, match=r"cannot search for 'x y' \(fts5: syntax error.*try other words"):
        store.search("x y")


def test_fts_query_quotes_every_word():
    assert fts_query('say "hi" AND-or*') == '"say" "hi" "AND" "or"'
    assert fts_query("don't") == '"don" "t"*'
    assert fts_query("zür") == '"zür"*'
    assert fts_query("- * :") is None


def test_unmark_squeezes_whitespace_and_keeps_marks_in_place():
    assert unmark("a \n\t[bc]  d\n", "[", "]", squeeze=True) == Marked("a bc d", ((2, 4),))
    assert unmark("a\r\n[b]", "[", "]") == Marked("a\r\nb", ((3, 4),))


def integrity_check(store) -> None:
    """FTS5's own check that the index matches the articles' text exactly (rank 1: against the content)."""
    store.conn.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")


def test_import_keeps_the_index_current_and_duplicates_are_indexed_once(tmp_path):
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES[:2]), "utf-8")
    second.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES[1:]), "utf-8")  # one duplicate
    store = AnnotationStore.open(tmp_path / "p.db", create=True)
    try:
        import_files(store, [first])
        assert [h.title.text for h in store.search("hamburg")] == ["Harbour news"]
        assert store.search("espresso") == []
        report = import_files(store, [second])
        assert report.duplicates == 1
        assert [h.title.text for h in store.search("hamburg")] == ["Harbour news"]
        assert [h.title.text for h in store.search("stock")] == ["Markets"]
        assert len(store.search("espresso")) == 1
        integrity_check(store)
        (row,) = store.conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'hamburg'")
        assert row == (1,)
    finally:
        store.close()


def test_changed_or_deleted_text_leaves_the_index_consistent(store):
    (article_id, _), _ = store.add_articles(ARTICLES[:2])
    store.conn.execute("UPDATE articles SET text = 'Now about Oslo' WHERE id = ?", (article_id,))
    assert [h.article_id for h in store.search("oslo")] == [article_id]
    assert store.search("lovelace") == []
    store.conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))
    assert store.search("oslo") == []
    integrity_check(store)
