"""The entity list beside the article (INCEpTION's annotation list): one row per entity, in text order.

Columns: the entity's text, its label (with the label's colour), its state
(suggested or confirmed) and its source (the model that suggested it, "pattern"
for a match of the project's patterns, else the person who drew or imported it).
Selecting a row focuses that entity in the article and scrolls to it; focusing an entity in the article selects its
row. The window's keys are window-wide shortcuts and this list refuses every
ShortcutOverride, so Enter, Delete, the digits and Tab act on the focused
entity here exactly as in the article.

Cheap for long articles: the model holds the view's entity list as it is and
makes a row's strings only when the row is painted; it is reset in one go,
only while the list is visible, and once the reviewer pauses (REFRESH_MS):
decisions in quick succession refill it once, not once per article.
"""

from __future__ import annotations

import re

from collections.abc import Callable, Sequence

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QObject, Qt, QTimer
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QFrame, QHeaderView, QTableView, QWidget

from annotator.model import Entity, EntityState

from . import theme
from .plain import plain_tooltip

COLUMNS = ("Text", "Label", "State", "Source")
TEXT, LABEL, STATE, SOURCE = range(len(COLUMNS))
EXCERPT = 60  # characters of an entity's text shown in its row; the tooltip has it all
REFRESH_MS = 150  # the list is refilled this long after the last change, off the next article's path
HIDE_BELOW = 1000  # px of window width: narrower, the list gives its room to the article (E shows it again)
CELL_PAD, SWATCH = 8, 24  # px: a cell's text margins, and the colour swatch before a label name
TEXT_EM, SOURCE_EM, SOURCE_MIN_EM = 12, 8, 3  # column widths in ems: the source gives up its room first


def source_of(entity: Entity) -> str:
    """Who put the entity there, short enough for its column: the model's name and version (its
    content id and the pattern set it ran with are in the tooltip), "pattern", "from file F",
    else the person."""
    if entity.source:
        if entity.source.startswith("pattern (set "):  # as describe_source words a pattern match's source
            return "pattern"
        return re.sub(r"\+(sha1|patterns):.*$", "", entity.source.removeprefix("suggested by "))
    return entity.annotator or ""


def excerpt(text: str) -> str:
    flat = " ".join(text.split())  # an entity may cross a line break; a row is one line
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1] + "…"


