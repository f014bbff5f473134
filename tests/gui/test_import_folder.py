"""File → Import a folder… and the Import dialog's Folder… button: a brat corpus (a folder of .txt/.ann
pairs) gets the same preview, problems and import as files do."""

import pytest
from PySide6.QtWidgets import QFileDialog

from annotator.store import AnnotationStore

pytestmark = pytest.mark.gui

TEXTS = {"a": "Angela Merkel met Emmanuel Macron in Paris.", "b": "The United Nations met in Geneva."}


def _brat(folder, relation=False):
    folder.mkdir()
    (folder / "a.txt").write_text(TEXTS["a"], "utf-8")
    (folder / "a.ann").write_text("T1\tPERSON 0 13\tAngela Merkel\nT2\tGPE 37 42\tParis\n"
                                  + ("R1\tmet Arg1:T1 Arg2:T2\n" if relation else ""), "utf-8")
    (folder / "b.txt").write_text(TEXTS["b"], "utf-8")
    (folder / "b.ann").write_text("T1\tORG 4 18\tUnited Nations\n", "utf-8")
    return folder


def _spans(path):
    store = AnnotationStore.open(path)
    try:
        found = {}
        for article_id, text in store.without_tokens(0, 100) + [(i, store.article(i).text) for i in range(1, store.article_count() + 1)]:
            found[text] = [(text[e.start:e.end], e.label) for e in store.entities(article_id)]
        return found
    finally:
        store.close()


def _preview_read(qtbot, window):
    qtbot.waitUntil(lambda: getattr(window, "import_dialog", None) is not None and window.import_dialog.preview is not None,
                    timeout=10000)
    return window.import_dialog


def test_import_a_folder_reads_a_brat_corpus(make_main_window, qtbot, tmp_path, monkeypatch):
    corpus = _brat(tmp_path / "corpus")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(corpus))
    w = make_main_window()
    w.import_folder()
    dialog = _preview_read(qtbot, w)
    assert dialog.inputs.text() == "corpus/"
    assert dialog.detected.text() == "corpus: brat"
    assert dialog.records.toPlainText().splitlines() == [
        f"corpus: {TEXTS['a']!r}: 2 spans (PERSON, GPE)", f"corpus: {TEXTS['b']!r}: 1 span (ORG)"]
    dialog.add_labels.setChecked(True)
    dialog.import_button.click()
    qtbot.waitUntil(lambda: "imported 2 articles" in w.status.currentMessage(), timeout=10000)
    spans = _spans(w.path)
    assert spans[TEXTS["a"]] == [("Angela Merkel", "PERSON"), ("Paris", "GPE")]
    assert spans[TEXTS["b"]] == [("United Nations", "ORG")]


def test_the_import_dialog_can_switch_from_files_to_a_folder(make_main_window, qtbot, tmp_path, monkeypatch):
    single = tmp_path / "one.txt"
    single.write_text("Just one article.", "utf-8")
    corpus = _brat(tmp_path / "corpus", relation=True)
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(single)], ""))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(corpus))
    w = make_main_window()
    before = w.store.article_count()
    w.import_files()
    dialog = _preview_read(qtbot, w)
    assert dialog.detected.text() == "one.txt: plain text"
    dialog.choose_folder.click()
    qtbot.waitUntil(lambda: dialog.preview is not None and dialog.detected.text() == "corpus: brat", timeout=10000)
    assert dialog.paths == [str(corpus)]
    assert "relation line (R) not understood" in dialog.problems.toPlainText()
    assert not dialog.import_button.isEnabled()  # unknown content needs a rule first, as for files
    dialog.ignore_unknown.setChecked(True)
    dialog.add_labels.setChecked(True)
    assert dialog.import_button.isEnabled()
    dialog.import_button.click()
    qtbot.waitUntil(lambda: "imported 2 articles" in w.status.currentMessage(), timeout=10000)
    assert w.store.article_count() == before + 2
    assert "Just one article." not in _spans(w.path)


def test_choosing_no_folder_keeps_the_inputs(make_main_window, qtbot, tmp_path, monkeypatch):
    single = tmp_path / "one.txt"
    single.write_text("Just one article.", "utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(single)], ""))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: "")
    w = make_main_window()
    w.import_files()
    dialog = _preview_read(qtbot, w)
    dialog.choose_folder.click()
    assert dialog.paths == [str(single)] and dialog.preview is not None
    dialog.reject()
