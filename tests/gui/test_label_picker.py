"""LabelPicker: type to filter, Up/Down/Enter choose, Escape cancels."""

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QWidget

from annotator.labels import make_labels
from annotator_ui.label_picker import LabelPicker, filter_labels

pytestmark = pytest.mark.gui

LABELS = make_labels(["PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "DATE", "WORK_OF_ART",
                      "LAW", "LANGUAGE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"])


def names(labels):
    return [label.name for label in labels]


def test_filter_puts_prefix_matches_first_and_ignores_case():
    assert names(filter_labels(LABELS, "")) == names(LABELS)
    assert names(filter_labels(LABELS, "per")) == ["PERSON", "PERCENT"]
    assert names(filter_labels(LABELS, "or")) == ["ORG", "ORDINAL", "NORP", "WORK_OF_ART"]
    assert names(filter_labels(LABELS, "  Lo ")) == ["LOC"]
    assert filter_labels(LABELS, "zzz") == []


@pytest.fixture
def picker(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(800, 600)
    window.show()
    qtbot.waitExposed(window)
    p = LabelPicker(window)
    p.pick(LABELS)
    qtbot.waitExposed(p)
    yield p  # (not return: the window, the picker's parent, must outlive the test)


def test_typing_filters_and_enter_chooses(picker, qtbot):
    assert picker.visible_names() == names(LABELS)
    qtbot.keyClicks(picker.filter_edit, "ca")
    assert picker.visible_names() == ["CARDINAL"]
    with qtbot.waitSignal(picker.chosen) as chosen:
        qtbot.keyClick(picker.filter_edit, Qt.Key.Key_Return)
    assert chosen.args == ["CARDINAL"]
    assert not picker.isVisible()


def test_arrow_keys_move_through_the_matches(picker, qtbot):
    qtbot.keyClicks(picker.filter_edit, "o")
    assert picker.visible_names()[:2] == ["ORG", "ORDINAL"]
    qtbot.keyClick(picker.filter_edit, Qt.Key.Key_Down)
    qtbot.keyClick(picker.filter_edit, Qt.Key.Key_Down)
    qtbot.keyClick(picker.filter_edit, Qt.Key.Key_Up)
    with qtbot.waitSignal(picker.chosen) as chosen:
        qtbot.keyClick(picker.filter_edit, Qt.Key.Key_Enter)
    assert chosen.args == ["ORDINAL"]


def test_escape_cancels(picker, qtbot):
    qtbot.keyClicks(picker.filter_edit, "gp")
    with qtbot.assertNotEmitted(picker.chosen):
        qtbot.keyClick(picker.filter_edit, Qt.Key.Key_Escape)
    assert not picker.isVisible()


def test_enter_with_no_match_chooses_nothing(picker, qtbot):
    qtbot.keyClicks(picker.filter_edit, "zzz")
    with qtbot.assertNotEmitted(picker.chosen):
        qtbot.keyClick(picker.filter_edit, Qt.Key.Key_Return)


def test_click_chooses(picker, qtbot):
    item = picker.list.item(3)
    rect = picker.list.visualItemRect(item)
    with qtbot.waitSignal(picker.chosen) as chosen:
        qtbot.mouseClick(picker.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert chosen.args == ["LOC"]


def test_reopening_clears_the_filter(picker, qtbot):
    qtbot.keyClicks(picker.filter_edit, "money")
    qtbot.keyClick(picker.filter_edit, Qt.Key.Key_Escape)
    picker.pick(LABELS[:3])
    assert picker.filter_edit.text() == ""
    assert picker.visible_names() == ["PERSON", "ORG", "GPE"]


# ------------------------------------------------------------- in the window (issue 10, defect 6)
@pytest.fixture
def seed_window(make_main_window, make_project, tmp_path):
    from seed_article import SPACY_LABELS, seed_article

    return make_main_window(make_project(tmp_path / "seed.db", [seed_article()], SPACY_LABELS))


def _on_screen(window, entity) -> QRect:
    """The entity's characters on screen, in global coordinates, from the document's own cursor rectangles."""
    text = window.view.text_view
    rect = QRect()
    for position in range(text.highlighter.map.to_qt(entity.start), text.highlighter.map.to_qt(entity.end) + 1):
        cursor = QTextCursor(text.document())
        cursor.setPosition(position)
        rect = rect.united(text.cursorRect(cursor))
    return QRect(text.viewport().mapToGlobal(rect.topLeft()), rect.size())


@pytest.mark.parametrize("size", [(1200, 780), (500, 400)])
def test_picker_opens_beside_the_focused_entity_with_its_label_chosen(seed_window, qtbot, size):
    w = seed_window
    w.resize(*size)
    qtbot.waitUntil(lambda: w.size().toTuple() == size)
    labels = set()
    for _ in range(14):
        qtbot.keyClick(w, Qt.Key.Key_Tab)
        entity = w.view.focused_entity()
        qtbot.keyClick(w, Qt.Key.Key_L)
        qtbot.waitUntil(w.picker.isVisible)
        try:
            assert not w.picker.geometry().intersects(_on_screen(w, entity)), f"the picker covers {entity}"
            assert w.picker.list.currentItem().data(Qt.ItemDataRole.UserRole) == entity.label
            labels.add(entity.label)
        finally:
            w.picker.close()
    assert len(labels) > 5  # not a coincidence of the first row


def test_picker_opens_beside_the_selection(seed_window, qtbot):
    w = seed_window
    text = w.view.text_view
    article = w.controller.article.text
    start = article.index("bullet-proof train")
    cursor = QTextCursor(text.document())
    cursor.setPosition(text.highlighter.map.to_qt(start))
    cursor.setPosition(text.highlighter.map.to_qt(start + len("bullet-proof train")), QTextCursor.MoveMode.KeepAnchor)
    text.setTextCursor(cursor)
    w.view.text_view.ensureCursorVisible()
    first, last = QTextCursor(cursor), QTextCursor(cursor)
    first.setPosition(cursor.selectionStart())
    last.setPosition(cursor.selectionEnd())
    selected = text.cursorRect(first).united(text.cursorRect(last))
    selected = QRect(text.viewport().mapToGlobal(selected.topLeft()), selected.size())
    qtbot.keyClick(w, Qt.Key.Key_L)
    qtbot.waitUntil(w.picker.isVisible)
    try:
        assert not w.picker.geometry().intersects(selected)
        assert w.picker.list.currentRow() == 0  # a new entity: no label of its own yet
    finally:
        w.picker.close()


@pytest.mark.parametrize(
    "target, height, side",
    [
        (QRect(100, 50, 80, 20), 800, "below"),
        (QRect(100, 700, 80, 20), 800, "above"),
        (QRect(100, 200, 80, 20), 400, "below"),  # room both ways: below first, shortened to fit
        (QRect(20, 130, 80, 20), 300, "right"),  # neither above nor below has room for the picker
        (QRect(700, 130, 80, 20), 300, "left"),
    ],
)
def test_place_beside_never_covers_the_target(target, height, side):
    from annotator_ui.label_picker import MIN_HEIGHT, place_beside

    area = QRect(0, 0, 800, height)
    placed = place_beside(target, area)
    assert not placed.intersects(target)
    assert placed.height() >= MIN_HEIGHT and area.contains(placed)
    where = {"below": placed.top() > target.bottom(), "above": placed.bottom() < target.top(),
             "right": placed.left() > target.right(), "left": placed.right() < target.left()}
    assert where[side], placed
