"""Boundary keys and selections on text with line breaks, tabs and many-code-point characters.

Real key presses on the window; the spans are read back from the project file
through a separate connection. A span edge may never fall in whitespace or
inside a grapheme cluster (a ZWJ family emoji, a flag, a letter and its mark).
"""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from annotator.graphemes import is_boundary
from annotator.store import AnnotationStore

pytestmark = pytest.mark.gui

SHIFT = Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier
FAMILY = "\U0001F468\u200d\U0001F469\u200d\U0001F467"
JAPAN = "\U0001F1EF\U0001F1F5"
ZOE = "Zoe\u0308"
TEXT = f"a\r\nKim met {FAMILY} Putin in {JAPAN} Japan with {ZOE}\t\r"


def _at(word):
    start = TEXT.index(word)
    return start, start + len(word), "PERSON"


@pytest.fixture
def window(make_main_window, make_project, tmp_path):
    """A window on the text with the entities given (as words of it), by default Kim, Putin, Japan and Zoë."""

    def open_on(*words):
        spans = [_at(word) for word in words or ("Kim", "Putin", "Japan", ZOE)]
        return make_main_window(make_project(tmp_path / "graphemes.db", [("Clusters", TEXT, spans)]))

    return open_on


def spans(path):
    """Every entity as the text it covers, read from the file through its own connection."""
    store = AnnotationStore.open(path, annotator="reader")
    try:
        article = store.queue(None, limit=1)[0][0]
        return sorted((e.start, e.end) for e in store.entities(article))
    finally:
        store.close()


def covering(path, start, end):
    """The stored span that overlaps [start, end)."""
    return next((s, e) for s, e in spans(path) if s < end and start < e)


def assert_clean(path):
    for start, end in spans(path):
        assert not TEXT[start].isspace() and not TEXT[end - 1].isspace(), repr(TEXT[start:end])
        assert is_boundary(TEXT, start) and is_boundary(TEXT, end), repr(TEXT[start:end])


def focus(window, word=None):
    """Focus the entity over ``word`` (the only one if None)."""
    at = None if word is None else TEXT.index(word)
    entities = window.controller.store.entities(window.controller.article.id)
    window.view.focus_entity(next(e.id for e in entities if at is None or e.start <= at < e.end))


@pytest.mark.parametrize(
    "word,key,modifier,expected",
    [
        ("Kim", Qt.Key.Key_Left, ALT, "a\r\nKim"),  # not "\r\nKim"
        ("Putin", Qt.Key.Key_Left, ALT, f"{FAMILY} Putin"),  # not the girl alone
        ("Japan", Qt.Key.Key_Left, ALT, f"{JAPAN} Japan"),  # not half the flag
        (ZOE, Qt.Key.Key_Right, SHIFT, ZOE),  # not "Zoë\t\r"
        ("Kim", Qt.Key.Key_Right, SHIFT, "Kim met"),
    ],
    ids=["alt-left-over-crlf", "alt-left-over-zwj-family", "alt-left-over-flag", "shift-right-at-tab-cr", "shift-right-to-word"],
)
def test_one_boundary_key_lands_on_a_whole_character_next_to_a_word(window, press, word, key, modifier, expected):
    window = window()
    focus(window, word)
    press(window, key, modifier)
    start = TEXT.index(word)
    s, e = covering(window.path, start, start + len(word))
    assert TEXT[s:e] == expected
    assert_clean(window.path)


def test_boundary_keys_across_the_whole_text_never_land_in_whitespace_or_a_cluster(window, press):
    window = window("Putin")
    seen = set()
    for key, modifier in [(Qt.Key.Key_Left, ALT)] * 6 + [(Qt.Key.Key_Right, SHIFT)] * 6 + [(Qt.Key.Key_Right, ALT)] * 12:
        focus(window)
        press(window, key, modifier)
        assert_clean(window.path)
        seen.add(TEXT.__getitem__(slice(*spans(window.path)[0])))
    assert f"a\r\nKim met {FAMILY} Putin in {JAPAN} Japan with {ZOE}" in seen  # both ends reached
    assert spans(window.path) == [(TEXT.index(ZOE), TEXT.index(ZOE) + len(ZOE))]  # the start stops at the last word


def test_a_selection_with_whitespace_and_half_a_character_labels_whole_characters(window, press):
    window = window()
    start = TEXT.index(FAMILY)
    text_view = window.view.text_view
    to_qt = text_view.highlighter.map.to_qt
    cursor = text_view.textCursor()
    cursor.setPosition(to_qt(start - 1))  # the space before the family ...
    cursor.setPosition(to_qt(start + 3), QTextCursor.MoveMode.KeepAnchor)  # ... to inside it
    text_view.setTextCursor(cursor)
    press(window, Qt.Key.Key_1)
    s, e = covering(window.path, start, start + 1)
    assert TEXT[s:e] == FAMILY
    assert_clean(window.path)
