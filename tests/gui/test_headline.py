"""The title of a .txt article is its first line: shown once, as the headline, in the text (issue 10, defect 11);
the file name under it is metadata, small, and only there when the article has no title."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont

from annotator.importing import import_into_project
from annotator.labels import make_labels
from annotator.model import Article, Status
from annotator.offsets import flatten
from annotator.store import AnnotationStore
from annotator.tokens import tokenize
from annotator_ui.review_view import ReviewView

pytestmark = pytest.mark.gui

HEADLINE = "Putin meets Kim in Vladivostok"
TITLED = f"{HEADLINE}\n\nThe leaders met on Wednesday. Moscow said little about Pyongyang.\n"
UNTITLED = "Nobody wrote a headline for this one.\nPutin and Kim met again.\n"
SPANS = {"titled.txt": [("Putin", "PERSON"), ("Vladivostok", "GPE"), ("Moscow", "GPE")],
         "untitled.txt": [("Putin", "PERSON")]}


@pytest.fixture
def window(make_main_window, tmp_path):
    files = []
    for name, text in (("titled.txt", TITLED), ("untitled.txt", UNTITLED)):
        files.append(tmp_path / name)
        files[-1].write_text(text, encoding="utf-8")
    path = tmp_path / "txt.db"
    import_into_project(path, files, labels=["PERSON", "ORG", "GPE"])
    store = AnnotationStore.open(path, annotator="setup")
    try:
        source = store.source_id("model", "fake", "1")
        rows = []
        for article_id in (1, 2):
            article = store.article(article_id)
            spans = [(article.text.index(word), article.text.index(word) + len(word), label, 0.9)
                     for word, label in SPANS[article.meta["file"]]]
            rows.append((article_id, spans, flatten(tokenize(article.text))))
        store.save_suggestions(source, rows)
    finally:
        store.close()
    return make_main_window(path)


def _headline_formats(view):
    return view.text_view.document().firstBlock().layout().formats()


def test_a_txt_title_is_shown_once_as_the_headline_of_the_text(window):
    view = window.view
    assert window.controller.article.title == HEADLINE
    assert view._title.isHidden() and view._title.text() == ""
    document = view.text_view.document()
    assert document.toPlainText() == TITLED  # the text as imported: nothing added, nothing moved
    assert document.firstBlock().text() == HEADLINE
    (headline,) = _headline_formats(view)
    body_size = view.text_view.font().pointSizeF()
    assert (headline.start, headline.length) == (0, len(HEADLINE))
    assert headline.format.fontWeight() >= QFont.Weight.DemiBold
    assert headline.format.font().pointSizeF() > body_size * 1.2
    # it is drawn bigger: the headline entity's line is taller than a body entity's
    spans = {span.entity.label + str(span.start): span for span in view.text_view.highlighter.index.spans}
    putin, moscow = spans["PERSON0"], next(s for s in spans.values() if s.start > len(HEADLINE) + 20)
    assert view.text_view.span_rects(putin)[0].height() > view.text_view.span_rects(moscow)[0].height() * 1.2


def test_an_entity_in_the_headline_can_be_focused_and_relabelled(window, press, stored):
    press(window, Qt.Key.Key_Tab)
    focused = window.view.focused_entity()
    assert TITLED[focused.start:focused.end] == "Putin" and focused.start == 0
    press(window, Qt.Key.Key_3)  # GPE
    status, entities = stored(window.path, 1)
    assert ("Putin", "GPE") in [(text, label) for text, label, _ in entities]
    store = AnnotationStore.open(window.path, annotator="tester")
    try:
        relabelled = next(e for e in store.entities(1) if e.label == "GPE" and e.start == 0)
        assert (relabelled.start, relabelled.end) == (0, len("Putin"))
    finally:
        store.close()
    assert window.view.focused_entity().label == "GPE"
    assert _headline_formats(window.view)  # still the headline after the edit


def test_the_file_name_is_meta_shown_only_without_a_title(window, qtbot):
    view = window.view
    assert view._meta.isHidden()  # the titled article: its file name is not shown
    window.controller.go_to(2)
    qtbot.waitUntil(lambda: window.controller.article.id == 2)
    assert window.controller.article.title is None
    assert view._title.isHidden() and not _headline_formats(view)
    assert view._meta.isVisible() and view._meta.text() == "file: untitled.txt"
    assert view._meta.font().pointSizeF() < view.text_view.font().pointSizeF()  # smaller than the text
    window.controller.go_to(1)
    qtbot.waitUntil(lambda: window.controller.article.id == 1)
    assert view._meta.isHidden() and _headline_formats(view)


# ------------------------------------------------------------------ the view alone
@pytest.fixture
def view(qtbot):
    v = ReviewView()
    qtbot.addWidget(v)
    v.resize(900, 600)
    v.set_labels(make_labels(["PERSON"]))
    v.show()
    qtbot.waitExposed(v)
    return v


def test_a_title_unlike_the_first_line_stays_above_the_text(view):
    view.show_article(Article(1, TITLED, "Summit in the east", {"file": "a.txt"}, Status.PENDING), [])
    assert view._title.isVisible() and view._title.text() == "Summit in the east"
    assert not _headline_formats(view)
    assert view._meta.isHidden()  # titled: the file name is not shown


def test_a_prepared_article_shows_its_headline_too(view):
    view.show_article(Article(1, UNTITLED, None, {}, Status.PENDING), [])
    assert not _headline_formats(view)
    view.prepare(Article(2, TITLED, HEADLINE, {}, Status.PENDING), [])
    assert view.show_prepared(2) is not None
    assert view._title.isHidden() and len(_headline_formats(view)) == 1
    view.prepare(Article(3, UNTITLED, None, {}, Status.PENDING), [])
    assert view.show_prepared(3) is not None
    assert not _headline_formats(view)


def test_a_long_title_is_elided_to_two_lines_with_the_full_title_as_tooltip(view, qtbot):
    title = "Kremlin denies signing agreements " * 3
    view.resize(500, 400)
    view.show_article(Article(1, "Body.", title.strip(), {}, Status.PENDING), [])
    qtbot.waitUntil(lambda: view._title.text() != title.strip())
    assert view._title.text().endswith("…") and view._title.text().count("\n") == 1
    assert title.strip() in view._title.toolTip()
    view.resize(2400, 600)
    qtbot.waitUntil(lambda: view._title.text() == title.strip())
    assert view._title.toolTip() == ""
