"""Model → Train now… and Model → Versions…: training in a background process (real, tiny runs),
its result, "Use it anyway", cancel, switching back, and automatic retraining."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from annotator.model import Status
from annotator.store import AnnotationStore
from annotator.suggest import load_pipeline, suggest_project
from training_fixtures import accepted_project, sentence, tiny_model

pytestmark = pytest.mark.gui
PROCESS_MS = 120_000  # a training process starts Python and spaCy: seconds, on a busy machine more


@pytest.fixture(scope="module")
def base_model(tmp_path_factory):
    return tiny_model(tmp_path_factory.mktemp("base") / "tiny", trained_on=[sentence(i) for i in range(3)])


def _swapped(record: dict) -> dict:
    return {**record, "spans": [{**s, "label": {"PERSON": "GPE", "GPE": "PERSON"}[s["label"]]} for s in record["spans"]]}


def _project(tmp_path, base_model, *, worse: bool = False, accepted: int = 12):
    """Accepted articles and four pending ones the base model suggested for. ``worse``: the articles trained on call people places
    and places people, while the held-out ones (every fifth) say what the model already predicts."""
    records = [sentence(i) for i in range(accepted)]
    if worse:
        records = [r if i % 5 == 4 else _swapped(r) for i, r in enumerate(records)]
    path = accepted_project(tmp_path, base_model, records, pending=[sentence(i, verb="drove") for i in range(4)])
    _stored(path, lambda store: suggest_project(store, load_pipeline(base_model)))  # what re-suggesting replaces
    return path


def _menu_action(window, menu: str, text: str):
    bar = window.menuBar()
    found = next(a.menu() for a in bar.actions() if a.text().replace("&", "") == menu)
    return next(a for a in found.actions() if a.text() == text)


def _stored(path, read):
    store = AnnotationStore.open(path)
    try:
        return read(store)
    finally:
        store.close()


def test_train_now_runs_in_the_background_and_shows_the_scores(make_main_window, base_model, tmp_path, qtbot, press):
    w = make_main_window(_project(tmp_path, base_model))
    first = w.controller.article.id
    _menu_action(w, "Model", "Train now…").trigger()
    assert w.training.busy
    qtbot.waitUntil(w.training.progress_dialog.isVisible, timeout=5000)
    dialog = w.training.progress_dialog  # neither blocks the window nor takes its keys when shown
    assert dialog.windowModality() == Qt.WindowModality.NonModal
    assert dialog.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    w.activateWindow()  # offscreen, which window is active after a show varies with the tests run before
    qtbot.waitUntil(w.isActiveWindow, timeout=5000)
    press(w, Qt.Key.Key_A)  # the window keeps working while the model trains
    assert w.store.article(first).status is Status.ACCEPTED
    qtbot.waitUntil(lambda: w.training.result_dialog is not None, timeout=PROCESS_MS)
    dialog = w.training.result_dialog
    assert dialog.summary.text().startswith("trained v1 on ")  # 13 accepted now: the one decided here too
    assert dialog.summary.text().splitlines()[0].endswith("now using v1")
    table = dialog.table.toPlainText().splitlines()
    assert table[0].split() == ["label", "v1", "P/R/F1", "base", "P/R/F1", "support"]
    assert sorted(line.split()[0] for line in table[1:]) == ["GPE", "PERSON", "all"]
    assert dialog.use_anyway is None
    qtbot.waitUntil(lambda: not w.training.busy, timeout=PROCESS_MS)
    assert w.model == str(tmp_path / "news.models" / "v1")  # the look-ahead's next articles come from it
    assert _stored(w.path, lambda s: s.setting("model_version")) == 1
    dialog.close()


def test_a_worse_version_can_be_used_anyway(make_main_window, base_model, tmp_path, qtbot):
    w = make_main_window(_project(tmp_path, base_model, worse=True))
    w.training.train_now()
    qtbot.waitUntil(lambda: w.training.result_dialog is not None, timeout=PROCESS_MS)
    dialog = w.training.result_dialog
    assert "kept v1 but still using base: F1 " in dialog.summary.text()
    assert w.model == base_model
    qtbot.waitUntil(lambda: not w.training.busy, timeout=PROCESS_MS)
    assert dialog.use_anyway.text() == "Use v1 anyway"
    dialog.use_anyway.click()
    qtbot.waitUntil(lambda: not w.training.busy and "re-suggested 4 pending articles" in w.status.currentMessage(),
                    timeout=PROCESS_MS)
    assert _stored(w.path, lambda s: s.setting("model_version")) == 1
    assert w.model == str(tmp_path / "news.models" / "v1")


def _training_under_way(w, qtbot, monkeypatch):
    """Model → Train now… with 500 epochs, once it has reported a first batch trained."""
    monkeypatch.setattr("annotator_ui.model_process.ModelProcess.train",
                        classmethod(lambda cls, project, parent=None: cls(["train", str(project), "--epochs", "500"], parent)))
    w.training.train_now()
    process = w.training.process
    seen = []
    process.progress.connect(lambda done, total, label: seen.append((label, done)))
    qtbot.waitUntil(lambda: ("Training", 8) in seen, timeout=PROCESS_MS)
    return process


def test_cancel_keeps_nothing(make_main_window, base_model, tmp_path, qtbot, monkeypatch):
    w = make_main_window(_project(tmp_path, base_model))
    _training_under_way(w, qtbot, monkeypatch)
    dialog = w.training.progress_dialog
    assert dialog.windowModality() == Qt.WindowModality.NonModal
    dialog.findChild(QPushButton).click()  # its Cancel
    qtbot.waitUntil(lambda: not w.training.busy, timeout=PROCESS_MS)
    assert w.status.currentMessage() == "training cancelled; no version was kept"
    assert _stored(w.path, lambda s: (s.model_versions(), s.setting("model_version"))) == ([], None)
    folder = tmp_path / "news.models"
    assert not folder.exists() or list(folder.iterdir()) == []


def test_versions_lists_and_switches_back(make_main_window, base_model, tmp_path, qtbot):
    path = _project(tmp_path, base_model)
    from annotator.training import train_project

    _stored(path, lambda s: train_project(s, epochs=1))
    w = make_main_window(path)
    _menu_action(w, "Model", "Versions…").trigger()
    from annotator_ui.dialogs.model_versions import VersionsDialog

    dialog = w.findChild(VersionsDialog)
    rows = [[dialog.table.item(r, c).text() for c in (0, 2, 3, 6)] for r in range(dialog.table.rowCount())]
    assert rows == [["base", "", "", ""], ["v1", "10", "2", "✓"]]
    dialog.table.selectRow(0)
    dialog.use.click()
    qtbot.waitUntil(lambda: not w.training.busy and "re-suggested" in w.status.currentMessage(), timeout=PROCESS_MS)
    assert _stored(path, lambda s: s.setting("model_version")) is None
    assert w.model == base_model


def test_the_project_retrains_itself_every_n_accepted_articles(make_main_window, base_model, tmp_path, qtbot, settle):
    w = make_main_window(_project(tmp_path, base_model, accepted=9))
    w.open_settings()
    from annotator_ui.dialogs.settings_dialog import SettingsDialog

    dialog = w.findChild(SettingsDialog)
    assert dialog.retrain_every.text() == "off"
    dialog.retrain_every.setValue(2)
    dialog.accept()
    qtbot.waitUntil(lambda: w.store.setting("retrain_every") == 2, timeout=5000)
    w.actions_by_id["accept"].trigger()  # not a key: the closed dialog may leave the window inactive
    settle(w)  # 10 accepted: enough to train, and more than 2 since no version
    qtbot.waitUntil(lambda: w.training.busy, timeout=5000)
    qtbot.waitUntil(lambda: not w.training.busy, timeout=PROCESS_MS)
    assert [v.accepted for v in w.store.model_versions()] == [10]
    w.actions_by_id["accept"].trigger()
    settle(w)  # 11: one since v1, not two
    assert w.store.counts()["accepted"] == 11 and not w.training.busy


def test_closing_the_window_stops_a_training_and_keeps_nothing(make_main_window, base_model, tmp_path, qtbot, monkeypatch):
    w = make_main_window(_project(tmp_path, base_model))
    process = _training_under_way(w, qtbot, monkeypatch)
    w.close()
    assert not process.running
    assert _stored(w.path, lambda s: (s.model_versions(), s.setting("model_version"))) == ([], None)
    folder = tmp_path / "news.models"
    assert not folder.exists() or list(folder.iterdir()) == []
