"""Ctrl+F: results with their context and the matched words marked, "no matches", and the hit
marked in the article after the jump."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont

from annotator.store import search as search_module
from annotator_ui.dialogs.search import HIT_ROLE, SearchDialog
from annotator_ui.highlight import OffsetMap


def open_search(window, qtbot) -> SearchDialog:
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.findChild(SearchDialog) is not None and window.findChild(SearchDialog).isVisible())
    return window.findChild(SearchDialog)


def search(dialog: SearchDialog, qtbot, words: str) -> None:
    dialog.query.clear()
    qtbot.keyClicks(dialog.query, words)
    qtbot.waitUntil(lambda: dialog.shown == words and not dialog._timer.isActive())


def rendered(dialog: SearchDialog, row: int) -> tuple[str, list[str]]:
    """The text a result row paints, and the pieces of it painted bold on the marker colour."""
    hit = dialog.results.item(row).data(HIT_ROLE)
    document = dialog.results.itemDelegate().document(hit, 400)
    marked, block = [], document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            fmt = fragment.charFormat()
            if fmt.fontWeight() == QFont.Weight.Bold and fmt.background().color().name() == "#ffe38a":
                marked.append(fragment.text())
            it += 1
        block = block.next()
    return document.toPlainText(), marked


def test_results_show_their_context_with_the_matched_words_marked(make_main_window, qtbot):
    w = make_main_window()
    dialog = open_search(w, qtbot)
    search(dialog, qtbot, "moscow peskov")
    assert dialog.results.count() == 1
    text, marked = rendered(dialog, 0)
    assert text == "Kremlin denies\nThe Kremlin said Dmitry Peskov spoke to reporters in Moscow."
    assert marked == ["Peskov", "Moscow"]
    assert dialog.status.text() == "1 article matches"
    search(dialog, qtbot, "kreml")  # the last word as a prefix: in the title and the text
    assert rendered(dialog, 0)[1] == ["Kremlin", "Kremlin"]
    dialog.results.setCurrentRow(0)
    w.grab().save("/tmp/search-window.png")
    dialog.grab().save("/tmp/search-dialog.png")


def test_no_matches_is_said(make_main_window, qtbot):
    w = make_main_window()
    dialog = open_search(w, qtbot)
    search(dialog, qtbot, "zeppelin")
    assert dialog.results.count() == 0
    assert dialog.status.text() == "No matches for “zeppelin”"
    search(dialog, qtbot, 'AND "(NEAR -x:*')  # query syntax typed: plain words, no error
    assert dialog.status.text() == 'No matches for “AND "(NEAR -x:*”'


def test_a_query_the_index_refuses_is_a_message_not_a_traceback(make_main_window, qtbot, monkeypatch):
    w = make_main_window()
    monkeypatch.setattr(search_module, "fts_query", lambda query: "AND AND")  # what quoting prevents
    dialog = open_search(w, qtbot)
    search(dialog, qtbot, "moscow")
    assert dialog.results.count() == 0
    assert dialog.status.text().startswith("cannot search for 'moscow' (fts5: syntax error")


def test_markup_in_titles_and_text_is_shown_as_typed(make_main_window, make_project, tmp_path, qtbot):
    text = "<b>Bold</b> claims &amp; <img src=x> tags in the text"
    w = make_main_window(make_project(tmp_path / "m.db", [("<i>Tags</i> & more", text, [])]))
    dialog = open_search(w, qtbot)
    search(dialog, qtbot, "tags")
    shown, marked = rendered(dialog, 0)
    assert shown == f"<i>Tags</i> & more\n{text}"
    assert marked == ["Tags", "tags"]


LONG = "\n\n".join(f"Paragraph {i} 😀 with filler words about nothing much at all." for i in range(80))


@pytest.mark.parametrize("how", ["enter", "double click"])
def test_the_jump_marks_the_hit_in_the_article_and_scrolls_it_into_view(make_main_window, make_project, tmp_path, qtbot, how):
    text = LONG + "\n\nAt last the Zeppelin landed 😀 near the Zeppelin museum."
    path = make_project(tmp_path / "long.db", [("First", "Nothing here.", []), ("Far down", text, [])])
    w = make_main_window(path)
    assert w.controller.article.title == "First"
    dialog = open_search(w, qtbot)
    search(dialog, qtbot, "zeppel")
    if how == "enter":
        qtbot.keyClick(dialog.query, Qt.Key.Key_Return)
    else:
        item = dialog.results.item(0)
        dialog.results.itemActivated.emit(item)
    assert w.controller.article.title == "Far down"
    view = w.controller.view.text_view
    offsets = OffsetMap(text)
    first = text.index("Zeppelin")
    second = text.index("Zeppelin", first + 1)
    expected = [(offsets.to_qt(a), offsets.to_qt(a + 8)) for a in (first, second)]
    assert expected[0] != (first, first + 8)  # the emoji before it: UTF-16 positions differ
    marks = [(s.cursor.selectionStart(), s.cursor.selectionEnd()) for s in view.extraSelections()]
    assert marks == expected
    assert [s.cursor.selectedText() for s in view.extraSelections()] == ["Zeppelin", "Zeppelin"]
    start = view.textCursor()
    start.setPosition(expected[0][0])
    qtbot.waitUntil(lambda: view.viewport().rect().contains(view.cursorRect(start).center()))
    assert view.verticalScrollBar().value() > 0
    w.grab().save(f"/tmp/search-jump-{how.replace(' ', '-')}.png")
    w.controller.go_to(w.store.neighbour(None))  # another article: the marks were this one's
    assert view.extraSelections() == []
