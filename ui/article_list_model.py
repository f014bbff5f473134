"""The queue as a Qt list model: an adapter over ``store.queue`` pages, never the whole project.

Rows arrive page by page through ``canFetchMore``/``fetchMore`` (keyset
paging in the project's review order, anchored on article ids), so a project of a million articles opens as fast
as one of ten. The loaded rows are a window of the queue that need not start
at its beginning: showing an article far down the queue loads the page around
it (``anchor_at``), and the rows before the window arrive page by page as the
list is scrolled up (``fetch_before``). A decision updates its own row in place
(``apply_changes``) instead of re-reading the window.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap

from annotator.model import Status
from annotator.store import AnnotationStore

from .plain import plain_tooltip

PAGE = 200
MAX_ROWS = 10 * PAGE  # a window grown past this is re-anchored rather than paged further

STATUS_COLORS = {
    Status.PENDING.value: "#9aa3ad",
    Status.ACCEPTED.value: "#3f9b58",
    Status.REJECTED.value: "#c8524b",
    Status.SKIPPED.value: "#d29a2c",
}

# What each status dot means, for the rows' tooltips and the queue's legend.
STATUS_MEANINGS = {
    Status.PENDING.value: "pending, not decided yet (hollow dot)",
    Status.ACCEPTED.value: "accepted",
    Status.REJECTED.value: "rejected",
    Status.SKIPPED.value: "skipped, to decide later",
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
        self._exhausted = False  # nothing of this filter after the last row
        self._start = 0  # the window holds this filter's rows from article _start on (0: from the start) ...
        self._at_start = True  # ... and there are none before it
        # Nothing is read until the list is first asked for a row (after the first article is
        # painted): a page of a big project costs tens of ms, more than the article itself.
        self._loaded = False
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
            # The whole title (the row may show it elided), then what the dot says.
            return plain_tooltip(f"{title or f'Article {article_id}'}\nArticle {article_id} · {STATUS_MEANINGS.get(status, status)}")
        if role == ArticleIdRole:
            return article_id
        if role == StatusRole:
            return status
        return None

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:
        return not parent.isValid() and self._loaded and not self._exhausted

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:
        if not self.canFetchMore(parent):
            return
        page = self._page_after(self._rows)
        self._exhausted = len(page) < PAGE
        if page:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()

    # ------------------------------------------------------------------ ours
    @property
    def status(self) -> Status | None:
        return self._status

    @property
    def loaded(self) -> bool:
        """Rows were read at least once: an empty model now means an empty filter."""
        return self._loaded

    def set_status(self, status: Status | None) -> None:
        self._status = status
        self._start, self._at_start = 0, True
        if self._loaded:  # else the first window is read when the list first asks (see __init__)
            self.reload()

    def reload(self) -> bool:
        """Re-read the window, as far as was loaded before; returns whether any row differs.

        Unchanged rows leave the model alone (no reset), so a refresh after a
        write that changed nothing here keeps the list's selection and scroll.
        """
        if self._at_start:
            self._start = 0  # rows that appeared before the window belong in it
        loaded = max(len(self._rows), PAGE)
        rows: list[tuple[int, str, str]] = []
        exhausted = False
        while not exhausted and len(rows) < loaded:
            page = self._page_after(rows)
            exhausted = len(page) < PAGE
            rows += page
        if (rows, exhausted) == (self._rows, self._exhausted) and self._loaded:
            return False
        self.beginResetModel()
        self._rows, self._exhausted, self._loaded = rows, exhausted, True
        self.endResetModel()
        return True

    def row_of(self, article_id: int) -> int | None:
        """The article's row; an article outside the window moves the window to it.

        At most one page is read forward (the reviewer walking down the queue);
        anything further re-anchors the window around the article instead of
        paging up to it.
        """
        if not self._loaded:
            self.anchor_at(article_id)  # the first window: around the shown article
            return self._find(article_id)
        row = self._find(article_id)
        if row is not None or self._covers(article_id):
            return row  # None: inside the window's range, so not in this filter
        last = self._rows[-1][0] if self._rows else self._start
        if self._key(article_id) > self._key(last) and len(self._rows) < MAX_ROWS:
            self.fetchMore()
            row = self._find(article_id)
            if row is not None or self._covers(article_id):
                return row
        self.anchor_at(article_id)
        return self._find(article_id)

    def anchor_at(self, article_id: int) -> None:
        """Load the page around ``article_id`` (half a page before it) in place of the window."""
        before = self._store.queue_before(self._status, before_id=article_id, limit=PAGE // 2)
        after = self._store.queue(self._status, from_id=article_id, limit=PAGE)
        self.beginResetModel()
        self._rows = before + after
        self._at_start = len(before) < PAGE // 2
        self._start = before[0][0] if before else article_id
        self._exhausted = len(after) < PAGE
        self._loaded = True
        self.endResetModel()

    def can_fetch_before(self) -> bool:
        return not self._at_start

    def fetch_before(self) -> int:
        """Prepend the page before the window (the list was scrolled to its top); returns how many rows."""
        if self._at_start:
            return 0
        before = self._rows[0][0] if self._rows else self._start
        page = self._store.queue_before(self._status, before_id=before, limit=PAGE)
        self._at_start = len(page) < PAGE
        if page:
            self.beginInsertRows(QModelIndex(), 0, len(page) - 1)
            self._rows[:0] = page
            self.endInsertRows()
            self._start = page[0][0]
        return len(page)

    def apply_changes(self, article_ids: Iterable[int]) -> bool:
        """These articles' statuses or titles changed: update, drop or insert just their rows.

        Reads one row per article; returns whether rows were added or removed.
        """
        moved = False
        for article_id in sorted(article_ids):
            found = self._store.queue(None, from_id=article_id, limit=1)
            fresh = found[0] if found and found[0][0] == article_id else None
            belongs = fresh is not None and (self._status is None or fresh[2] == Status(self._status).value)
            row = self._find(article_id)
            if row is not None and not belongs:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
                moved = True
            elif row is not None and self._rows[row] != fresh:
                self._rows[row] = fresh
                self.dataChanged.emit(self.index(row), self.index(row))
            elif row is None and belongs and self._covers(article_id):
                row = bisect_left(self._rows, self._key(article_id), key=lambda r: self._key(r[0]))
                self.beginInsertRows(QModelIndex(), row, row)
                self._rows.insert(row, fresh)
                self.endInsertRows()
                moved = True
        return moved

    def _find(self, article_id: int) -> int | None:
        # a scan, not a bisection: in least-sure order a model run can move loaded rows' keys
        return next((row for row, (found, _, _) in enumerate(self._rows) if found == article_id), None)

    def _key(self, article_id: int) -> tuple:
        """Where the article sorts in the project's review order (see ``store.order_key``)."""
        return self._store.order_key(article_id)

    def _page_after(self, rows: list) -> list[tuple[int, str, str]]:
        """The page after ``rows``, or the window's first page when there are none."""
        if rows:
            return self._store.queue(self._status, after_id=rows[-1][0], limit=PAGE)
        if self._start:
            return self._store.queue(self._status, from_id=self._start, limit=PAGE)
        return self._store.queue(self._status, limit=PAGE)

    def _covers(self, article_id: int) -> bool:
        """Would this filter's row for ``article_id`` be in the window (loaded) if there were one?"""
        above = self._at_start or self._key(article_id) >= self._key(self._start)
        below = self._exhausted or (bool(self._rows) and self._key(article_id) <= self._key(self._rows[-1][0]))
        return above and below
