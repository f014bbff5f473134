"""The window when its project file is lost (issue 9, item 3) or damaged in one article (item 6)."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt

from annotator import schema
from annotator.model import Status
from tests.reliability._support import damaged_project, integrity


@pytest.fixture(autouse=True)
def _close_without_a_copy(monkeypatch):
    """A window whose file was lost asks before closing (modal): answer yes, so that a failing
    test's teardown closes its window instead of waiting on the question forever."""
    monkeypatch.setattr("annotator_ui.main_window.ask", lambda parent, title, text: True)


def _lose_and_accept(window, qtbot, lose):
    qtbot.keyClick(window, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: window.controller.article.id == 2 and not window.runner.in_flight)
    lose()
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: window._lost_box is not None)
    qtbot.waitUntil(lambda: window.controller.state == "reviewing" and not window.runner.in_flight)


def _save_copy(window, qtbot, monkeypatch, destination, stored):
    monkeypatch.setattr("annotator_ui.main_window.QFileDialog.getSaveFileName", lambda *a, **k: (str(destination), ""))
    qtbot.mouseClick(window.status.file_lost, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(destination.exists)
    assert integrity(destination) == "ok"
    assert stored(destination, 1)[0].value == "accepted"  # the decision made before the loss
    assert stored(destination, 2)[0].value == "pending"  # the one refused after it


def test_a_deleted_project_stops_saving_says_so_and_saves_a_copy(make_main_window, project, qtbot, monkeypatch, stored, tmp_path):
    window = make_main_window(project)
    _lose_and_accept(window, qtbot, project.unlink)
    assert "deleted by another program while open" in window._lost_box.text()
    assert "Everything you did until now is still held in memory" in window._lost_box.text()
    assert window.status.currentMessage() == f"not saved: {project} was deleted by another program while open"
    assert window.status.file_lost.isVisible()
    assert window.controller.article.id == 2  # the refused decision did not move on
    window._lost_box.close()
    window.runner._run_checkpoint()  # what the idle timer runs: it recreated the file as 0 bytes
    assert not project.exists()
    _save_copy(window, qtbot, monkeypatch, tmp_path / "rescued.db", stored)
    window.close()
    assert not project.exists()


def test_a_project_moved_over_stops_saving_and_the_other_is_not_damaged(make_main_window, make_project, project, qtbot, monkeypatch, stored, tmp_path):
    other = make_project(tmp_path / "other.db", articles=[("Other", "Another project entirely.", [])])
    window = make_main_window(project)
    _lose_and_accept(window, qtbot, lambda: os.replace(other, project))
    assert "replaced by another file" in window._lost_box.text()
    window._lost_box.close()
    _save_copy(window, qtbot, monkeypatch, tmp_path / "rescued.db", stored)
    window.close()
    assert integrity(project) == "ok"
    assert stored(project, 1) == (Status.PENDING, []) and not project.with_name("news.db-wal").exists()


def test_the_window_checks_the_file_when_it_becomes_active_again(make_main_window, project, qtbot, monkeypatch):
    window = make_main_window(project)
    window._watch_timer.stop()  # only the focus check may find it
    project.unlink()
    window._on_application_state(Qt.ApplicationState.ApplicationActive)
    assert window.file_lost == "deleted" and window._lost_box is not None
    window._lost_box.close()
    questions = []
    monkeypatch.setattr("annotator_ui.main_window.ask", lambda parent, title, text: questions.append(text) or not len(questions) == 1)
    assert not window.close()  # asked before what the window holds is let go: the first answer keeps it open
    assert window.isVisible() and "Close without saving a copy?" in questions[0]
    assert window.close() and len(questions) == 2


# ------------------------------------------------------------- item 6: one damaged article
def test_a_damaged_article_is_reported_skipped_and_review_goes_on(make_main_window, tmp_path, qtbot, monkeypatch, settle):
    monkeypatch.setattr(schema, "FULL_CHECK_BYTES", 0)  # as if the project were over 64 MB
    path = damaged_project(tmp_path / "damaged.db")
    window = make_main_window(path)
    assert window.controller.article.id == 1
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    settle(window)
    assert window.controller.article.id == 3 and window.controller.state == "reviewing"
    assert window.status.currentMessage() == "article 2 skipped: database disk image is malformed"
    assert window.status.check.isVisible()
    qtbot.keyClick(window.view, Qt.Key.Key_J)
    settle(window)
    assert window.controller.article.id == 4
    qtbot.keyClick(window.view, Qt.Key.Key_K)  # back over the damaged one too
    settle(window)
    assert window.controller.article.id == 3
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    settle(window)
    assert window.store.article(3).status.value == "accepted"

    warnings = []
    monkeypatch.setattr("annotator_ui.main_window.warn", lambda parent, title, text: warnings.append(text))
    qtbot.mouseClick(window.status.check, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(warnings))
    assert "integrity check found" in warnings[0]
    assert "damaged" in window.status.currentMessage()


def test_the_window_notices_a_deleted_file_on_its_watch_tick(make_main_window, project, qtbot):
    window = make_main_window(project)
    project.unlink()
    qtbot.waitUntil(lambda: window.file_lost == "deleted")  # no key pressed, no focus change
    assert window._lost_box is not None and not project.exists()
    window._lost_box.close()
