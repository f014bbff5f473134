"""LabelPicker: type to filter, Up/Down/Enter choose, Escape cancels."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from annotator.labels import make_labels
from ui.label_picker import LabelPicker, filter_labels

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
