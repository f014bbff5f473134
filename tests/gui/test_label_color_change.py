"""Right-click a label chip → Change colour…: stored with the project, shown at once, kept after reopening."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from annotator.store import AnnotationStore

pytestmark = pytest.mark.gui


def chip(w, name):
    return next(c for c in w.label_bar.chips() if c.label.name == name)


def test_change_colour_from_the_chip_menu_is_stored_and_shown(make_main_window, qtbot, settle, monkeypatch):
    w = make_main_window()
    asked = []
    monkeypatch.setattr(
        "annotator_ui.label_colors.QColorDialog.getColor",
        lambda initial, parent, title: asked.append((initial.name(), title)) or QColor("#123456"),
    )
    person = chip(w, "PERSON")
    assert person.contextMenuPolicy() == Qt.ContextMenuPolicy.ActionsContextMenu
    assert [a.text() for a in person.actions()] == ["Change colour…"]
    person.actions()[0].trigger()
    settle(w)
    assert asked == [(QColor(person.label.color).name(), "Colour of PERSON")]
    qtbot.waitUntil(lambda: chip(w, "PERSON").label.color == "#123456")
    assert w.view.label_color("PERSON") == QColor("#123456")  # the article's fills and tags too
    store = AnnotationStore.open(w.path)
    try:
        assert {label.name: label.color for label in store.labels()}["PERSON"] == "#123456"
    finally:
        store.close()


def test_cancelling_the_colour_dialog_changes_nothing(make_main_window, settle, monkeypatch):
    w = make_main_window()
    before = w.store.labels()
    monkeypatch.setattr("annotator_ui.label_colors.QColorDialog.getColor", lambda *args: QColor())  # Cancel: invalid
    chip(w, "ORG").actions()[0].trigger()
    settle(w)
    assert w.store.labels() == before
    assert not w.runner.in_flight


def test_in_a_read_only_project_the_change_is_refused_with_one_message(project, monkeypatch, settle, qtbot):
    import os
    from pathlib import Path

    from annotator import schema
    from annotator_ui.main_window import MainWindow
    from annotator_ui.settings import Settings

    real_access = os.access
    monkeypatch.setattr(schema.os, "access", lambda target, mode, *a, **k: False if mode & os.W_OK and Path(target).resolve() == project.resolve() else real_access(target, mode, *a, **k))
    w = MainWindow(AnnotationStore.open(project, annotator="tester"), settings=Settings(), worker_factory=None, show_summary=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    try:
        qtbot.waitUntil(lambda: "read-only" in w.status.currentMessage() and not w.chrome_pending)  # the session's refusal
        before = w.store.labels()
        monkeypatch.setattr("annotator_ui.label_colors.QColorDialog.getColor", lambda *args: QColor("#123456"))
        w.status.clearMessage()
        chip(w, "PERSON").actions()[0].trigger()
        qtbot.waitUntil(lambda: "read-only" in w.status.currentMessage())
        settle(w)
        assert w.status.currentMessage() == f"{project}: the project is read-only here (no permission to write it); nothing was changed"
        assert w.store.labels() == before
    finally:
        w.close()
