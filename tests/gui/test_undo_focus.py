"""Undo and redo keep the reviewer's place: the entity a step touched is focused and in view, and
an undone decision brings its article back focused where it was when it was decided."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from annotator.model import Status

pytestmark = pytest.mark.gui

SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier

FILLER = "Nothing else happened in the long afternoon that followed the talks. " * 120
LONG = "Kim Jong Un arrived early. " + FILLER + "Vladimir Putin met him in Vladivostok later."


def _span(text, word, label):
    start = text.index(word)
    return start, start + len(word), label


LONG_ARTICLES = [
    ("A long day", LONG, [_span(LONG, "Kim Jong Un", "PERSON"), _span(LONG, "Vladimir Putin", "PERSON"),
                          _span(LONG, "Vladivostok", "GPE")]),
    ("Next", "Reuters reported it.", [(0, 7, "ORG")]),
]


@pytest.fixture
def window(make_main_window, make_project, tmp_path):
    return make_main_window(make_project(tmp_path / "long.db", LONG_ARTICLES))


def focused_text(w):
    entity = w.view.focused_entity()
    return None if entity is None else w.controller.article.text[entity.start:entity.end]


def in_view(w):
    """The focused entity's start is inside the text's viewport (ASCII text: Qt positions are code points)."""
    text_view = w.view.text_view
    cursor = QTextCursor(text_view.document())
    cursor.setPosition(w.view.focused_entity().start)
    return text_view.viewport().rect().contains(text_view.cursorRect(cursor))


def to_top(w):
    w.view.text_view.verticalScrollBar().setValue(0)


def test_undo_and_redo_of_a_resize_focus_the_resized_entity(window, press):
    w = window
    press(w, Qt.Key.Key_Tab)
    press(w, Qt.Key.Key_Tab)
    putin = w.view.focused_entity().id
    press(w, Qt.Key.Key_Left, SHIFT)
    assert focused_text(w) == "Vladimir"
    to_top(w)
    w.view.focus_entity(None)  # wherever the reviewer went since
    press(w, Qt.Key.Key_Backspace)
    assert w.view.focused_entity().id == putin and focused_text(w) == "Vladimir Putin"
    assert in_view(w)
    press(w, Qt.Key.Key_Tab)  # Tab goes on from there, not from the first entity
    assert focused_text(w) == "Vladivostok"

    to_top(w)
    press(w, Qt.Key.Key_Z, CTRL | SHIFT)  # redo
    assert w.view.focused_entity().id == putin and focused_text(w) == "Vladimir"
    assert in_view(w)


def test_undo_of_a_removal_focuses_the_restored_entity(window, press):
    w = window
    press(w, Qt.Key.Key_Tab)
    press(w, Qt.Key.Key_Tab)
    putin = w.view.focused_entity().id
    press(w, Qt.Key.Key_D)
    assert putin not in [e.id for e in w.view.entities()]
    to_top(w)
    press(w, Qt.Key.Key_Backspace)
    assert w.view.focused_entity().id == putin and focused_text(w) == "Vladimir Putin"
    assert in_view(w)


def test_undo_of_a_decision_brings_the_article_back_focused_where_it_was(window, press):
    w = window
    first = w.controller.article.id
    press(w, Qt.Key.Key_Tab)
    press(w, Qt.Key.Key_Tab)
    putin = w.view.focused_entity().id
    press(w, Qt.Key.Key_A)
    assert w.controller.article.id != first and w.store.article(first).status is Status.ACCEPTED
    press(w, Qt.Key.Key_Backspace)
    assert w.controller.article.id == first and w.store.article(first).status is Status.PENDING
    assert w.view.focused_entity().id == putin
    assert in_view(w)
    press(w, Qt.Key.Key_Tab)
    assert focused_text(w) == "Vladivostok"
