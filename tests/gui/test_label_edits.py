"""Edit → Rename label… / Remove label…: the window's dialogs over the store's rename and remove."""

import pytest
from PySide6.QtWidgets import QInputDialog

from annotator.model import EntityState

pytestmark = pytest.mark.gui


def menu_action(window, text):
    edit = next(a for a in window.menuBar().actions() if a.text() == "&Edit").menu()
    return next(a for a in edit.actions() if a.text() == text)


def test_rename_from_the_edit_menu_relabels_what_is_shown(make_main_window, project, qtbot, monkeypatch, stored):
    w = make_main_window(project)
    asked = []
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a: (asked.append(a[3]) or "PERSON", True))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("PER", True))
    menu_action(w, "Rename label…").trigger()
    qtbot.waitUntil(lambda: [e.label for e in w.view.entities()][:2] == ["PER", "PER"], timeout=5000)
    assert asked == [["PERSON", "ORG", "GPE", "DATE"]]
    assert [label.name for label in w.store.labels()] == ["PER", "ORG", "GPE", "DATE"]
    qtbot.waitUntil(lambda: w.status.currentMessage() == "renamed PERSON to PER: 3 entities and 3 suggestions carried along")
    assert stored(project, 1)[1][0] == ("Kim Jong Un", "PER", EntityState.SUGGESTED)


def test_remove_asks_what_becomes_of_the_entities(make_main_window, project, qtbot, monkeypatch, stored):
    w = make_main_window(project)
    answers = iter([("DATE", True), ("Relabel them to ORG", True)])
    offered = []
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a: (offered.append(a[3]), next(answers))[1])
    menu_action(w, "Remove label…").trigger()
    qtbot.waitUntil(lambda: [e.label for e in w.view.entities()] == ["PERSON", "PERSON", "ORG", "ORG"], timeout=5000)
    assert offered[1] == ["Relabel them to PERSON", "Relabel them to ORG", "Relabel them to GPE", "Remove them"]
    assert [label.name for label in w.store.labels()] == ["PERSON", "ORG", "GPE"]
    qtbot.waitUntil(lambda: w.status.currentMessage() == "removed DATE: 1 entity relabelled ORG")
