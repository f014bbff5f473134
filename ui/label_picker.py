"""A type-to-filter label picker for label sets larger than the nine hotkeys.

Typing narrows the list (case-insensitive; names starting with the typed text
first, then names containing it); Up/Down move, Enter chooses, Escape cancels.
It opens beside what it labels (below it, else above, else to a side), never
over it, with that entity's label already chosen.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QFrame, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from annotator.model import Label

from . import theme

WIDTH, HEIGHT = 300, 380
MIN_HEIGHT = 150  # the filter and four rows: below this the picker moves to another side
GAP = 6


def filter_labels(labels: list[Label], query: str) -> list[Label]:
    """Labels matching ``query``: prefix matches first, then substring matches, each in label order."""
    q = query.strip().casefold()
    prefix = [label for label in labels if label.name.casefold().startswith(q)]
    inner = [label for label in labels if q in label.name.casefold() and label not in prefix]
    return prefix + inner


def _swatch(color: str) -> QIcon:
    pixmap = QPixmap(14, 14)
    pixmap.fill(QColor(0, 0, 0, 0))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    fill = theme.label_color(color)
    painter.setPen(QPen(theme.edge(fill), 1))
    painter.setBrush(fill)
    painter.drawEllipse(QRectF(1.5, 1.5, 11, 11))
    painter.end()
    return QIcon(pixmap)


def place_beside(target: QRect, area: QRect) -> QRect:
    """Where the picker goes: below ``target``, else above, else right or left of it, inside
    ``area`` when there is room (shortened down to MIN_HEIGHT), never overlapping ``target``."""
    left = min(max(target.left(), area.left()), area.right() + 1 - WIDTH)
    below, above = area.bottom() - target.bottom() - GAP, target.top() - area.top() - GAP
    if below >= MIN_HEIGHT or below >= above:
        height = max(min(HEIGHT, below), MIN_HEIGHT)
        vertical = QRect(left, target.bottom() + 1 + GAP, WIDTH, height)
    else:
        height = max(min(HEIGHT, above), MIN_HEIGHT)
        vertical = QRect(left, target.top() - GAP - height, WIDTH, height)
    if max(below, above) >= MIN_HEIGHT:
        return vertical
    top = min(max(target.center().y() - HEIGHT // 2, area.top()), area.bottom() + 1 - HEIGHT)
    height = min(HEIGHT, area.height())
    if area.right() - target.right() - GAP >= WIDTH:
        return QRect(target.right() + 1 + GAP, max(top, area.top()), WIDTH, height)
    if target.left() - area.left() - GAP >= WIDTH:
        return QRect(target.left() - GAP - WIDTH, max(top, area.top()), WIDTH, height)
    return vertical  # no side has room: the larger gap, reaching past the window's edge


class LabelPicker(QFrame):
    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, theme.PAPER)
        self.setPalette(palette)
        self.setAutoFillBackground(True)
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText("Type to filter labels…")
        self.filter_edit.setFont(theme.font(11))
        self.filter_edit.setClearButtonEnabled(True)
        self.list = QListWidget(self)
        self.list.setFont(theme.font(10.5))
        self.list.setIconSize(QSize(14, 14))
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # typing always goes to the filter
        self.list.setUniformItemSizes(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.list)
        self._labels: list[Label] = []
        self.filter_edit.textChanged.connect(self._refilter)
        self.filter_edit.returnPressed.connect(self._choose_current)
        self.list.itemClicked.connect(lambda item: self._choose(item.data(Qt.ItemDataRole.UserRole)))
        self.filter_edit.installEventFilter(self)
        self._current: str | None = None
        self.resize(WIDTH, HEIGHT)

    def pick(self, labels: list[Label], *, current: str | None = None, beside: QRect | None = None) -> None:
        """Show the picker with the filter empty and ``current`` chosen, beside ``beside`` (global
        coordinates: the focused entity or the selection) and never over it."""
        self._labels = sorted(labels, key=lambda lab: lab.position)
        self._current = current
        self.filter_edit.clear()
        self._refilter("")
        window = self.parentWidget().window() if self.parentWidget() else None
        if window is not None:
            area = QRect(window.mapToGlobal(QPoint(0, 0)), window.size())
            self.setGeometry(place_beside(beside, area) if beside is not None else
                             QRect(area.left() + (area.width() - WIDTH) // 2, area.top() + area.height() // 6, WIDTH, HEIGHT))
        self.show()
        self.raise_()
        self.filter_edit.setFocus()

    def visible_names(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def _refilter(self, query: str) -> None:
        self.list.clear()
        for label in filter_labels(self._labels, query):
            text = label.name if not label.hotkey else f"{label.name}    {label.hotkey}"
            item = QListWidgetItem(_swatch(label.color), text)
            item.setData(Qt.ItemDataRole.UserRole, label.name)
            self.list.addItem(item)
        shown = self.visible_names()
        row = shown.index(self._current) if not query.strip() and self._current in shown else 0  # else the best match
        self.list.setCurrentRow(row if shown else -1)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.filter_edit and event.type() == event.Type.KeyPress:
            step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}.get(event.key())
            if step is not None and self.list.count():
                self.list.setCurrentRow(max(0, min(self.list.count() - 1, self.list.currentRow() + step)))
                return True
            if event.key() == Qt.Key.Key_Escape:
                self.close()
                return True
        return super().eventFilter(watched, event)

    def _choose_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self._choose(item.data(Qt.ItemDataRole.UserRole))

    def _choose(self, name: str) -> None:
        self.close()
        self.chosen.emit(name)