class EntityListModel(QAbstractTableModel):
    def __init__(self, color: Callable[[str], object], parent: QObject | None = None):
        super().__init__(parent)
        self._color = color  # label name -> QColor, the article's own colours
        self._text = ""
        self._entities: Sequence[Entity] = ()
        self._rows: dict[int, int] | None = None  # entity id -> row, built when first asked

    def set_entities(self, text: str, entities: Sequence[Entity]) -> None:
        self.beginResetModel()
        self._text, self._entities, self._rows = text, entities, None
        self.endResetModel()

    def entity(self, row: int) -> Entity:
        return self._entities[row]

    def row_of(self, entity_id: int | None) -> int | None:
        if self._rows is None:
            self._rows = {e.id: row for row, e in enumerate(self._entities)}
        return self._rows.get(entity_id)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._entities)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        entity = self._entities[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:  # plain text: item views never read it as markup
            if column == TEXT:
                return excerpt(self._text[entity.start : entity.end])
            if column == LABEL:
                return entity.label
            if column == STATE:
                return entity.state.value
            return source_of(entity)
        if role == Qt.ItemDataRole.DecorationRole and column == LABEL:
            return self._color(entity.label)
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(self._tooltip(entity))
        return None

    def _tooltip(self, entity: Entity) -> str:
        lines = [self._text[entity.start : entity.end], f"{entity.label} · {entity.state.value}"]
        if entity.source:
            lines.append(entity.source + (f" (score {entity.score:.2f})" if entity.score is not None else ""))
        if entity.annotator and not entity.suggested:
            lines.append(f"confirmed by {entity.annotator}")
        return "\n".join(lines)


class EntityList(QTableView):
    """The list itself; ``view`` is the ReviewView whose entities it lists and focuses."""

    def __init__(self, view, parent: QWidget | None = None):
        super().__init__(parent)
        self._view = view
        self._stale = True
        self._refresh_timer = QTimer(self, singleShot=True, interval=REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._syncing = False  # a selection made here to follow the article is not sent back to it
        self.wanted = True  # the reviewer's choice (E); the window's width may still hide the list
        self._wide: bool | None = None  # the window was wide enough for the list, when last resized
        self.entity_model = EntityListModel(view.label_color, self)
        self.setModel(self.entity_model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)
        self.setWordWrap(False)
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFont(theme.font(9.5))
        self.verticalHeader().hide()
        # Fixed row heights and column widths: nothing is measured over all rows of a long article.
        rows = self.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(QFontMetrics(self.font()).height() + 8)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(TEXT, QHeaderView.ResizeMode.Stretch)
        metrics = QFontMetrics(self.font())
        header.setSectionResizeMode(LABEL, QHeaderView.ResizeMode.Interactive)  # fitted to the labels in refresh
        header.setSectionResizeMode(STATE, QHeaderView.ResizeMode.Fixed)
        self.setColumnWidth(STATE, max(metrics.horizontalAdvance(s.value) for s in EntityState) + 2 * CELL_PAD)
        header.setSectionResizeMode(SOURCE, QHeaderView.ResizeMode.Interactive)
        em = metrics.horizontalAdvance("M")
        self.setColumnWidth(SOURCE, SOURCE_EM * em)
        self.setMinimumWidth(16 * em)
        self.selectionModel().currentRowChanged.connect(self._on_current_row)
        view.entities_changed.connect(self.stale)
        view.focus_changed.connect(self._follow_focus)

    # ------------------------------------------------------------ contents
    def stale(self) -> None:
        """The article's entities (or their colours) changed: list them anew once the reviewer pauses."""
        self._stale = True
        if self.isVisible():
            self._refresh_timer.start()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        if not self._stale or not self.isVisible():
            return  # hidden, it waits for showEvent
        self._stale = False
        article = self._view.article
        self._syncing = True
        try:
            entities = self._view.entities()
            self.entity_model.set_entities(article.text if article else "", entities)
            # as wide as the longest label name the article uses (a few distinct names, however many entities)
            names = {e.label for e in entities}
            if names:
                widest = max(self.fontMetrics().horizontalAdvance(n) for n in names)
                self.setColumnWidth(LABEL, min(widest + SWATCH + 2 * CELL_PAD, 12 * self.fontMetrics().horizontalAdvance("M")))
                self._fit_source()
        finally:
            self._syncing = False
        self._follow_focus(self._view.focused_entity())

    # ------------------------------------------------------------ focus, both ways
    def _follow_focus(self, entity) -> None:
        if self._stale:
            return  # the rows are not this article's yet; refresh selects the focused one
        row = self.entity_model.row_of(entity.id if isinstance(entity, Entity) else entity)
        self._syncing = True
        try:
            if row is None:
                self.clearSelection()
                self.selectionModel().clearCurrentIndex()
            else:
                index = self.entity_model.index(row, TEXT)
                self.selectionModel().setCurrentIndex(
                    index, self.selectionModel().SelectionFlag.ClearAndSelect | self.selectionModel().SelectionFlag.Rows
                )
                self.scrollTo(index)
        finally:
            self._syncing = False

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not self._syncing and current.isValid():
            self._view.focus_entity(self.entity_model.entity(current.row()).id)

    # ------------------------------------------------------------ keys
    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride:
            event.ignore()  # every key the window binds reaches its QAction, as in the article
            return True
        return super().event(event)

    def focusNextPrevChild(self, forward: bool) -> bool:
        return False  # Tab belongs to the window (next entity), not to focus chains

    # ------------------------------------------------------------ room
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_source()

    def _fit_source(self) -> None:
        """Keep TEXT_EM for the entity's text (the stretching column) where the list can: the source
        column narrows first, down to SOURCE_MIN_EM (its tooltip has it whole). At the window's
        default width the four columns' widths left the text one character."""
        em = self.fontMetrics().horizontalAdvance("M")
        left = self.viewport().width() - self.columnWidth(LABEL) - self.columnWidth(STATE) - TEXT_EM * em
        self.setColumnWidth(SOURCE, max(SOURCE_MIN_EM * em, min(SOURCE_EM * em, left)))

    def follow_width(self, window_width: int) -> None:
        """Hide when the window becomes too narrow to give the article its column beside the list,
        show again (if wanted) when it becomes wide enough; between, E decides."""
        wide = window_width >= HIDE_BELOW
        if wide != self._wide:
            self._wide = wide
            self.setVisible(self.wanted and wide)

    def toggle(self) -> None:
        """E: show or hide the list; shown on request even in a narrow window."""
        self.wanted = not self.isVisible()
        self.setVisible(self.wanted)


class WidthWatcher(QObject):
    """Tells the entity list the window's width whenever it changes (an event filter on the window)."""

    def __init__(self, window: QWidget, entity_list: EntityList):
        super().__init__(window)
        self._list = entity_list
        window.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._list.follow_width(event.size().width())
        return False
