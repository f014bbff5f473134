"""File → Import… and File → Export…: the format, a preview of the first records and the problems, cancellable work."""

import json
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QPushButton

from annotator.store import AnnotationStore
from tests.reliability._support import dump

pytestmark = pytest.mark.gui

TEXT = "Angela Merkel visited Paris on Monday."


@pytest.fixture
def picked(tmp_path, monkeypatch):
    """picked(name, lines): a file of these JSON lines, chosen in File → Import…'s file dialog."""

    def pick(name: str, lines: list[dict]):
        path = tmp_path / name
        path.write_text("".join(json.dumps(line) + "\n" for line in lines), "utf-8")
        monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(path)], ""))
        return path

    return pick


def _previewed(window, qtbot):
    window.import_files()
    dialog = window.import_dialog
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=5000)
    return dialog


def _spans(path, article_id):
    store = AnnotationStore.open(path)
    try:
        text = store.article(article_id).text
        return [(text[e.start:e.end], e.label, e.state.value) for e in store.entities(article_id)]
    finally:
        store.close()


def test_a_doccano_file_is_recognised_previewed_and_its_spans_imported(make_main_window, picked, qtbot):
    picked("people.jsonl", [{"text": TEXT, "label": [[0, 13, "PERSON"], [22, 27, "GPE"]]}])
    w = make_main_window()
    dialog = _previewed(w, qtbot)
    assert dialog.detected.text() == "people.jsonl: doccano"
    assert dialog.records.toPlainText() == f"people.jsonl: {TEXT!r}: 2 spans (PERSON, GPE)"
    assert dialog.problems.toPlainText() == "none in the first records"
    dialog.spans_as.setCurrentText("annotations")
    dialog.import_button.click()
    qtbot.waitUntil(lambda: "imported 1 article" in w.status.currentMessage(), timeout=5000)
    assert _spans(w.path, 5) == [("Angela Merkel", "PERSON", "confirmed"), ("Paris", "GPE", "confirmed")]


def test_unknown_keys_are_shown_and_refuse_the_import_until_ignored(make_main_window, picked, qtbot):
    path = picked("tasks.jsonl", [{"text": TEXT, "spans": [{"start": 0, "end": 13, "label": "PERSON"}], "relations": []}])
    w = make_main_window()
    before = dump(w.path)
    dialog = _previewed(w, qtbot)
    assert dialog.detected.text() == "tasks.jsonl: jsonl"
    assert dialog.problems.toPlainText() == f'{path}:1: key "relations" not understood'
    assert not dialog.import_button.isEnabled()
    assert dump(w.path) == before
    dialog.ignore_unknown.setChecked(True)
    assert dialog.import_button.isEnabled()
    dialog.import_button.click()
    qtbot.waitUntil(lambda: "imported 1 article" in w.status.currentMessage(), timeout=5000)
    assert 'ignored: ' in w.status.currentMessage() and 'key "relations"' in w.status.currentMessage()
    assert _spans(w.path, 5) == [("Angela Merkel", "PERSON", "suggested")]


def test_the_preview_names_unknown_labels_and_spans_off_token_boundaries(make_main_window, picked, qtbot):
    path = picked("bad.jsonl", [{"text": "The E.U.-backed plan", "label": [[4, 8, "BLOC"]]}])
    dialog = _previewed(make_main_window(), qtbot)
    assert dialog.problems.toPlainText() == (
        f"{path}:1: 'E.U.' at 4-8 is not on token boundaries\nlabels the project doesn't have: BLOC"
    )


def _wait_for(cancelled, seconds: float = 10.0) -> None:
    """Hold a job's thread until it is cancelled (at most ``seconds``: a test that never cancels fails, not hangs)."""
    tick = threading.Event()
    for _ in range(int(seconds * 100)):
        if cancelled():
            return
        tick.wait(0.01)


def _cancel_progress(window, qtbot) -> None:
    """Click Cancel on the job's progress dialog once it shows."""
    qtbot.waitUntil(lambda: window._progress.isVisible(), timeout=5000)
    [button] = [b for b in window._progress.findChildren(QPushButton) if b.text() == "Cancel"]
    button.click()


def test_a_cancelled_import_changes_nothing(make_main_window, picked, qtbot, monkeypatch):
    picked("people.jsonl", [{"text": TEXT, "label": [[0, 13, "PERSON"]]}])
    import annotator.importing as importing

    real = importing.check_cancel

    def held(should_cancel, what):
        # the import has added its article (in its transaction) and waits here until cancelled
        _wait_for(should_cancel)
        real(should_cancel, what)

    monkeypatch.setattr(importing, "check_cancel", held)
    w = make_main_window()
    before = dump(w.path)
    dialog = _previewed(w, qtbot)
    dialog.import_button.click()
    _cancel_progress(w, qtbot)
    qtbot.waitUntil(lambda: w.status.currentMessage() == "import cancelled; the project is unchanged", timeout=5000)
    qtbot.waitUntil(lambda: not [job for job in w._jobs if job.running], timeout=5000)
    assert dump(w.path) == before


