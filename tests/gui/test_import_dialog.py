"""File → Import… on a file with labels the project lacks asks to add them (the CLI says to pass --add-labels)."""

import json

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from annotator.store import AnnotationStore
from annotator_ui.messages import ask

pytestmark = pytest.mark.gui

TEXT = "Olaf Scholz spoke at the <b>Bundestag</b> today."


@pytest.fixture
def jsonl(tmp_path, monkeypatch):
    """A JSONL file with two unknown labels (one looks like markup), picked in the file dialog."""
    path = tmp_path / "new.jsonl"
    spans = [{"start": 0, "end": 11, "label": "POLITICIAN"}, {"start": 25, "end": 41, "label": "<b>PLACE</b>"}]
    path.write_text(json.dumps({"text": TEXT, "spans": spans}) + "\n", "utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(path)], ""))
    return path


@pytest.fixture
def answer(monkeypatch):
    """answer(yes): the import question is answered so; returns the questions asked."""
    asked = []

    def set_answer(yes: bool) -> list[str]:
        monkeypatch.setattr("annotator_ui.main_window.ask", lambda parent, title, text: asked.append(text) or yes)
        return asked

    return set_answer


def test_yes_adds_the_labels_and_imports(make_main_window, jsonl, answer, qtbot, accept_import):
    asked = answer(True)
    w = make_main_window()
    w.import_files()
    accept_import(w)
    # the counts and the queue follow the message, after the next paint
    qtbot.waitUntil(lambda: "imported 1 article" in w.status.currentMessage() and not w.chrome_pending, timeout=5000)
    assert asked == ["The file uses labels the project doesn't have: POLITICIAN, <b>PLACE</b>. Add them?"]
    assert [label.name for label in w.controller.labels][-2:] == ["POLITICIAN", "<b>PLACE</b>"]
    # the counts follow the article's next paint, after the "imported" message: wait for them
    qtbot.waitUntil(lambda: w.status.progress.text().endswith("pending 5 of 5"), timeout=5000)
    store = AnnotationStore.open(w.path)
    try:
        entities = store.entities(5)
    finally:
        store.close()
    assert [(TEXT[e.start:e.end], e.label) for e in entities] == [("Olaf Scholz", "POLITICIAN"), ("<b>Bundestag</b>", "<b>PLACE</b>")]


def test_no_leaves_the_project_as_it_was(make_main_window, jsonl, answer, qtbot, accept_import):
    asked = answer(False)
    w = make_main_window()
    labels, counts = w.store.labels(), w.store.counts()
    w.import_files()
    accept_import(w)
    qtbot.waitUntil(lambda: bool(asked), timeout=5000)
    # the answer is acted on as it is given: a "yes" would have started the second import by now
    assert w.store.labels() == labels and w.store.counts() == counts
    assert "imported" not in w.status.currentMessage()
    assert not [job for job in w._jobs if job.running]


def test_one_unknown_label_is_named_alone(make_main_window, jsonl, answer, qtbot, accept_import):
    jsonl.write_text(json.dumps({"text": TEXT, "spans": [{"start": 0, "end": 11, "label": "POLITICIAN"}]}) + "\n", "utf-8")
    asked = answer(False)
    w = make_main_window()
    w.import_files()
    accept_import(w)
    qtbot.waitUntil(lambda: bool(asked), timeout=5000)
    assert asked == ["The file uses a label the project doesn't have: POLITICIAN. Add it?"]


def test_other_bad_input_is_still_an_error(make_main_window, jsonl, answer, qtbot, monkeypatch, accept_import):
    jsonl.write_text('{"text": "fine"}\n{"text": \n', "utf-8")
    asked = answer(True)
    warnings = []
    monkeypatch.setattr("annotator_ui.main_window.warn", lambda parent, title, text: warnings.append(text))
    w = make_main_window()
    w.import_files()
    accept_import(w)
    qtbot.waitUntil(lambda: bool(warnings), timeout=5000)
    assert "new.jsonl:2: malformed JSON" in warnings[0] and asked == []


def test_the_question_is_plain_text_and_no_is_the_default(qtbot):
    seen = {}

    def look_then_decline():
        box = QApplication.activeModalWidget()
        seen.update(format=box.textFormat(), text=box.text(), default=box.defaultButton() is box.button(QMessageBox.StandardButton.No))
        box.button(QMessageBox.StandardButton.No).click()

    QTimer.singleShot(0, look_then_decline)
    assert ask(None, "Import", "Add <b>PLACE</b>?") is False
    assert seen == {"format": Qt.TextFormat.PlainText, "text": "Add <b>PLACE</b>?", "default": True}
