"""The side panel: the queue of articles with their status, a status filter and the position."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QLabel,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QVBoxLayout,
    QWidget,
)

from annotator.model import Article, Changes, ReviewOrder, Status
from annotator.store import AnnotationStore

from . import theme
from .article_list_model import STATUS_MEANINGS, ArticleIdRole, ArticleListModel, status_icon
from .plain import set_plain_tooltip

FILTERS = [
    ("Pending", Status.PENDING),
    ("Accepted", Status.ACCEPTED),
    ("Rejected", Status.REJECTED),
    ("Skipped", Status.SKIPPED),
    ("All articles", None),
]

FILTER_SETTING = "queue_filter"  # the project's setting: the filter its queue was left on

NEAR = 5000  # ids apart: a position is moved by counting between, else counted afresh

# Colours by palette and a delegate, not a style sheet: Qt paints a style-sheeted list
# several times slower, and the list repaints on every decision.
PANEL = QColor("#f3f1ec")
HOVER = QColor("#e9e6de")
SELECTED = QColor("#dbe4ef")
PAD_X, PAD_Y, RADIUS, ICON, GAP = 6, 4, 4.0, 16, 5


def _filter_of(value) -> Status | None:
    """The filter a stored setting names; anything unknown is the default, Pending."""
    if value == "all":
        return None
    return next((status for _, status in FILTERS if status is not None and status.value == value), Status.PENDING)


def _legend() -> str:
    return "Each row's dot is its status:\n" + "\n".join(f"{text}: {STATUS_MEANINGS[s.value]}" for text, s in FILTERS if s)


class _RowDelegate(QStyledItemDelegate):
    """Draws a row: a rounded fill when hovered or selected, the status dot, the title.

    Rows are as wide as the panel: a title too long for it loses its middle
    (its start and end tell similar titles apart); the row's tooltip holds it whole.
    """

    def sizeHint(self, option, index) -> QSize:
        # + 2: the item text margin Qt's own rows have, so rows keep the height they had
        return QSize(1, max(option.fontMetrics.height(), ICON) + 2 * PAD_Y + 2)

    def paint(self, painter: QPainter, option, index) -> None:
        rect: QRect = option.rect
        state = option.state
        fill = SELECTED if state & QStyle.StateFlag.State_Selected else HOVER if state & QStyle.StateFlag.State_MouseOver else None
        painter.save()
        if fill is not None:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawRoundedRect(rect, RADIUS, RADIUS)
        x = rect.left() + PAD_X
        icon = index.data(Qt.ItemDataRole.DecorationRole)
        if icon is not None:
            icon.paint(painter, QRect(x, rect.top() + (rect.height() - ICON) // 2, ICON, ICON))
        x += ICON + GAP
        text = index.data(Qt.ItemDataRole.DisplayRole) or ""
        width = rect.right() - PAD_X - x
        painter.setFont(option.font)
        painter.setPen(theme.INK)
        painter.drawText(QRect(x, rect.top(), width, rect.height()),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextSingleLine,
                         option.fontMetrics.elidedText(text, Qt.TextElideMode.ElideMiddle, width))
        painter.restore()


class _QueueList(QListView):
    """A list that repaints only the row a decision changed, and says so when it is empty.

    QListView answers any ``dataChanged`` by repainting its whole viewport; the
    item view underneath repaints just the row's rectangle (and still tells
    accessibility), which is all a row of uniform height needs.
    """

    placeholder = ""  # shown when the filter holds no article

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().paintEvent(event)
        model = self.model()
        if model.loaded and model.rowCount() == 0 and self.placeholder:
            painter = QPainter(self.viewport())
            painter.setPen(theme.MUTED)
            area = self.viewport().rect().adjusted(PAD_X, 2 * PAD_Y, -PAD_X, 0)
            painter.drawText(area, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap, self.placeholder)
            painter.end()

    def dataChanged(self, top_left, bottom_right, roles=()) -> None:  # noqa: N802 - Qt's name
        if top_left == bottom_right and top_left.isValid():
            QAbstractItemView.dataChanged(self, top_left, bottom_right, roles)
        else:
            super().dataChanged(top_left, bottom_right, roles)


class QueuePanel(QWidget):
    article_activated = Signal(int)
    filter_changed = Signal(str)  # the value of FILTER_SETTING that keeps the new filter with the project

    def __init__(self, store: AnnotationStore, parent=None):
        super().__init__(parent)
        self._store = store
        self._current: Article | None = None
        self.model = ArticleListModel(store, self)

        palette = self.palette()
        for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
            palette.setColor(role, PANEL)
        palette.setColor(QPalette.ColorRole.Text, theme.INK)
        self.setPalette(palette)
        self.setAutoFillBackground(True)
        muted = QPalette(palette)
        muted.setColor(QPalette.ColorRole.WindowText, theme.MUTED)
        heading = QLabel("QUEUE")
        heading.setObjectName("heading")
        heading.setPalette(muted)
        font = QFont(heading.font())
        font.setWeight(QFont.Weight.DemiBold)
        font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 0.5)
        heading.setFont(font)

        self.filter = QComboBox()
        for text, status in FILTERS:  # each status with its dot: the legend of the rows' dots
            if status is None:
                self.filter.addItem(text, status)
            else:
                self.filter.addItem(status_icon(status.value), text, status)
        self.filter.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # review keys must reach the window
        set_plain_tooltip(self.filter, "Which articles the queue lists (kept with the project).\n" + _legend())
        set_plain_tooltip(heading, _legend())
        self.filter.setCurrentIndex(self._filter_index(_filter_of(store.setting(FILTER_SETTING, Status.PENDING.value))))
        self.model.set_status(self.chosen_status)
        self.filter.currentIndexChanged.connect(self._on_filter)

        self.list = _QueueList()
        self._update_placeholder()
        self.list.setFrameShape(QFrame.Shape.NoFrame)
        self.list.viewport().setAttribute(Qt.WidgetAttribute.WA_Hover)  # the delegate fills the hovered row
        self.list.setModel(self.model)
        self.list.setUniformItemSizes(True)  # fast with thousands of rows
        self.list.setItemDelegate(_RowDelegate(self.list))
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.list.clicked.connect(lambda index: self.article_activated.emit(index.data(ArticleIdRole)))
        self.list.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        self._position: tuple[int, int] | None = None  # (article id, its 1-based index): positions move from here

        self.position = QLabel()
        self.position.setTextFormat(Qt.TextFormat.PlainText)
        self.position.setObjectName("position")
        self.position.setPalette(muted)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 12, 6, 8)
        layout.setSpacing(8)
        layout.addWidget(heading)
        layout.addWidget(self.filter)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.position)

    @property
    def chosen_status(self) -> Status | None:
        """The filter's status (the combo box's own data holds it only as a string)."""
        return FILTERS[self.filter.currentIndex()][1]

    def _on_filter(self) -> None:
        status = self.chosen_status
        self.model.set_status(status)
        self._update_placeholder()
        self._select_current()
        self.filter_changed.emit("all" if status is None else status.value)

    def _update_placeholder(self) -> None:
        status = self.chosen_status
        self.list.placeholder = "No articles in this project" if status is None else f"No {status.value} articles"
        self.list.viewport().update()

    def set_filter(self, status: Status | None) -> None:
        self.filter.setCurrentIndex(self._filter_index(status))

    @staticmethod
    def _filter_index(status: Status | None) -> int:
        return next(i for i, (_, s) in enumerate(FILTERS) if s == status)

    def set_current(self, article: Article | None) -> None:
        self._current = article
        self._update_position()
        self._select_current()

    def reorder(self) -> None:
        """The review order changed: read the queue afresh, in the new order."""
        self._position = None
        self.model.set_status(self.chosen_status)
        self._select_current()
        self._update_position()

    def refresh(self, changes: Changes | None = None) -> None:
        """Statuses or articles may have changed: re-read the loaded part of the queue.

        With the ``Changes`` of a decision, only the decided articles' rows are
        read and updated in place. The list stays where the reviewer scrolled it;
        moving to another article scrolls it.
        """
        if changes is not None and changes.article_ids and not changes.articles_added:
            self.model.apply_changes(changes.article_ids)
            self._update_position()
            return
        if changes is None or changes.articles_added:
            self._position = None
        scrollbar = self.list.verticalScrollBar()
        kept = scrollbar.value()
        if self.model.reload():
            self._select_current()  # a reset dropped the selection; selecting scrolls
            scrollbar.setValue(kept)
        self._update_position()

    def _update_position(self) -> None:
        if self._current is None:
            self.position.setText("No article")
            return
        index, total = self._index_of(self._current.id), self._store.article_count()
        self.position.setText(f"Article {index} of {total} · {self._current.status.value}")

    def _index_of(self, article_id: int) -> int:
        """The article's 1-based index among all articles, counted from the last one asked about.

        Moving to a neighbour counts the few articles in between (``count_between``, in the
        project's order) instead of every one up to it. An index holds until articles are
        added or another program commits (a model run there moves articles in the
        least-sure-first order): ``refresh`` then forgets it. In import order, ids far
        apart are far apart in the queue: counted afresh.
        """
        known = self._position
        near = known is not None and (
            abs(article_id - known[0]) <= NEAR or self._store.review_order() is not ReviewOrder.IMPORT)
        if not near:
            index = self._store.position(article_id)[0]
        elif article_id == known[0]:
            index = known[1]
        else:
            lo, hi = sorted((known[0], article_id), key=self._store.order_key)
            between = self._store.count_between(lo, hi)
            index = known[1] + between if article_id == hi else known[1] - between
        self._position = (article_id, index)
        return index

    def _on_scrolled(self, value: int) -> None:
        """Scrolled to the top of a window that starts down the queue: load the page before it."""
        scrollbar = self.list.verticalScrollBar()
        if value != scrollbar.minimum() or not self.model.can_fetch_before():
            return
        added = self.model.fetch_before()
        if added:  # keep the same rows in view
            step = 1 if self.list.verticalScrollMode() == QListView.ScrollMode.ScrollPerItem else self.list.sizeHintForRow(0)
            scrollbar.setValue(value + added * max(step, 1))

    def _select_current(self) -> None:
        selection = self.list.selectionModel()
        row = None if self._current is None else self.model.row_of(self._current.id)
        if row is None:
            selection.clearSelection()
            return
        index = self.model.index(row)
        selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.list.scrollTo(index)
