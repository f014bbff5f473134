"""Entity highlights in a QTextDocument, and the only place code points meet Qt positions.

Stored offsets are code points into the text exactly as imported. A
QTextDocument counts UTF-16 units (a character outside the Basic Multilingual
Plane takes two), and ``setPlainText`` turns "\\r\\n" into ONE paragraph
separator (a lone "\\r" or "\\n" into one as well). ``OffsetMap`` folds both
rules into one prefix table per article: code point to position is a list
index, position to code point a bisect.

Highlights are character formats on the document rather than
ExtraSelections: measured ten times faster for thousands of entities. A change
re-formats only the entities that changed, inside one edit block, so the
document lays out once. A new text gets the formats of its first
``FORMAT_STEP`` entities at once and the rest a step at a time from the event
loop, so a huge article shows (and takes keys) while its later highlights
are still being made; every entity is placed (``index``) from the start.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from operator import attrgetter
from typing import NamedTuple

from PySide6.QtCore import QRectF, QTimer
from PySide6.QtGui import QColor, QTextBlockFormat, QTextCharFormat, QTextCursor, QTextDocument, QTextFormat

from annotator.model import Entity, EntityState, Label

from . import theme

ENTITY_ID = QTextFormat.Property.UserProperty + 1  # on every highlighted character: the entity's id

# the only code points whose Qt width is not one: a "\r\n" pair is one separator, an astral
# character two units, and a leading U+FEFF none (setPlainText drops it)
_UNEVEN = re.compile("\r\n|[\U00010000-\U0010ffff]|\\A\ufeff")
_NARROW = ("\r\n", "\ufeff")
_KEEP = QTextCursor.MoveMode.KeepAnchor  # looked up once: PySide enum access is slow in a loop of thousands
_MOVE = QTextCursor.MoveMode.MoveAnchor
FORMAT_STEP = 2000  # entities formatted in one go (about 0.1 s): the first at once, the rest from the event loop


class OffsetMap:
    """Code points of a text <-> positions in the QTextDocument made by ``setPlainText(text)``.

    Equal to ``annotator.offsets.utf16_prefix`` for texts without "\\r\\n" (tested).
    Kept sparse: where the shift between the two changes (after each uneven
    character) and the shift from there on, so a long article costs memory
    per uneven character, not per character (a table of every position of a
    10 MB article took 360 MB). Both directions are a bisect.
    """

    __slots__ = ("_ends", "_shifts", "_starts_qt", "_length")

    def __init__(self, text: str):
        self._length = len(text)
        ends, shifts, starts_qt = [], [], [0]  # segment k+1 begins at ends[k] with shifts[k]
        shift = 0
        for match in _UNEVEN.finditer(text):
            # the "\r" of a pair takes the separator's position, so the "\n" has none
            shift += -1 if match.group() in _NARROW else 1
            ends.append(match.end())
            shifts.append(shift)
            starts_qt.append(match.end() + shift)
        self._ends, self._shifts, self._starts_qt = ends, shifts, starts_qt

    @property
    def even(self) -> bool:
        """No uneven character: every position is its code point."""
        return not self._ends

    @property
    def qt_length(self) -> int:
        return self._length + (self._shifts[-1] if self._shifts else 0)

    def to_qt(self, index: int) -> int:
        index = min(max(index, 0), self._length)
        k = bisect_right(self._ends, index)
        return index + (self._shifts[k - 1] if k else 0)

    def to_index(self, position: int) -> int:
        """The code point at a Qt position: inside a surrogate pair rounds down; after a
        "\\r\\n" separator means after both characters."""
        if position < 0:
            return 0
        k = bisect_right(self._starts_qt, position) - 1  # the last segment starting at or before it
        shift = self._shifts[k - 1] if k else 0
        last = self._ends[k] - 1 if k < len(self._ends) else self._length
        return min(position - shift, last)


class Span(NamedTuple):
    """An entity placed in the document: [start, end) in Qt positions (a tuple: thousands per article)."""

    start: int
    end: int
    entity: Entity


_SPAN_ORDER = attrgetter("start", "end", "entity.id")


class SpanIndex:
    """Entities in text order, with quick lookups of those meeting a position range."""

    def __init__(self, spans: Iterable[Span] = ()):
        self.spans = sorted(spans, key=_SPAN_ORDER)
        self._starts = [s.start for s in self.spans]
        reach, self._reach = 0, []  # running maximum of ends: lets bisect find long overlapping spans
        for s in self.spans:
            reach = max(reach, s.end)
            self._reach.append(reach)

    def __len__(self) -> int:
        return len(self.spans)

    def between(self, start: int, end: int) -> list[Span]:
        """Spans overlapping [start, end]."""
        first = bisect_right(self._reach, start)
        last = bisect_right(self._starts, end)
        return [s for s in self.spans[first:last] if s.end > start]

    def position_of(self, entity_id: int | None) -> int | None:
        return next((i for i, s in enumerate(self.spans) if s.entity.id == entity_id), None)

    def after(self, position: int) -> int:
        """Index of the first span starting at or after ``position``."""
        return bisect_left(self._starts, position)


class Highlighter:
    """Owns the document's text, its offset map and its entity formats."""

    def __init__(self, document: QTextDocument, block_format: QTextBlockFormat | None = None):
        self._doc = document
        self._doc.setUndoRedoEnabled(False)  # format edits are not the user's to undo
        self._block_format = block_format
        self._colors: dict[str, str] = {}
        self._formats: dict[tuple[str, EntityState], QTextCharFormat] = {}
        self._qcolors: dict[str, QColor] = {}
        self._applied: dict[Entity, Span] = {}  # every entity placed in the document, formatted or still pending
        self._pending: list[Entity] = []  # placed, formats still to come (a step at a time)
        self._generation = 0  # a new text makes the steps queued for the old one do nothing
        self.map = OffsetMap("")
        self.index = SpanIndex()
        # Line rectangles of spans in document coordinates, valid for one revision and width of the
        # document: repaints (focus, hover, scrolling) reuse them instead of asking the layout again.
        self._rects: dict[Span, list[QRectF]] = {}
        self._rects_for: tuple[int, float] | None = None

    @property
    def document(self) -> QTextDocument:
        return self._doc

    def set_labels(self, labels: Sequence[Label]) -> None:
        """New label colours re-format every entity."""
        colors = {label.name: label.color for label in labels}
        if colors == self._colors:
            return
        self._colors, self._formats, self._qcolors = colors, {}, {}
        self._pending = []  # every placed entity is formatted again below
        entities = list(self._applied)
        cursor = QTextCursor(self._doc)
        cursor.beginEditBlock()
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.setCharFormat(QTextCharFormat())
        self._applied = {}
        self._apply(cursor, entities)
        cursor.endEditBlock()
        self._reindex()

    def color(self, label: str) -> QColor:
        color = self._qcolors.get(label)
        if color is None:  # parsed once per label, not once per entity per paint
            color = self._qcolors[label] = theme.label_color(self._colors.get(label))
        return color

    def set_text(self, text: str, entities: Sequence[Entity]) -> None:
        """Replace the text and its entities as ONE change to an empty document.

        What ``setPlainText`` does (clear, then insert through a cursor: "\r\n"
        becomes one separator, a leading U+FEFF goes), but the block format rides
        on the inserting cursor, so every paragraph is born with it, and the
        entity formats join the same edit block. Qt then sees a document filled
        from empty and lays it out lazily: the visible part now, the rest in
        idle steps, instead of the whole text twice.
        """
        self.map = OffsetMap(text)
        self._applied = {}
        self._generation += 1
        entities = sorted(entities, key=attrgetter("start"))  # the top of the article is formatted first
        cursor = QTextCursor(self._doc)
        cursor.beginEditBlock()  # clear() inside it, as setPlainText does: Qt sees one fill from empty
        self._doc.clear()
        if self._block_format is not None:
            cursor.setBlockFormat(self._block_format)
        cursor.insertText(text)
        self._apply(cursor, entities[:FORMAT_STEP])
        cursor.endEditBlock()
        self._pending = entities[FORMAT_STEP:]
        self._apply(None, self._pending)
        self._reindex()
        self._schedule()

    @property
    def formatting(self) -> bool:
        """Are formats of the current text still being applied a step at a time?"""
        return bool(self._pending)

    def _schedule(self) -> None:
        if self._pending:
            generation = self._generation
            QTimer.singleShot(0, self._doc, lambda: self._format_step(generation))

    def _format_step(self, generation: int) -> None:
        if generation != self._generation or not self._pending:
            return  # another text since, or flushed
        step, self._pending = self._pending[:FORMAT_STEP], self._pending[FORMAT_STEP:]
        self._format_now(step)
        self._schedule()

    def pause(self) -> None:
        """Stop applying pending formats for now (a decision is leaving this text: they would only
        compete with its write for the interpreter); ``resume`` carries on."""
        self._generation += 1

    def resume(self) -> None:
        self._schedule()

    def flush(self) -> None:
        """Apply every pending format now (before a change compares what is applied)."""
        pending, self._pending = self._pending, []
        if pending:
            self._format_now(pending)

    def _format_now(self, entities: list[Entity]) -> None:
        cursor = QTextCursor(self._doc)
        cursor.beginEditBlock()
        self._apply(cursor, entities)
        cursor.endEditBlock()

    def update(self, entities: Sequence[Entity]) -> bool:
        """Re-format only what changed since the last call; returns whether anything did."""
        self.flush()
        new = set(entities)
        removed = [self._applied.pop(e) for e in list(self._applied) if e not in new]
        added = [e for e in entities if e not in self._applied]
        if not removed and not added:
            return False
        cursor = QTextCursor(self._doc)
        cursor.beginEditBlock()
        plain = QTextCharFormat()
        for span in removed:
            self._format(cursor, span.start, span.end, plain)
        # clearing a removed range also cleared any kept entity overlapping it: paint those again
        cleared = SpanIndex(removed)
        damaged = [e for e, s in self._applied.items() if cleared.between(s.start, s.end - 1)] if removed else []
        self._apply(cursor, damaged + added)
        cursor.endEditBlock()
        self._reindex()
        return True

    def _apply(self, cursor: QTextCursor | None, entities: Iterable[Entity]) -> None:
        """Place the entities (``_applied``) and, with a cursor, format them."""
        # a loop of thousands on a long article: everything it calls is looked up once, and
        # what is the same for many entities (the offset map, the base formats) is not redone
        to_qt, applied = self.map.to_qt, self._applied
        even, length = self.map.even, self.map._length
        set_position, set_format = (None, None) if cursor is None else (cursor.setPosition, cursor.setCharFormat)
        # One format per label and state, given each entity's id in turn: setCharFormat copies
        # the format into the document, so the same object can be changed for the next entity
        # (measured: a third of the loop was copying a base format per entity).
        confirmed, formats = EntityState.CONFIRMED, {}  # keyed without hashing the enum (a Python call)
        for entity in entities:
            start, end = entity.start, entity.end
            if not (even and 0 <= start <= end <= length):
                start, end = to_qt(start), to_qt(end)
            applied[entity] = Span(start, end, entity)
            if cursor is None:
                continue
            key = (entity.label, entity.state is confirmed)
            fmt = formats.get(key)
            if fmt is None:
                fmt = formats[key] = QTextCharFormat(self._base_format(entity.label, entity.state))
            fmt.setProperty(ENTITY_ID, entity.id)
            set_position(start)  # MoveAnchor by default: measured twice as fast as passing the enum
            set_position(end, _KEEP)
            set_format(fmt)

    def _format(self, cursor: QTextCursor, start: int, end: int, fmt: QTextCharFormat) -> None:
        cursor.setPosition(start, _MOVE)
        cursor.setPosition(end, _KEEP)
        cursor.setCharFormat(fmt)

    def _base_format(self, label: str, state: EntityState) -> QTextCharFormat:
        key = (label, state)
        if key not in self._formats:
            color = self.color(label)
            fmt = QTextCharFormat()
            fmt.setBackground(color if state is EntityState.CONFIRMED else theme.suggestion_fill(color))
            self._formats[key] = fmt
        return self._formats[key]

    def _reindex(self) -> None:
        self.index = SpanIndex(self._applied.values())

    def rects(self, span: Span) -> list[QRectF]:
        """The span's line rectangles in document coordinates (see ``range_rects``)."""
        key = (self._doc.revision(), self._doc.pageSize().width())
        if key != self._rects_for:  # new text, new formats or a new width: lines moved
            self._rects, self._rects_for = {}, key
        rects = self._rects.get(span)
        if rects is None:
            rects = self._rects[span] = range_rects(self._doc, span.start, span.end)
        return rects