def _export(window, qtbot, form, out, *, no_tokens=False):
    window.export_files()
    dialog = window.export_dialog
    dialog.no_tokens.setChecked(no_tokens)
    dialog.target.setText(str(out))
    dialog.set_format(form)  # the preview is written under the target's name
    qtbot.waitUntil(lambda: dialog.preview.toPlainText().startswith("=="), timeout=10000)
    preview = dialog.preview.toPlainText()
    dialog.export_button.click()
    qtbot.waitUntil(lambda: f"exported 1 articles to {out}" == window.status.currentMessage(), timeout=10000)
    return preview


CONLL = (
    "-DOCSTART- -X- -X- O\n\nKim B-PERSON\nJong I-PERSON\nUn I-PERSON\nmet O\nVladimir B-PERSON\nPutin I-PERSON\n"
    "in O\nVladivostok B-ORG\non O\nWednesday B-DATE\n. O\n\n"
)


def test_export_to_conll_writes_the_accepted_article(make_main_window, tmp_path, qtbot, press):
    w = make_main_window()
    press(w, Qt.Key.Key_A)
    out = tmp_path / "train.conll"
    preview = _export(w, qtbot, "conll", out)
    assert out.read_text("utf-8") == CONLL
    assert preview == "== train.conll ==\n" + CONLL


def test_export_to_doccano_writes_the_accepted_article(make_main_window, tmp_path, qtbot, press):
    w = make_main_window()
    press(w, Qt.Key.Key_A)
    out = tmp_path / "out.jsonl"
    _export(w, qtbot, "doccano", out)
    assert [json.loads(line) for line in out.read_text("utf-8").splitlines()] == [{
        "text": "Kim Jong Un met Vladimir Putin in Vladivostok on Wednesday.",
        "label": [[0, 11, "PERSON"], [16, 30, "PERSON"], [34, 45, "ORG"], [49, 58, "DATE"]],
        "title": "Summit in the east", "source": "test",
    }]


def test_export_to_jsonl_without_tokens(make_main_window, tmp_path, qtbot, press):
    """--no-tokens from the window: the same spans, no tokens and no token indices (issue 11)."""
    w = make_main_window()
    press(w, Qt.Key.Key_A)
    out = tmp_path / "plain.jsonl"
    preview = _export(w, qtbot, "jsonl", out, no_tokens=True)
    (task,) = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert "tokens" not in task and '"tokens"' not in preview
    assert task["spans"] == [
        {"start": 0, "end": 11, "label": "PERSON"}, {"start": 16, "end": 30, "label": "PERSON"},
        {"start": 34, "end": 45, "label": "ORG"}, {"start": 49, "end": 58, "label": "DATE"},
    ]


def test_export_to_brat_writes_a_folder(make_main_window, tmp_path, qtbot, press):
    w = make_main_window()
    press(w, Qt.Key.Key_A)
    out = tmp_path / "brat"
    _export(w, qtbot, "brat", out)
    name = "000001-summit-in-the-east"  # the first words of the title
    assert sorted(p.name for p in out.iterdir()) == [f"{name}.ann", f"{name}.txt", "annotation.conf"]
    assert (out / f"{name}.txt").read_text("utf-8") == "Kim Jong Un met Vladimir Putin in Vladivostok on Wednesday."
    assert (out / f"{name}.ann").read_text("utf-8") == (
        "T1\tPERSON 0 11\tKim Jong Un\nT2\tPERSON 16 30\tVladimir Putin\nT3\tORG 34 45\tVladivostok\nT4\tDATE 49 58\tWednesday\n"
    )


def test_the_export_target_follows_the_format(make_main_window, qtbot):
    w = make_main_window()
    w.export_files()
    dialog = w.export_dialog
    assert dialog.target.text() == str(w.path.with_suffix(".jsonl"))
    dialog.set_format("spacy")
    assert dialog.target.text() == str(w.path.with_suffix(".spacy"))
    dialog.set_format("brat")
    assert dialog.target.text() == str(w.path.with_suffix(""))
    dialog.set_format("conll")
    assert dialog.target.text() == str(w.path.with_suffix(".conll"))
    assert dialog.scheme.isEnabled() and not dialog.dev_fraction.isEnabled()
    # each change started a preview job and abandoned the one before; they close their projects when done
    qtbot.waitUntil(lambda: not [t for t in threading.enumerate() if t.name == "annotator-job"], timeout=10000)


def test_a_cancelled_export_leaves_no_file(make_main_window, tmp_path, qtbot, press, monkeypatch):
    from annotator.formats import WriteOptions
    from annotator.progress import check_cancel

    def held(options, count):
        # the writer has written its first article (to its temporary file) and waits here until cancelled
        _wait_for(options.should_cancel)
        check_cancel(options.should_cancel, "export")

    monkeypatch.setattr(WriteOptions, "progress", held)
    w = make_main_window()
    press(w, Qt.Key.Key_A)
    out = tmp_path / "exports" / "train.conll"
    out.parent.mkdir()
    w.export_files()
    dialog = w.export_dialog
    dialog.target.setText(str(out))
    dialog.set_format("conll")
    dialog.export_button.click()
    _cancel_progress(w, qtbot)
    qtbot.waitUntil(lambda: w.status.currentMessage() == "export cancelled; nothing was written", timeout=5000)
    qtbot.waitUntil(lambda: not [job for job in w._jobs if job.running], timeout=5000)
    assert list(out.parent.iterdir()) == []
