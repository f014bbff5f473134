"""The entity list beside the article: rows in text order, selection both ways, the same keys, kept current."""

import pytest
from PySide6.QtCore import Qt

from annotator.model import EntityState
from annotator_ui.entity_list import LABEL, SOURCE, STATE, TEXT, source_of
from annotator_ui.plain import plain_tooltip

pytestmark = pytest.mark.gui

WIDE = (1400, 900)


@pytest.fixture
def wide_window(make_main_window, qtbot):
    def make(*args, **kwargs):
        w = make_main_window(*args, **kwargs)
        w.resize(*WIDE)
        qtbot.waitUntil(lambda: w.entity_list.isVisible() and rows(w) == texts_in_store(w))
        return w

    return make


def rows(w) -> list[tuple[str, str, str, str]]:
    model = w.entity_list.entity_model
    return [tuple(model.index(r, c).data() for c in (TEXT, LABEL, STATE, SOURCE)) for r in range(model.rowCount())]


def texts_in_store(w) -> list[tuple[str, str, str, str]]:
    article = w.controller.article
    return [(article.text[e.start : e.end], e.label, e.state.value, source_of(e))  # as the column shortens it
            for e in w.store.entities(article.id)]


def selected_id(w) -> int | None:
    index = w.entity_list.currentIndex()
    return w.entity_list.entity_model.entity(index.row()).id if index.isValid() and w.entity_list.selectionModel().isSelected(index) else None


def test_rows_are_the_entities_in_text_order_with_label_state_and_source(wide_window):
    w = wide_window()
    assert rows(w) == [
        ("Kim Jong Un", "PERSON", "suggested", "fake 1"),
        ("Vladimir Putin", "PERSON", "suggested", "fake 1"),
        ("Vladivostok", "ORG", "suggested", "fake 1"),
        ("Wednesday", "DATE", "suggested", "fake 1"),
    ]
    model = w.entity_list.entity_model
    assert model.index(0, LABEL).data(Qt.ItemDataRole.DecorationRole) == w.view.label_color("PERSON")
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)] == ["Text", "Label", "State", "Source"]


def test_selecting_a_row_focuses_its_entity_and_focusing_one_selects_its_row(wide_window, qtbot):
    w = wide_window()
    table = w.entity_list
    third = table.entity_model.entity(2)
    rect = table.visualRect(table.entity_model.index(2, TEXT))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert w.view.focused_entity().id == third.id
    assert w.label_bar.current() == "ORG"
    w.view.setFocus()
    qtbot.keyClick(w, Qt.Key.Key_Tab)  # the article's Tab: the next entity, and its row follows
    assert w.view.focused_entity().id == table.entity_model.entity(3).id
    assert selected_id(w) == table.entity_model.entity(3).id


def test_arrow_keys_in_the_list_move_the_focus_in_the_text(wide_window, qtbot):
    w = wide_window()
    w.entity_list.setFocus()
    w.entity_list.selectRow(0)
    qtbot.keyClick(w.entity_list, Qt.Key.Key_Down)
    qtbot.keyClick(w.entity_list, Qt.Key.Key_Down)
    assert w.view.focused_entity().id == w.entity_list.entity_model.entity(2).id


def test_selecting_a_row_scrolls_the_article_to_it(make_project, wide_window, tmp_path, qtbot):
    text = "\n\n".join(f"Line {i} of a long article." for i in range(300)) + "\n\nAt the end Kim Jong Un arrived."
    start = text.index("Kim Jong Un")
    w = wide_window(make_project(tmp_path / "long.db", [("Long", text, [(start, start + 11, "PERSON")])]))
    bar = w.view.text_view.verticalScrollBar()
    assert bar.value() == 0
    w.entity_list.selectRow(0)
    assert w.view.focused_entity().start == start
    assert bar.value() > 0