def range_rects(document: QTextDocument, start: int, end: int) -> list[QRectF]:
    """One rectangle per laid-out line that [start, end) covers, in document coordinates.

    Heights are the glyphs' (ascent + descent), not the line pitch, so outlines
    hug the text even with extra line spacing.
    """
    rects: list[QRectF] = []
    layout = document.documentLayout()
    block = document.findBlock(start)
    while block.isValid() and block.position() < end:
        layout.blockBoundingRect(block)  # lays the block out if it has not been yet
        text_layout = block.layout()
        origin = text_layout.position()
        first = max(start, block.position()) - block.position()
        last = min(end, block.position() + block.length() - 1) - block.position()
        count = text_layout.lineCount()
        # from the line holding the start, not the block's first line (a paragraph has many)
        number = max(0, text_layout.lineForTextPosition(first).lineNumber()) if count else 0
        while number < count:  # lineAt past lineCount crashes: never index blindly
            line = text_layout.lineAt(number)
            number += 1
            if line.textStart() >= last:
                break
            lo = max(first, line.textStart())
            hi = min(last, line.textStart() + line.textLength())
            if lo >= hi:
                continue
            x1, x2 = line.cursorToX(lo)[0], line.cursorToX(hi)[0]
            rects.append(
                QRectF(origin.x() + min(x1, x2), origin.y() + line.y(), abs(x2 - x1), line.ascent() + line.descent())
            )
        block = block.next()
    return rects
