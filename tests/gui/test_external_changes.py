"""Changes made through another connection (another window, `annotator import` in a terminal) show without a key press."""

import pytest
from PySide6.QtCore import Qt

from annotator.labels import make_labels
from annotator.store import AnnotationStore

pytestmark = pytest.mark.gui

SHOWS_WITHIN_MS = 3000  # a poll every WATCH_MS, plus slack for a loaded test machine


def _long_project(make_project, path):
    """One article long enough to scroll, with an entity far down, and a queue long enough to scroll too."""
    lines = [f"Paragraph {n} says nothing of note." for n in range(120)]
    lines[80] = "Then Angela Merkel arrived in Berlin."
    text = "\n\n".join(lines)
    merkel, berlin = text.index("Angela Merkel"), text.index("Berlin")
    long = ("A long day", text, [(merkel, merkel + len("Angela Merkel"), "PERSON"), (berlin, berlin + 6, "GPE")])
    short = [(f"Brief {n}", f"Short article number {n} about nothing.", []) for n in range(60)]
    return make_project(path, [long, *short])


@pytest.fixture
def other():
    """open(path): a second connection to the project, as another window or process would have."""
    stores = []

    def open_(path):
        stores.append(AnnotationStore.open(path, annotator="someone else"))
        return stores[-1]

    yield open_
    for store in stores:
        store.close()


def test_another_connections_changes_show_without_a_key_press(make_main_window, make_project, tmp_path, qtbot, other):
    w = make_main_window(_long_project(make_project, tmp_path / "long.db"))
    merkel = next(e for e in w.view.entities() if e.label == "PERSON")
    w.view.focus_entity(merkel.id)  # scrolls the text down to it
    text_scroll = w.view.text_view.verticalScrollBar()
    queue_scroll = w.queue.list.verticalScrollBar()
    qtbot.waitUntil(lambda: text_scroll.value() > 0 and queue_scroll.maximum() > 0)
    queue_scroll.setValue(queue_scroll.maximum() // 2)
    scrolled_text, scrolled_queue = text_scroll.value(), queue_scroll.value()

    them = other(w.path)
    them.relabel_entity(merkel.id, "ORG")
    them.accept(2)
    them.add_labels(make_labels(["EVENT"], start=4))
    them.add_articles([{"text": "Fresh news from a terminal import."}, {"text": "And one more fresh article."}])

    qtbot.waitUntil(lambda: w.status.progress.text() == "accepted 1 · rejected 0 · skipped 0 · pending 62 of 63",
                    timeout=SHOWS_WITHIN_MS)
    qtbot.waitUntil(lambda: w.view.focused_entity().label == "ORG", timeout=SHOWS_WITHIN_MS)
    assert w.view.focused_entity().id == merkel.id  # focus kept
    assert text_scroll.value() == scrolled_text and queue_scroll.value() == scrolled_queue  # scroll kept
    assert "EVENT" in [label.name for label in w.controller.labels]
    ids = [w.queue.model.index(row).data(Qt.ItemDataRole.UserRole) for row in range(w.queue.model.rowCount())]
    assert 2 not in ids and ids[-2:] == [62, 63]  # accepted elsewhere: gone from Pending; the imports are queued
    assert w.queue.list.currentIndex().row() == 0  # the shown article is still the selected one


def _count_looks(window) -> list[None]:
    """A list that grows each time the window has looked at the project for outside changes."""
    looks = []
    window._watch_timer.timeout.connect(lambda: looks.append(None))  # runs after the window's own look
    return looks


def test_nothing_is_redrawn_while_in_transition(make_main_window, qtbot, other):
    """A decision on its way decides what shows next; a redraw in between would flash the old article."""
    w = make_main_window()
    shown = w.controller.article.id
    redraws = []
    update = w.view.update_entities
    w.view.update_entities = lambda entities: (redraws.append(entities), update(entities))
    w.controller.state = "transition"
    vladivostok = next(e for e in w.view.entities() if e.label == "ORG")
    other(w.path).relabel_entity(vladivostok.id, "GPE")
    looks = _count_looks(w)
    qtbot.waitUntil(lambda: bool(looks), timeout=SHOWS_WITHIN_MS)  # the watch looked after the change...
    assert w._seen_version != w.store.data_version()  # ... saw it, and left it for later
    assert redraws == [] and "GPE" not in [e.label for e in w.view.entities()]
    w.controller.state = "reviewing"  # the change was deferred, not lost
    qtbot.waitUntil(lambda: "GPE" in [e.label for e in w.view.entities()], timeout=SHOWS_WITHIN_MS)
    assert w.controller.article.id == shown


def test_own_writes_are_not_shown_twice(make_main_window, qtbot, press):
    """Our writer is another connection too: the poll sees its commits, but finds nothing to redraw."""
    w = make_main_window()
    press(w, Qt.Key.Key_Tab)
    press(w, Qt.Key.Key_2)  # relabel to ORG, shown through the write's Changes
    press(w, Qt.Key.Key_X)  # reject: the queue reloads through the write's Changes
    resets = []
    w.queue.model.modelReset.connect(lambda: resets.append(1))
    looks = _count_looks(w)
    qtbot.waitUntil(lambda: bool(looks) and w._seen_version == w.store.data_version(), timeout=SHOWS_WITHIN_MS)  # the poll looked
    assert resets == []


def test_an_empty_project_shows_its_first_article_once_another_process_imports(make_main_window, make_project, tmp_path, qtbot, other):
    w = make_main_window(make_project(tmp_path / "empty.db", []))
    assert w.controller.article is None
    other(w.path).add_articles([{"text": "The first article, imported from a terminal.", "title": "First"}])
    qtbot.waitUntil(lambda: w.controller.article is not None, timeout=SHOWS_WITHIN_MS)
    assert w.controller.article.title == "First" and w.queue.model.rowCount() == 1
