"""What Qt shows: a QTextDocument's highlights read back from its character formats, and a tooltip's text (GUI tests)."""

from __future__ import annotations

from PySide6.QtGui import Qt, QTextCursor, QTextDocument

from annotator_ui.highlight import ENTITY_ID


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


def highlights(doc: QTextDocument) -> dict[int, tuple[str, str]]:
    """Entity id -> (the text it covers, its background colour as #rrggbb), as the document shows them.

    The text is the document's own (a paragraph break reads as "\\n"), so this is what the
    reader sees, not what the project holds.
    """
    colours: dict[int, str] = {}
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            entity_id = fmt.property(ENTITY_ID)
            if entity_id is not None:
                colours.setdefault(entity_id, fmt.background().color().name())
            it += 1
        block = block.next()
    cursor = QTextCursor(doc)
    out = {}
    for entity_id, (first, end) in entity_ranges(doc).items():
        cursor.setPosition(first)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        out[entity_id] = (cursor.selectedText().replace("\u2029", "\n"), colours[entity_id])
    return out
