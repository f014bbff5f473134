"""A project this process cannot write opens read-only: the title and status bar say so, and a
decision is refused with one message, the project unchanged (issue 9, item 5a)."""

from __future__ import annotations

from annotator.model import Status

from tests.reliability._support import no_write_permission


def test_a_read_only_project_says_so_and_refuses_decisions(project, monkeypatch, press, stored, qtbot):
    from annotator.store import AnnotationStore
    from annotator_ui.main_window import MainWindow
    from annotator_ui.settings import Settings

    no_write_permission(monkeypatch, project)
    w = MainWindow(AnnotationStore.open(project, annotator="tester"), settings=Settings(), worker_factory=None, show_summary=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    # No review session can start: its refusal is the first message.
    message = f"{project}: the project is read-only here (no permission to write it); nothing was changed"
    qtbot.waitUntil(lambda: w.status.currentMessage() == message and not w.chrome_pending)
    assert w.windowTitle() == "news.db (read-only) — annotator"
    assert w.status.read_only.isVisible() and w.status.read_only.text() == "read-only: no permission to write it"
    first = w.controller.article.id
    w.status.clearMessage()
    press(w, "a")
    qtbot.waitUntil(lambda: w.status.currentMessage() == message)
    assert w.controller.state == "reviewing" and w.controller.article.id == first
    assert stored(project, first)[0] is Status.PENDING
    w.grab().save("/tmp/h1_read_only.png")


def test_a_writable_project_has_no_read_only_mark(make_main_window):
    w = make_main_window()
    assert "read-only" not in w.windowTitle()
    assert not w.status.read_only.isVisible()
