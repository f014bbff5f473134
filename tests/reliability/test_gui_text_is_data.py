"""Text is data in the window: metadata and label names (and messages quoting them) shown literally.

The GUI helpers' tests cover the article text, a flat metadata value and the
label chips; these cover nested metadata keys and values, label names in the
picker and entity tooltips, session annotator names, and the message boxes
that quote imported data (an import error names the offending label).
"""

from __future__ import annotations

import json

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QTextDocument  # noqa: E402
from PySide6.QtGui import Qt as GuiQt  # noqa: E402  (mightBeRichText lives in QtGui)
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from annotator.labels import make_labels  # noqa: E402
from annotator.store import AnnotationStore  # noqa: E402

pytestmark = pytest.mark.gui

MARKUP_LABELS = ["<b>BOLD</b>", "a & b", "<img src=x onerror=alert(1)>", "&amp;lt;", "<i>it</i>'s \"q\""]
META = {
    "<b>key</b>": {"<i>nested</i>": ["<script>alert(1)</script>", "&amp;", {"deep": "<a href='x'>link</a>"}]},
    "plain": "1 < 2 & 3 > 2",
}


@pytest.fixture
def window(qtbot, tmp_path):
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    from annotator_ui.main_window import MainWindow
    from annotator_ui.settings import Settings

    path = tmp_path / "markup.db"
    store = AnnotationStore.open(path, create=True, annotator="<b>ann</b>")
    try:
        store.add_labels(make_labels(MARKUP_LABELS))
        ids, _ = store.add_articles([{"text": "Ada Lovelace met <b>Charles</b> Babbage.", "title": "<h1>T</h1>", "meta": META}])
        source = store.source_id("model", "<b>model</b>", "<i>1</i>")
        store.save_suggestions(source, [(ids[0], [(0, 12, MARKUP_LABELS[0], 0.5), (17, 31, MARKUP_LABELS[2], None)], None)])
    finally:
        store.close()
    store = AnnotationStore.open(path, annotator="<b>ann</b>")
    w = MainWindow(store, settings=Settings(), worker_factory=None, show_summary=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.session_id is not None)
    yield w
    w.close()


def _rendered_as_rich_text(text: str, fmt) -> bool:
    return fmt == Qt.TextFormat.RichText or (fmt == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(text))


def _visible_text_of_html(markup: str) -> str:
    doc = QTextDocument()
    doc.setHtml(markup)
    return doc.toPlainText()


def test_nested_metadata_keys_and_values_are_shown_literally(window):
    meta = window.view._meta
    assert meta.textFormat() == Qt.TextFormat.PlainText
    shown = meta.text()
    for literal in ("<b>key</b>", "<i>nested</i>", "<script>alert(1)</script>", "&amp;", "<a href='x'>link</a>", "1 < 2 & 3 > 2"):
        assert literal in shown, f"{literal!r} not shown literally in {shown!r}"


def test_label_names_are_literal_in_the_picker(window, qtbot):
    window.controller.pick_label()
    picker = window.picker
    qtbot.waitUntil(picker.isVisible)
    assert picker.visible_names() == MARKUP_LABELS
    for i, name in enumerate(MARKUP_LABELS):
        assert picker.list.item(i).text().startswith(name)  # item views never interpret markup
    picker.close()


def test_entity_tooltips_show_label_source_and_annotator_literally(window):
    from annotator_ui.review_view import ArticleText

    for entity in window.view.entities():
        visible = _visible_text_of_html(ArticleText._tooltip(entity))
        assert entity.label in visible
        if entity.source:
            assert entity.source in visible  # "<b>model</b>@<i>1</i>"


def test_session_list_shows_annotator_names_literally(window):
    from annotator_ui.dialogs.sessions import SessionsDialog

    dialog = SessionsDialog(window.store.sessions(), window)
    names = [dialog.table.item(r, 2).text() for r in range(dialog.table.rowCount())]
    assert "<b>ann</b>" in names
    dialog.close()


def _capture_message_box(qtbot, trigger) -> tuple[str, object]:
    """Run ``trigger``, wait for the modal message box it opens, and return (text, text format)."""
    seen = {}

    def look():
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen["text"], seen["format"] = box.text(), box.textFormat()
            box.done(0)
        else:
            QTimer.singleShot(20, look)

    QTimer.singleShot(0, look)
    trigger()
    qtbot.waitUntil(lambda: "text" in seen, timeout=10_000)
    return seen["text"], seen["format"]


def test_an_import_error_quoting_a_label_is_shown_as_plain_text(window, qtbot, tmp_path, monkeypatch):
    """File → Import… of a line whose label is markup: the error dialog must not render it."""
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": "x y", "spans": [{"start": 0, "end": 1, "label": "<h1>HUGE</h1>"}]}) + "\n", "utf-8")
    monkeypatch.setattr("annotator_ui.main_window.QFileDialog.getOpenFileNames", lambda *a, **k: ([str(bad)], ""))

    def import_through_the_dialog():
        window.import_files()
        qtbot.waitUntil(lambda: window.import_dialog.preview is not None, timeout=10_000)
        # the dialog's problems are plain text (a read-only QPlainTextEdit) and name the label as it is
        assert "labels the project doesn't have: <h1>HUGE</h1>" in window.import_dialog.problems.toPlainText()
        window.import_dialog.import_button.click()

    text, fmt = _capture_message_box(qtbot, import_through_the_dialog)
    assert "<h1>HUGE</h1>" in text
    assert not _rendered_as_rich_text(text, fmt), f"the import error is rendered as HTML: {text!r}"


def test_a_project_path_with_markup_is_shown_as_plain_text(window, qtbot, tmp_path):
    """File → Open… of a file that is not a project, named with markup: the message shows the name."""
    odd = tmp_path / "<b>not a project.db"
    odd.write_text("hello", "utf-8")
    text, fmt = _capture_message_box(qtbot, lambda: window.open_path(odd))
    assert "<b>not a project.db" in text
    assert not _rendered_as_rich_text(text, fmt), f"the error is rendered as HTML: {text!r}"
