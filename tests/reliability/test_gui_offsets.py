"""Import, view mapping and export against each other, for any text the core accepts.

The GUI helpers' property tests use a small alphabet; this one feeds the
reliability suite's wider one (Unicode line and paragraph separators, vertical
tab, form feed, NEL, BOM, combining marks, ZWJ sequences, arbitrary code
points) through JSONL import, the window's own offset map on a real
QTextDocument, and JSONL export.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from hypothesis import assume, example, given  # noqa: E402
from PySide6.QtGui import QTextCursor, QTextDocument  # noqa: E402

from annotator.characters import is_blank  # noqa: E402
from annotator.exporting import export_jsonl  # noqa: E402
from annotator.importing import import_files  # noqa: E402
from annotator.labels import make_labels  # noqa: E402
from annotator.store import AnnotationStore  # noqa: E402

from .test_properties import SETTINGS, text_and_spans  # noqa: E402

pytestmark = pytest.mark.gui

_SEPARATORS = {"\r\n": "\n", "\r": "\n", "\u2028": "\n", "\u2029": "\n"}


def _as_document_shows(text: str) -> str:
    for a, b in _SEPARATORS.items():
        text = text.replace(a, b)
    return text


def _selected(doc: QTextDocument, start: int, end: int) -> str:
    cursor = QTextCursor(doc)
    cursor.setPosition(start)
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    return _as_document_shows(cursor.selectedText())


@SETTINGS
@given(article=text_and_spans(min_spans=1, on_tokens=True))
@example(article=("\ufeffAda Lovelace met Babbage.", [(0, 13)]))  # Qt drops a leading U+FEFF (here inside the first token)
@example(article=("Ada\r\n\u2028Lovelace 😀\x85x", [(0, 3), (6, 14), (15, 16)]))
def test_import_view_and_export_agree(qapp, article):
    from annotator_ui.highlight import OffsetMap

    text, spans = article
    assume(not is_blank(text))  # a text with nothing visible is refused at import
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.jsonl"
        record = {"text": text, "spans": [{"start": s, "end": e, "label": "PERSON"} for s, e in spans]}
        source.write_bytes((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
        store = AnnotationStore.memory()
        try:
            store.add_labels(make_labels(["PERSON"]))
            import_files(store, [source], spans_as="annotations")
            (article_id,) = [a.id for a, _, _ in store.iter_articles()]
            stored = store.article(article_id).text
            entities = store.entities(article_id)
            store.accept(article_id)
            export_jsonl(store, Path(tmp) / "out.jsonl")
            task = json.loads((Path(tmp) / "out.jsonl").read_bytes())
        finally:
            store.close()

    assert stored == text and task["text"] == text
    doc = QTextDocument()
    doc.setPlainText(stored)
    offsets = OffsetMap(stored)
    assert offsets.qt_length == doc.characterCount() - 1
    exported = [(s["start"], s["end"]) for s in task["spans"]]
    assert exported == [(e.start, e.end) for e in entities] == spans
    for entity in entities:
        shown = _selected(doc, offsets.to_qt(entity.start), offsets.to_qt(entity.end))
        piece = stored[entity.start:entity.end]
        if entity.start > 0 and stored[entity.start - 1 : entity.start + 1] == "\r\n":
            piece = piece[1:]  # the "\n" of a "\r\n" pair has no place of its own in the document
        if entity.start == 0 and piece.startswith("\ufeff"):
            piece = piece[1:]  # nor has a leading U+FEFF, which setPlainText drops
        assert shown == _as_document_shows(piece), (entity, stored)
