"""Code points <-> Qt positions, and entity formats on the document."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QTextCursor, QTextDocument, QTextFormat

from annotator.model import Entity, EntityState
from annotator.offsets import index_to_utf16, utf16_prefix, utf16_to_index
from formatted import fragments
from annotator_ui.highlight import Highlighter, OffsetMap, SpanIndex, Span

pytestmark = pytest.mark.gui

PIECES = ["a", "b", "Kim", " ", "\n", "\r", "\r\n", "😀", "𝔘", "中", "文", "é", "\u00a0"]
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


def normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def document_text(doc: QTextDocument, start: int, end: int) -> str:
    cursor = QTextCursor(doc)
    cursor.setPosition(start)
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    return cursor.selectedText().replace("\u2029", "\n")


def expected_text(text: str, start: int, end: int) -> str:
    """The slice as the document shows it. A span starting between "\\r" and "\\n"
    cannot show that "\\n": the pair is one separator and belongs to the "\\r"."""
    piece = normalise(text[start:end])
    if 0 < start < len(text) and text[start - 1 : start + 1] == "\r\n":
        piece = piece[1:]
    return piece


def highlighted(doc: QTextDocument, entity_id: int) -> str:
    """The document characters carrying ``entity_id``, line breaks between them included."""
    runs = [(pos, n) for pos, n, eid in fragments(doc) if eid == entity_id]
    if not runs:
        return ""
    for (p, n), (q, _) in zip(runs, runs[1:]):
        assert set(document_text(doc, p + n, q)) <= {"\n"}, "gap in the highlight"
    return document_text(doc, runs[0][0], runs[-1][0] + runs[-1][1])


def entity(i, start, end, label="PERSON", state=EntityState.CONFIRMED):
    return Entity(i, 1, start, end, label, state)


# ---------------------------------------------------------------- offset map
@given(texts)
def test_offset_map_agrees_with_core_utf16_without_carriage_returns(text):
    text = text.replace("\r", "")
    offsets = OffsetMap(text)
    assert [offsets.to_qt(i) for i in range(len(text) + 1)] == utf16_prefix(text)
    for i in range(len(text) + 1):
        assert offsets.to_qt(i) == index_to_utf16(text, i)
        assert offsets.to_index(offsets.to_qt(i)) == i == utf16_to_index(text, index_to_utf16(text, i))


@settings(max_examples=300, deadline=None)
@given(texts, st.data())
def test_document_range_is_the_original_slice(qapp, text, data):
    doc = QTextDocument()
    doc.setPlainText(text)
    offsets = OffsetMap(text)
    assert offsets.qt_length == doc.characterCount() - 1
    assert doc.toPlainText() == normalise(text).replace("\u00a0", " ")
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert document_text(doc, offsets.to_qt(start), offsets.to_qt(end)) == expected_text(text, start, end)


@given(texts)
def test_to_index_round_trips_every_position(text):
    offsets = OffsetMap(text)
    for i in range(len(text) + 1):
        back = offsets.to_index(offsets.to_qt(i))
        # only the "\n" of a "\r\n" pair has no position of its own: it maps past the pair
        assert back == i or (text[i - 1 : i + 1] == "\r\n" and back == i + 1)


@pytest.mark.parametrize(
    "text, word",
    [
        ("Peace talks in 𝔘kraine 😀 with Kim today", "Kim"),
        ("😀😀 emoji 𝔘𝔫𝔦𝔬𝔫 then Kim", "𝔘𝔫𝔦𝔬𝔫"),
        ("北京 和 东京 的 金正恩 会面", "金正恩"),
        ("line one\r\nline two\r\nKim Jong Un\r\n", "Kim Jong Un"),
        ("old mac\rlines\rKim\rend", "Kim"),
        ("mixed\r\n\r😀\nKim\r\n 𝔘 end", "𝔘"),
        ("across\r\nlines here", "across\r\nlines"),
        ("mac\racross", "mac\racross"),
    ],
)
def test_highlighted_characters_are_the_entity_text(qapp, text, word):
    start = text.index(word)
    doc = QTextDocument()
    highlighter = Highlighter(doc)
    highlighter.set_text(text, [entity(5, start, start + len(word))])
    assert highlighted(doc, 5) == normalise(word)


@settings(max_examples=200, deadline=None)
@given(texts, st.data())
def test_formats_cover_exactly_the_entities(qapp, text, data):
    cuts = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=8, unique=True)))
    spans = [(a, b) for a, b in zip(cuts[::2], cuts[1::2]) if a < b]
    doc = QTextDocument()
    highlighter = Highlighter(doc)
    entities = [entity(i + 1, a, b) for i, (a, b) in enumerate(spans)]
    highlighter.set_text(text, entities)
    for e in entities:
        inside = [(pos, n) for pos, n, eid in fragments(doc) if eid == e.id]
        a, b = highlighter.map.to_qt(e.start), highlighter.map.to_qt(e.end)
        assert all(a <= pos and pos + n <= b for pos, n in inside)
        assert sum(n for _, n in inside) == (b - a) - document_text(doc, a, b).count("\n")


# ---------------------------------------------------------------- updates
def test_update_touches_only_changed_entities(qapp):
    text = "Kim met Putin in Moscow and Peskov in Vladivostok."
    words = ["Kim", "Putin", "Moscow", "Peskov", "Vladivostok"]
    entities = [entity(i, text.index(w), text.index(w) + len(w)) for i, w in enumerate(words, 1)]
    doc = QTextDocument()
    highlighter = Highlighter(doc)
    highlighter.set_text(text, entities)
    # a marker on two untouched entities: re-formatting them would wipe it
    marker = QTextFormat.Property.UserProperty + 50
    for e in (entities[0], entities[4]):
        cursor = QTextCursor(doc)
        cursor.setPosition(e.start)
        cursor.setPosition(e.end, QTextCursor.MoveMode.KeepAnchor)
        fmt = cursor.charFormat()
        fmt.setProperty(marker, True)
        cursor.mergeCharFormat(fmt)
    relabelled = Entity(2, 1, entities[1].start, entities[1].end, "ORG", EntityState.CONFIRMED)
    changed = [entities[0], relabelled, entities[3], entities[4]]  # Moscow removed, Putin relabelled
    assert highlighter.update(changed)
    assert not highlighter.update(changed)
    marked = {eid for _, _, eid in fragments(doc) if eid}
    assert marked == {1, 2, 4, 5}
    assert highlighted(doc, 3) == ""
    for pos, _, eid in fragments(doc):
        if eid in (1, 5):
            cursor = QTextCursor(doc)
            cursor.setPosition(pos + 1)
            assert cursor.charFormat().property(marker) is True
    assert [s.entity.id for s in highlighter.index.spans] == [1, 2, 4, 5]
    assert not doc.isUndoAvailable()


def test_removing_an_overlapped_entity_keeps_the_other_coloured(qapp):
    doc = QTextDocument()
    highlighter = Highlighter(doc)
    outer, inner = entity(1, 0, 13), entity(2, 4, 9, "GPE")
    highlighter.set_text("North Korea's army", [outer, inner])
    highlighter.update([outer])
    assert highlighted(doc, 1) == "North Korea's"


def test_span_index_finds_long_overlapping_spans():
    e = entity(1, 0, 1)
    index = SpanIndex([Span(0, 100, e), Span(10, 12, e), Span(50, 60, e), Span(200, 210, e)])
    assert [(s.start, s.end) for s in index.between(55, 58)] == [(0, 100), (50, 60)]
    assert [(s.start, s.end) for s in index.between(100, 199)] == []
    assert index.after(11) == 2