@pytest.mark.parametrize("key, expect", [
    (Qt.Key.Key_Return, ("Kim Jong Un", "PERSON", EntityState.CONFIRMED)),
    (Qt.Key.Key_3, ("Kim Jong Un", "GPE", EntityState.CONFIRMED)),
    (Qt.Key.Key_Delete, None),
])
def test_keys_in_the_list_act_on_the_selected_entity(wide_window, qtbot, settle, stored, key, expect):
    w = wide_window()
    article = w.controller.article.id
    w.entity_list.setFocus()
    w.entity_list.selectRow(0)
    qtbot.waitUntil(w.entity_list.hasFocus)
    qtbot.keyClick(w.entity_list, key)
    settle(w)
    entities = stored(w.path, article)[1]
    if expect is None:
        assert [text for text, _, _ in entities] == ["Vladimir Putin", "Vladivostok", "Wednesday"]
    else:
        assert entities[0] == expect
    qtbot.waitUntil(lambda: rows(w) == texts_in_store(w))  # the list follows the edit


def test_tab_in_the_list_moves_to_the_next_entity(wide_window, qtbot):
    w = wide_window()
    w.entity_list.setFocus()
    w.entity_list.selectRow(1)
    qtbot.keyClick(w.entity_list, Qt.Key.Key_Tab)
    second = w.entity_list.entity_model.entity(2).id
    assert w.view.focused_entity().id == second
    assert selected_id(w) == second
    assert w.entity_list.hasFocus()  # Tab moved the entity, not the keyboard focus


def test_the_list_follows_undo_and_the_next_article(wide_window, qtbot, settle, press):
    w = wide_window()
    w.entity_list.selectRow(0)
    press(w, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: rows(w) == texts_in_store(w) and len(rows(w)) == 3)
    press(w, Qt.Key.Key_Backspace)
    qtbot.waitUntil(lambda: rows(w) == texts_in_store(w) and len(rows(w)) == 4)
    press(w, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: rows(w) == texts_in_store(w))
    assert [r[0] for r in rows(w)] == ["Kremlin", "Dmitry Peskov", "Moscow"]


def test_a_hidden_list_is_not_filled_until_shown(make_main_window, qtbot, press):
    w = make_main_window()
    w.resize(900, 700)  # too narrow: the list gives its room to the article
    qtbot.waitUntil(lambda: not w.entity_list.isVisible())
    press(w, Qt.Key.Key_A)
    assert [r[0] for r in rows(w)] != [t[0] for t in texts_in_store(w)]  # not refilled while hidden
    press(w, Qt.Key.Key_E)  # shown on request, even in a narrow window
    qtbot.waitUntil(lambda: w.entity_list.isVisible() and rows(w) == texts_in_store(w))
    press(w, Qt.Key.Key_E)
    qtbot.waitUntil(lambda: not w.entity_list.isVisible())


def test_entity_text_and_labels_are_shown_as_plain_text(make_project, wide_window, tmp_path):
    text = "Hello <b>bold</b> &amp; <img src=x> world"
    start, end = text.index("<b>"), text.index(" world")
    path = make_project(tmp_path / "markup.db", [("<i>t</i>", text, [(start, end, "<h1>L</h1>")])], labels=["<h1>L</h1>"])
    w = wide_window(path)
    model = w.entity_list.entity_model
    assert rows(w)[0][:2] == ("<b>bold</b> &amp; <img src=x>", "<h1>L</h1>")
    assert model.index(0, TEXT).data(Qt.ItemDataRole.ToolTipRole).startswith(plain_tooltip("<b>bold</b>")[:-7])


def test_at_the_windows_default_size_the_text_column_keeps_its_room(make_main_window, qtbot):
    """At 1200 px (the default width) the list is about 310 px wide, and the label, state and source
    columns left the entity's text a few characters ("K…" on screen): the source column now gives up
    its room first, down to its least."""
    from annotator_ui.entity_list import SOURCE_EM, SOURCE_MIN_EM

    w = make_main_window()
    w.resize(1200, 780)
    table = w.entity_list
    qtbot.waitUntil(lambda: table.isVisible() and rows(w) == texts_in_store(w))
    em = table.fontMetrics().horizontalAdvance("M")
    qtbot.waitUntil(lambda: table.columnWidth(SOURCE) == SOURCE_MIN_EM * em)
    assert table.columnWidth(TEXT) >= 8 * em  # 4 ems before
    assert not table.horizontalScrollBar().isVisible()  # every column within the list
    w.resize(2000, 900)
    qtbot.waitUntil(lambda: table.columnWidth(SOURCE) == SOURCE_EM * em)  # a wide window gives it back
