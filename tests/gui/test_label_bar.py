"""LabelBar: chips with colour, name and hotkey; the current label; clicks."""

import pytest
from PySide6.QtCore import Qt

from annotator.labels import make_labels
from ui.label_bar import LabelBar

pytestmark = pytest.mark.gui

NAMES = ["PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "DATE", "WORK_OF_ART", "LAW",
         "LANGUAGE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"]


@pytest.fixture
def bar(qtbot):
    b = LabelBar()
    qtbot.addWidget(b)
    b.set_labels(make_labels(NAMES))
    b.resize(1200, b.heightForWidth(1200) if b.hasHeightForWidth() else 80)
    b.show()
    qtbot.waitExposed(b)
    return b


def test_chips_in_label_order_with_hotkeys(bar):
    chips = bar.chips()
    assert [c.label.name for c in chips] == NAMES
    assert [c.label.hotkey for c in chips[:9]] == [str(i) for i in range(1, 10)]
    assert all(c.label.hotkey is None for c in chips[9:])
    assert all(c.focusPolicy() == Qt.FocusPolicy.NoFocus for c in chips)  # never steal the review keys


def test_clicking_a_chip_chooses_its_label(bar, qtbot):
    chip = bar.chips()[2]
    with qtbot.waitSignal(bar.label_chosen) as chosen:
        qtbot.mouseClick(chip, Qt.MouseButton.LeftButton)
    assert chosen.args == ["GPE"]


def test_current_label_is_marked(bar):
    bar.set_current("ORG")
    assert [c.label.name for c in bar.chips() if c.current] == ["ORG"]
    assert bar.current() == "ORG"
    bar.set_current(None)
    assert not any(c.current for c in bar.chips())
    bar.set_current("ORG")
    bar.set_labels(make_labels(["ORG", "GPE"]))  # the current label survives a new label set
    assert [c.label.name for c in bar.chips() if c.current] == ["ORG"]


def test_chips_wrap_onto_more_lines_when_narrow(bar):
    wide = bar.layout().heightForWidth(2400)
    narrow = bar.layout().heightForWidth(400)
    assert narrow > 2 * wide
    bar.resize(400, narrow)
    tops = {c.geometry().top() for c in bar.chips()}
    assert len(tops) > 2
    assert all(c.geometry().right() <= 400 for c in bar.chips())


def test_label_names_are_painted_as_plain_text(qtbot):
    b = LabelBar()
    qtbot.addWidget(b)
    b.set_labels(make_labels(["<b>bold</b>", "a & b"]))
    chip = b.chips()[0]
    assert chip.label.name == "<b>bold</b>"
    assert "&lt;b&gt;" in chip.toolTip()
    assert chip.sizeHint().width() > chip.fontMetrics().horizontalAdvance("<b>bold</b>")
    assert not b.grab().isNull()
