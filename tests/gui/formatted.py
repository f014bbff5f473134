"""What Qt shows: a QTextDocument's highlights read back from its character formats, and a tooltip's text (GUI tests)."""

from __future__ import annotations

from PySide6.QtGui import Qt, QTextDocument

from ui.highlight import ENTITY_ID


def fragments(doc: QTextDocument) -> list[tuple[int, int, int | None]]:
    """(position, length, entity id) of every run of equally formatted characters, in Qt units."""
    out = []
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            out.append((frag.position(), frag.length(), frag.charFormat().property(ENTITY_ID)))
            it += 1
        block = block.next()
    return out


def entity_ranges(doc: QTextDocument) -> dict[int, tuple[int, int]]:
    """Entity id -> (first, end) Qt position of the characters formatted with it."""
    ranges: dict[int, tuple[int, int]] = {}
    for position, length, entity_id in fragments(doc):
        if entity_id is not None:
            first, _ = ranges.get(entity_id, (position, 0))
            ranges[entity_id] = (first, position + length)
    return ranges


def shown_tooltip(tip: str) -> tuple[str, str]:
    """(the text a tooltip shows, its document as HTML): Qt renders it as rich text when
    ``Qt.mightBeRichText`` says so (QtGui's), else shows it as it is."""
    doc = QTextDocument()
    if Qt.mightBeRichText(tip):
        doc.setHtml(tip)
    else:
        doc.setPlainText(tip)
    return doc.toPlainText(), doc.toHtml()
