"""The queue's rows and its end (issue 10): what the dots mean, long titles, an empty filter, the kept filter,
and what is said when no pending article is left."""

import html

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter

from annotator.model import Status
from annotator.store import AnnotationStore
from annotator_ui.plain import plain_tooltip
from annotator_ui.queue_panel import FILTER_SETTING
from annotator_ui.settings import Settings

pytestmark = pytest.mark.gui

LONG = ("Kremlin says talks with Pyongyang on arms, energy and grain will go on through the winter "
        "despite sanctions, officials in Moscow and Vladivostok confirm")


@pytest.fixture
def drawn(monkeypatch):
    """drawn(widget) -> every string the widget's painting passes to QPainter.drawText."""

    def paint(widget) -> list[str]:
        texts, original = [], QPainter.drawText

        def record(painter, *args):
            texts.extend(a for a in args if isinstance(a, str))
            return original(painter, *args)

        monkeypatch.setattr(QPainter, "drawText", record)
        try:
            widget.grab()  # paints through Python's QPainter, so the recorder sees the delegate's text
        finally:
            monkeypatch.setattr(QPainter, "drawText", original)
        return texts

    return paint


def _decide_all_but_one_skipped(w, press):
    press(w, Qt.Key.Key_Space)  # the first article: skipped
    for _ in range(w.store.article_count() - 1):
        press(w, Qt.Key.Key_A)


def test_the_end_of_the_queue_says_what_is_left(make_main_window, press):
    """Defect 8: one skipped article is not 'every article is decided'."""
    w = make_main_window()
    _decide_all_but_one_skipped(w, press)
    assert w.store.counts()[Status.SKIPPED.value] == 1
    assert w.status.currentMessage() == (
        "no pending articles left; 1 skipped: walk to it with J/K, or choose Skipped in the queue"
    )


def test_an_empty_filter_shows_a_placeholder(make_main_window, press, drawn):
    w = make_main_window()
    assert "No pending articles" not in drawn(w.queue.list.viewport())
    _decide_all_but_one_skipped(w, press)
    assert w.queue.model.rowCount() == 0
    assert "No pending articles" in drawn(w.queue.list.viewport())
    w.queue.set_filter(Status.SKIPPED)
    assert w.queue.model.rowCount() == 1
    assert not [t for t in drawn(w.queue.list.viewport()) if t.startswith("No ")]


def test_the_queue_filter_is_kept_with_the_project(make_main_window, settle):
    w = make_main_window()
    path = w.path
    w.queue.set_filter(Status.SKIPPED)
    settle(w)
    w.close()
    store = AnnotationStore.open(path, annotator="tester")
    try:
        assert store.setting(FILTER_SETTING) == "skipped"
    finally:
        store.close()
    again = make_main_window(path)
    assert again.queue.chosen_status is Status.SKIPPED
    assert again.queue.model.status is Status.SKIPPED


def test_an_unknown_stored_filter_is_the_pending_queue(make_project, tmp_path, make_main_window):
    path = make_project(tmp_path / "odd.db")
    store = AnnotationStore.open(path, annotator="tester")
    try:
        store.set_setting(FILTER_SETTING, "<b>nonsense</b>")
    finally:
        store.close()
    w = make_main_window(path)
    assert w.queue.chosen_status is Status.PENDING and w.queue.model.rowCount() == 4


def test_rows_explain_their_dots(make_main_window, press):
    w = make_main_window()
    w.queue.set_filter(None)
    press(w, Qt.Key.Key_A)
    model = w.queue.model
    tips = [model.index(r).data(Qt.ItemDataRole.ToolTipRole) for r in range(model.rowCount())]
    assert tips[0] == plain_tooltip("Summit in the east\nArticle 1 · accepted")
    assert tips[1] == plain_tooltip("Kremlin denies\nArticle 2 · pending, not decided yet (hollow dot)")
    # The legend: each status in the filter carries its dot, and the filter and heading say what they mean.
    icons = [w.queue.filter.itemIcon(i).isNull() for i in range(w.queue.filter.count())]
    assert icons == [False, False, False, False, True]  # Pending, Accepted, Rejected, Skipped; "All" has none
    for text in ("accepted", "rejected", "skipped, to decide later", "pending, not decided yet"):
        assert text in w.queue.filter.toolTip()
        assert text in w.queue.findChild(type(w.queue.position), "heading").toolTip()


def test_a_long_title_loses_its_middle_and_its_tooltip_holds_it_whole(make_project, tmp_path, make_main_window, drawn):
    """Queue rows: elided in the middle, so its start and its end both show."""
    articles = [(LONG, "Talks go on.", []), ("Short one", "Quiet.", [])]
    w = make_main_window(make_project(tmp_path / "long.db", articles))
    w.resize(1200, 780)
    w.grab().save(str(tmp_path / "queue-long-titles.png"))
    shown = next(t for t in drawn(w.queue.list.viewport()) if t.startswith(LONG[:8]))
    head, _, tail = shown.partition("…")
    assert tail and LONG.startswith(head) and LONG.endswith(tail) and len(shown) < len(LONG)
    assert "Short one" in drawn(w.queue.list.viewport())
    tip = w.queue.model.index(0).data(Qt.ItemDataRole.ToolTipRole)
    assert html.escape(LONG) in tip and tip == plain_tooltip(f"{LONG}\nArticle 1 · pending, not decided yet (hollow dot)")


def test_the_end_of_the_queue_names_the_keys_as_bound(make_main_window, press):
    Settings().shortcuts = {"next_article": ["N"], "previous_article": []}
    w = make_main_window()
    _decide_all_but_one_skipped(w, press)
    assert w.status.currentMessage() == "no pending articles left; 1 skipped: walk to it with N, or choose Skipped in the queue"
