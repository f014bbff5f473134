"""The next article is filled while the reviewer reads, and shown by a swap of documents.

What a decision shows must be what the project holds at that moment, whichever
path it took: every test here compares the document on screen with the store.
"""

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextCursor

from annotator.store import AnnotationStore
from annotator_ui import theme
from formatted import entity_ranges
from annotator_ui.highlight import range_rects

pytestmark = pytest.mark.gui


def on_screen(window) -> tuple[str, list[tuple[str, int]]]:
    """(document text, [(entity text, entity id)]) as the article view shows them."""
    doc = window.view.text_view.document()
    text = doc.toPlainText()
    return text, sorted((text[s:e], i) for i, (s, e) in entity_ranges(doc).items())


def expected(window, article_id: int) -> tuple[str, list[tuple[str, int]]]:
    article = window.store.article(article_id)
    return article.text, sorted((article.text[e.start:e.end], e.id) for e in window.store.entities(article_id))


def prepared(window, qtbot) -> int:
    """Wait for the article after the shown one to be prepared; its id."""
    qtbot.waitUntil(lambda: window.view.prepared is not None)
    return window.view.prepared[0].id


def test_the_next_article_is_prepared_and_a_decision_swaps_it_in(make_main_window, qtbot, press, monkeypatch):
    w = make_main_window()
    first = w.controller.article.id
    following = prepared(w, qtbot)
    assert following == w.store.next_to_review(first) != first
    fills = []
    monkeypatch.setattr(w.view, "show_article", lambda *a, **k: fills.append(a))  # the slow path must not run
    press(w, Qt.Key.Key_A)
    assert w.controller.article.id == following and fills == []
    assert on_screen(w) == expected(w, following)
    assert w.view.text_view.highlighter.index.spans  # the view's own index is the swapped-in one
    assert w.queue.list.currentIndex().data(Qt.ItemDataRole.UserRole) == following


def test_every_decision_shows_what_the_project_holds(make_main_window, qtbot, press):
    w = make_main_window()
    for key in (Qt.Key.Key_A, Qt.Key.Key_X, Qt.Key.Key_Backspace, Qt.Key.Key_S, Qt.Key.Key_A):
        prepared(w, qtbot)
        press(w, key)
        assert on_screen(w) == expected(w, w.controller.article.id)


def test_an_edit_to_the_prepared_article_is_not_shown_stale(make_main_window, qtbot, press):
    w = make_main_window()
    w._watch_timer.stop()  # our own write must be enough, without the watch for other programs
    following = prepared(w, qtbot)
    text = w.store.article(following).text
    start = text.index("reporters")
    w.runner.submit(lambda s: s.add_entity(following, start, start + len("reporters"), "ORG"))
    qtbot.waitUntil(lambda: w.view.prepared is None or any(e.label == "ORG" and e.start == start for e in w.view.prepared[1]))
    press(w, Qt.Key.Key_A)
    assert w.controller.article.id == following
    assert ("reporters", max(e.id for e in w.store.entities(following))) in on_screen(w)[1]
    assert on_screen(w) == expected(w, following)


def test_another_program_changing_the_prepared_article_is_noticed(make_main_window, qtbot, press):
    w = make_main_window()
    following = prepared(w, qtbot)
    other = AnnotationStore.open(w.path, annotator="someone else")
    try:
        doomed = other.entities(following)[0]
        other.remove_entity(doomed.id)
    finally:
        other.close()
    qtbot.waitUntil(lambda: w.view.prepared is None or doomed not in w.view.prepared[1], timeout=5000)
    press(w, Qt.Key.Key_A)
    assert w.controller.article.id == following
    assert doomed.id not in [i for _, i in on_screen(w)[1]]
    assert on_screen(w) == expected(w, following)


def test_new_label_colours_reach_the_prepared_document(make_main_window, qtbot, press):
    w = make_main_window()
    prepared(w, qtbot)
    w.controller.set_labels([replace(label, color="#123456") for label in w.controller.labels])
    press(w, Qt.Key.Key_A)
    doc = w.view.text_view.document()
    spans = w.view.text_view.highlighter.index.spans
    assert spans
    for span in spans:
        fill = QTextCursor(doc)
        fill.setPosition(span.start + 1)
        want = QColor("#123456") if not span.entity.suggested else theme.suggestion_fill(QColor("#123456"))
        assert fill.charFormat().background().color() == want


def test_going_elsewhere_keeps_the_prepared_article_for_later(make_main_window, qtbot, settle):
    w = make_main_window()
    following = prepared(w, qtbot)
    last = w.store.neighbour(None, forward=False)
    w.controller.go_to(last)  # not the prepared one: filled the ordinary way
    settle(w)
    assert on_screen(w) == expected(w, last)
    w.controller.go_to(following)
    settle(w)
    assert on_screen(w) == expected(w, following)


def test_a_resize_after_preparing_lays_the_article_out_at_the_new_width(make_main_window, qtbot, press):
    w = make_main_window()
    prepared(w, qtbot)
    width = w.view.text_view.document().pageSize().width()
    w.resize(w.width() - 300, w.height())
    qtbot.waitUntil(lambda: w.view.text_view.document().pageSize().width() != width)
    press(w, Qt.Key.Key_A)
    view = w.view.text_view
    doc = view.document()
    assert doc.pageSize().width() == view.viewport().width()
    for span in view.highlighter.index.spans:  # the outlines follow the lines as laid out now
        assert view.highlighter.rects(span) == range_rects(doc, span.start, span.end)


def test_a_very_long_next_article_is_not_prepared_ahead(make_main_window, qtbot, press, monkeypatch):
    import annotator_ui.review_controller as review_controller

    monkeypatch.setattr(review_controller, "PREPARE_MAX_CHARS", 10)  # every test article is longer
    looked = []  # the articles after whose paint the controller looked at the next one
    prepare_next = review_controller.ReviewController._prepare_next
    monkeypatch.setattr(review_controller.ReviewController, "_prepare_next",
                        lambda self: (prepare_next(self), looked.append(self.article.id)))
    w = make_main_window()
    following = w.store.next_to_review(w.controller.article.id)
    qtbot.waitUntil(lambda: w.controller.article.id in looked)
    assert w.view.prepared is None
    press(w, Qt.Key.Key_A)
    assert w.controller.article.id == following
    assert on_screen(w) == expected(w, following)
