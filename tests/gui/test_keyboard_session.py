"""A whole review session with the keyboard alone, checking the project file after every step."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from annotator.model import EntityState, Status

pytestmark = pytest.mark.gui

SHIFT = Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier


def focused_text(window):
    entity = window.view.focused_entity()
    return None if entity is None else window.controller.article.text[entity.start:entity.end]


def select(window, start, end):
    """A mouse-like selection, set through the text view's cursor (ASCII text: Qt positions = code points)."""
    text_view = window.view.text_view
    cursor = text_view.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    text_view.setTextCursor(cursor)


def test_keyboard_only_session(make_main_window, press, stored):
    w = make_main_window()
    first = w.controller.article.id
    assert w.controller.article.title == "Summit in the east"

    # Tab focuses the first entity; Enter confirms the suggestion.
    press(w, Qt.Key.Key_Tab)
    assert focused_text(w) == "Kim Jong Un"
    press(w, Qt.Key.Key_Return)
    status, ents = stored(w.path, first)
    assert ("Kim Jong Un", "PERSON", EntityState.CONFIRMED) in ents
    assert ("Vladimir Putin", "PERSON", EntityState.SUGGESTED) in ents

    # Relabel the wrong suggestion with a digit (3 = GPE).
    press(w, Qt.Key.Key_Tab)
    press(w, Qt.Key.Key_Tab)
    assert focused_text(w) == "Vladivostok"
    press(w, Qt.Key.Key_3)
    assert ("Vladivostok", "GPE", EntityState.CONFIRMED) in stored(w.path, first)[1]
    assert focused_text(w) == "Vladivostok"

    # D removes the focused entity.
    press(w, Qt.Key.Key_Tab)
    assert focused_text(w) == "Wednesday"
    press(w, Qt.Key.Key_D)
    assert all(text != "Wednesday" for text, _, _ in stored(w.path, first)[1])

    # Boundaries by token: Shift+arrows move the end, Alt+arrows the start.
    w.view.focus_entity(None)
    for _ in range(2):
        press(w, Qt.Key.Key_Tab)
    assert focused_text(w) == "Vladimir Putin"
    press(w, Qt.Key.Key_Left, SHIFT)
    assert ("Vladimir", "PERSON", EntityState.CONFIRMED) in stored(w.path, first)[1]
    press(w, Qt.Key.Key_Right, SHIFT)
    assert ("Vladimir Putin", "PERSON", EntityState.CONFIRMED) in stored(w.path, first)[1]
    press(w, Qt.Key.Key_Left, ALT)
    assert ("met Vladimir Putin", "PERSON", EntityState.CONFIRMED) in stored(w.path, first)[1]
    press(w, Qt.Key.Key_Right, ALT)
    assert ("Vladimir Putin", "PERSON", EntityState.CONFIRMED) in stored(w.path, first)[1]
    assert focused_text(w) == "Vladimir Putin"

    # Add by selection: half a word snaps to the whole word, then a digit labels it (4 = DATE).
    text = w.controller.article.text
    start = text.index("Wednesday")
    select(w, start + 2, start + 5)
    press(w, Qt.Key.Key_4)
    assert ("Wednesday", "DATE", EntityState.CONFIRMED) in stored(w.path, first)[1]
    assert focused_text(w) == "Wednesday"

    # A accepts the article as shown (every entity decided) and moves to the next pending one.
    press(w, Qt.Key.Key_A)
    status, ents = stored(w.path, first)
    assert status is Status.ACCEPTED
    assert sorted(ents) == sorted([
        ("Kim Jong Un", "PERSON", EntityState.CONFIRMED),
        ("Vladimir Putin", "PERSON", EntityState.CONFIRMED),
        ("Vladivostok", "GPE", EntityState.CONFIRMED),
        ("Wednesday", "DATE", EntityState.CONFIRMED),
    ])
    second = w.controller.article.id
    assert second != first and w.controller.article.title == "Kremlin denies"

    # X rejects, Space skips; each moves on.
    press(w, Qt.Key.Key_X)
    assert stored(w.path, second)[0] is Status.REJECTED
    third = w.controller.article.id
    press(w, Qt.Key.Key_Space)
    assert stored(w.path, third)[0] is Status.SKIPPED
    fourth = w.controller.article.id
    assert fourth not in (first, second, third)

    # Undo across articles: each undo shows the article it touched.
    press(w, Qt.Key.Key_Backspace)
    assert w.controller.article.id == third and stored(w.path, third)[0] is Status.PENDING
    press(w, Qt.Key.Key_Z, CTRL)
    assert w.controller.article.id == second and stored(w.path, second)[0] is Status.PENDING
    # ...and redo replays them.
    press(w, Qt.Key.Key_Z, CTRL | SHIFT)
    assert w.controller.article.id == second and stored(w.path, second)[0] is Status.REJECTED
    press(w, Qt.Key.Key_Y, CTRL)
    assert w.controller.article.id == third and stored(w.path, third)[0] is Status.SKIPPED

    # Undo reaches back to the first article's edits too (through the accept, then the added entity).
    for _ in range(3):
        press(w, Qt.Key.Key_Backspace)
    assert w.controller.article.id == first and stored(w.path, first)[0] is Status.PENDING
    press(w, Qt.Key.Key_Backspace)
    assert all(text != "Wednesday" for text, _, _ in stored(w.path, first)[1])
    assert all(e.label != "DATE" for e in w.view.entities())  # the view follows the undo


