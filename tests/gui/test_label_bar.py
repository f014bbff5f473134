"""LabelBar: chips with colour, name and hotkey; the current label; clicks."""

import pytest
from PySide6.QtCore import Qt

from annotator.labels import make_labels
from formatted import shown_tooltip
from annotator_ui.label_bar import LabelBar

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


def test_chips_wrap_onto_two_rows_at_most_and_the_rest_is_counted(bar, qtbot):
    wide = bar.layout().heightForWidth(2400)
    assert bar.layout().heightForWidth(400) == bar.layout().heightForWidth(160) <= 2 * wide
    bar.resize(400, bar.layout().heightForWidth(400))
    qtbot.waitUntil(lambda: bar.overflow.isVisible())
    shown = [c for c in bar.chips() if c.isVisible()]
    assert len({c.geometry().top() for c in shown}) == 2
    assert all(c.geometry().right() <= 400 for c in shown + [bar.overflow])
    assert [c.label.name for c in bar.overflow.hidden_chips] == NAMES[len(shown):]
    assert bar.overflow.geometry().left() > shown[-1].geometry().right()  # after the last chip shown
    assert "CARDINAL" in shown_tooltip(bar.overflow.toolTip())[0]
    bar.set_current("CARDINAL")  # a hidden label is current: the "+N" chip says so
    assert bar.overflow.current
    bar.resize(2400, wide)
    qtbot.waitUntil(lambda: not bar.overflow.isVisible())
    assert all(c.isVisible() for c in bar.chips())


def test_clicking_the_more_chip_asks_for_the_picker(bar, qtbot):
    bar.resize(400, bar.layout().heightForWidth(400))
    qtbot.waitUntil(lambda: bar.overflow.isVisible())
    with qtbot.waitSignal(bar.more_requested):
        qtbot.mouseClick(bar.overflow, Qt.MouseButton.LeftButton)


def test_label_names_are_painted_as_plain_text(qtbot):
    b = LabelBar()
    qtbot.addWidget(b)
    b.set_labels(make_labels(["<b>bold</b>", "a & b"]))
    chip = b.chips()[0]
    assert chip.label.name == "<b>bold</b>"
    assert "&lt;b&gt;" in chip.toolTip()
    assert chip.sizeHint().width() > chip.fontMetrics().horizontalAdvance("<b>bold</b>")
    assert not b.grab().isNull()
