"""Edit → Patterns…: the project's patterns listed, added from a file (checked like the CLI's), removed."""

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from annotator.store import AnnotationStore
from annotator_ui.dialogs.patterns import PatternsDialog

pytestmark = pytest.mark.gui

MARKUP = "<b>bold</b> & <img src=x>"


def patterns_file(path, *lines):
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines), "utf-8")
    return path


def open_dialog(window, qtbot) -> PatternsDialog:
    edit = next(a for a in window.menuBar().actions() if a.text() == "&Edit").menu()
    next(a for a in edit.actions() if a.text() == "Patterns…").trigger()
    qtbot.waitUntil(lambda: isinstance(QApplication.activeWindow(), PatternsDialog))  # keys go to it now
    return QApplication.activeWindow()


def rows(dialog):
    return [tuple(dialog.table.item(r, c).text() for c in range(3)) for r in range(dialog.table.rowCount())]


def stored(path):
    store = AnnotationStore.open(path, readonly=True)
    try:
        return [(p.label, p.pattern, p.pattern_id) for p in store.patterns()]
    finally:
        store.close()


def test_add_list_and_remove_patterns_from_the_edit_menu(make_main_window, project, qtbot, tmp_path, monkeypatch):
    w = make_main_window(project)
    dialog = open_dialog(w, qtbot)
    assert rows(dialog) == []
    terms = patterns_file(tmp_path / "terms.jsonl", {"label": "ORG", "pattern": "Pacific Fleet"},
                          {"label": "ORG", "pattern": [{"lower": "kremlin"}], "id": "kremlin"},
                          {"label": "ORG", "pattern": "Pacific Fleet"})
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(terms), ""))
    qtbot.keyClick(dialog, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)  # &Add from file…
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=10000)
    assert rows(dialog) == [("ORG", '"Pacific Fleet"', ""), ("ORG", '[{"lower":"kremlin"}]', "kremlin")]
    assert dialog.message.text() == (f"added 2 patterns; 1 duplicate not stored again ({terms}:3); "
                                     "articles suggested from now on use them")
    assert stored(project) == [("ORG", "Pacific Fleet", None), ("ORG", [{"lower": "kremlin"}], "kremlin")]
    w.grab().save("/tmp/s14b_window.png")
    dialog.grab().save("/tmp/s14b_patterns_dialog.png")

    assert not dialog.remove_button.isEnabled()  # nothing selected yet
    dialog.table.setFocus()
    dialog.table.selectRow(0)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=5000)
    assert rows(dialog) == [("ORG", '[{"lower":"kremlin"}]', "kremlin")]
    assert dialog.message.text() == "removed 1 pattern; suggestions they made stay"
    assert stored(project) == [("ORG", [{"lower": "kremlin"}], "kremlin")]
    dialog.reject()


def test_a_bad_file_is_refused_whole_with_its_line_shown_as_plain_text(make_main_window, project, qtbot, tmp_path):
    w = make_main_window(project)
    dialog = open_dialog(w, qtbot)
    bad = patterns_file(tmp_path / "bad.jsonl", {"label": "ORG", "pattern": "Pacific Fleet"}, {"label": MARKUP, "pattern": "x"})
    dialog.add_file(bad)
    qtbot.waitUntil(lambda: "does not have" in dialog.message.text(), timeout=10000)
    assert dialog.message.text() == (f"1 pattern label the project does not have: '{MARKUP}' ({bad}:2) (the project has: "
                                     "PERSON, ORG, GPE, DATE); pass --add-labels to add it")
    assert dialog.message.textFormat() == Qt.TextFormat.PlainText
    assert rows(dialog) == [] and stored(project) == []

    dialog.add_labels.setChecked(True)  # the label would be added now, but the file's token pattern is refused
    patterns_file(bad, {"label": MARKUP, "pattern": "x"}, {"label": "ORG", "pattern": [{"lowerx": "a"}]})
    dialog.add_file(bad)
    qtbot.waitUntil(lambda: "Matcher" in dialog.message.text(), timeout=10000)
    assert dialog.message.text() == (f"{bad}:2: spaCy's Matcher refuses this token pattern "
                                     "(token 1, lowerx: extra inputs are not permitted)")
    assert rows(dialog) == [] and stored(project) == []
    assert [label.name for label in w.store.labels()] == ["PERSON", "ORG", "GPE", "DATE"]
    dialog.reject()