def test_navigation_without_deciding(make_main_window, press, stored):
    w = make_main_window()
    first = w.controller.article.id
    press(w, Qt.Key.Key_J)
    assert w.controller.article.id == first + 1
    press(w, Qt.Key.Key_PageDown)
    assert w.controller.article.id == first + 2
    press(w, Qt.Key.Key_K)
    press(w, Qt.Key.Key_PageUp)
    assert w.controller.article.id == first
    assert stored(w.path, first)[0] is Status.PENDING

    # A decision on an earlier article (navigated back to) is kept; the next is the next pending one.
    press(w, Qt.Key.Key_J)
    press(w, Qt.Key.Key_X)
    assert stored(w.path, first + 1)[0] is Status.REJECTED
    assert w.controller.article.id == first + 2
    press(w, Qt.Key.Key_K)
    press(w, Qt.Key.Key_A)
    assert stored(w.path, first + 1)[0] is Status.ACCEPTED
    assert w.controller.article.id == first + 2


def test_label_picker_labels_the_selection(make_main_window, press, stored, settle):
    w = make_main_window()
    text = w.controller.article.text
    start = text.index("Jong")
    press(w, Qt.Key.Key_Tab)
    press(w, Qt.Key.Key_D)  # free "Kim Jong Un" so a new span can go there
    select(w, start, start + 4)
    w.controller.pick_label()
    w.picker.chosen.emit("ORG")
    settle(w)
    assert ("Jong", "ORG", EntityState.CONFIRMED) in stored(w.path, w.controller.article.id)[1]


def test_overlap_is_refused_with_a_message(make_main_window, press, stored):
    w = make_main_window()
    press(w, Qt.Key.Key_Tab)
    press(w, Qt.Key.Key_Return)  # "Kim Jong Un" is now confirmed
    text = w.controller.article.text
    select(w, text.index("Jong"), text.index("Jong") + 4)
    press(w, Qt.Key.Key_2)
    assert "overlaps" in w.status.currentMessage()
    assert ("Jong", "ORG", EntityState.CONFIRMED) not in stored(w.path, w.controller.article.id)[1]


def test_close_reopen_and_export_hold_exactly_the_decisions(make_main_window, press, project, tmp_path):
    import json

    from annotator.exporting import export_jsonl
    from annotator.store import AnnotationStore

    w = make_main_window(project)
    first = w.controller.article.id
    press(w, Qt.Key.Key_Tab)
    press(w, Qt.Key.Key_Tab)
    press(w, Qt.Key.Key_Tab)
    press(w, Qt.Key.Key_3)  # Vladivostok: ORG -> GPE
    press(w, Qt.Key.Key_Tab)
    press(w, Qt.Key.Key_Delete)  # Wednesday goes
    press(w, Qt.Key.Key_A)
    w.close()

    again = make_main_window(project)
    assert again.controller.article.id == first + 1  # where the reviewer left off
    press(again, Qt.Key.Key_K)
    labels = sorted((again.controller.article.text[e.start:e.end], e.label) for e in again.view.entities())
    assert labels == [("Kim Jong Un", "PERSON"), ("Vladimir Putin", "PERSON"), ("Vladivostok", "GPE")]
    again.close()

    out = tmp_path / "out.jsonl"
    store = AnnotationStore.open(project)
    try:
        assert export_jsonl(store, out) == 1
    finally:
        store.close()
    task = json.loads(out.read_text("utf-8"))
    assert sorted((task["text"][s["start"]:s["end"]], s["label"]) for s in task["spans"]) == labels
