"""The queue as a Qt list model: an adapter over ``store.queue`` pages, never the whole project.

Rows arrive page by page through ``canFetchMore``/``fetchMore`` (keyset
paging on the article id), so a project of a million articles opens as fast
as one of ten.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap

from annotator.model import Status
from annotator.store import AnnotationStore

PAGE = 200
MAX_SEEK = 20 * PAGE  # how far ahead the list will page to reveal the shown article

STATUS_COLORS = {
    Status.PENDING.value: "#9aa3ad",
    Status.ACCEPTED.value: "#3f9b58",
    Status.REJECTED.value: "#c8524b",
    Status.SKIPPED.value: "#d29a2c",
}

ArticleIdRole = Qt.ItemDataRole.UserRole
StatusRole = Qt.ItemDataRole.UserRole + 1


def status_icon(status: str, size: int = 12) -> QIcon:
    """A small dot: hollow for pending, filled for a decision, in the status colour."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    color = QColor(STATUS_COLORS.get(status, "#9aa3ad"))
    painter.setPen(QPen(color, 1.6))
    painter.setBrush(Qt.BrushStyle.NoBrush if status == Status.PENDING.value else color)
    painter.drawEllipse(2, 2, size - 4, size - 4)
    painter.end()
    return QIcon(pixmap)


class ArticleListModel(QAbstractListModel):
    def __init__(self, store: AnnotationStore, parent=None):
        super().__init__(parent)
        self._store = store
        self._status: Status | None = Status.PENDING
        self._rows: list[tuple[int, str, str]] = []
        self._exhausted = False
        self._icons = {status: status_icon(status) for status in STATUS_COLORS}

    # ------------------------------------------------------------- Qt model API
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        article_id, title, status = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return title or f"Article {article_id}"
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icons.get(status)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Article {article_id} · {status}"
        if role == ArticleIdRole:
            return article_id
        if role == StatusRole:
            return status
        return None

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:
        if parent.isValid() or self._exhausted:
            return
        after = self._rows[-1][0] if self._rows else 0
        page = self._store.queue(self._status, after_id=after, limit=PAGE)
        self._exhausted = len(page) < PAGE
        if page:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()

    # ------------------------------------------------------------------ ours
    @property
    def status(self) -> Status | None:
        return self._status

    def set_status(self, status: Status | None) -> None:
        self._status = status
        self.reload()

    def reload(self) -> bool:
        """Re-read from the start, as far as was loaded before; returns whether any row differs.

        Unchanged rows leave the model alone (no reset), so a refresh after a
        write that changed nothing here keeps the list's selection and scroll.
        """
        loaded = max(len(self._rows), PAGE)
        rows: list[tuple[int, str, str]] = []
        exhausted = False
        while not exhausted and len(rows) < loaded:
            page = self._store.queue(self._status, after_id=rows[-1][0] if rows else 0, limit=PAGE)
            exhausted = len(page) < PAGE
            rows += page
        if (rows, exhausted) == (self._rows, self._exhausted):
            return False
        self.beginResetModel()
        self._rows, self._exhausted = rows, exhausted
        self.endResetModel()
        return True

    def row_of(self, article_id: int) -> int | None:
        """The article's row, paging forward (within reason) when it is not loaded yet."""
        while True:
            for row, (rid, _, _) in enumerate(self._rows):
                if rid == article_id:
                    return row
            last = self._rows[-1][0] if self._rows else 0
            if self._exhausted or last > article_id or len(self._rows) >= MAX_SEEK:
                return None
            self.fetchMore()
