"""The label bar: one chip per label (colour, name, hotkey), on at most two rows.

Labels without room are behind a "+N" chip that opens the label picker, so a
narrow window keeps its height for the article. Chips take no keyboard focus,
so clicking one never steals the keys from the article; names are painted as
plain text.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QAbstractButton, QLayout, QSizePolicy, QWidget, QWidgetItem

from annotator.model import Label

from . import theme
from .plain import set_plain_tooltip


class FlowLayout(QLayout):
    """Lays widgets out left to right and wraps them, like words in a paragraph, onto at most
    ``max_rows`` rows. What does not fit is hidden, and ``overflow`` (a widget of the same parent,
    not one of the items) follows the last one shown, told which are hidden."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6, *, max_rows: int = 0, overflow: OverflowChip | None = None):
        super().__init__(parent)
        self._items: list[QWidgetItem] = []
        self._gap = spacing
        self._max_rows = max_rows  # 0: as many as it takes
        self._overflow = overflow

    def addItem(self, item) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self):
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.widget().sizeHint())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _flow(self, sizes: list[QSize], width: int) -> list[tuple[int, int]]:
        """(x, row) of each size in turn, wrapping at ``width``, for as many as the rows hold."""
        places: list[tuple[int, int]] = []
        x, row = 0, 0
        for size in sizes:
            if x > 0 and x + size.width() > width:
                x, row = 0, row + 1
            if self._max_rows and row >= self._max_rows:
                break
            places.append((x, row))
            x += size.width() + self._gap
        return places

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        # the widget's own hint: a QWidgetItem of a hidden widget claims no size at all
        sizes = [item.widget().sizeHint() for item in self._items]
        places = self._flow(sizes, area.width())
        more: tuple[int, int] | None = None  # where the overflow chip goes, when needed
        if len(places) < len(sizes) and self._overflow is not None:
            while places:  # make room for it after the last chip shown, or on the row below
                x, row = places[-1]
                end = x + sizes[len(places) - 1].width() + self._gap
                if end + self._overflow.size_for(len(sizes) - len(places)).width() <= area.width():
                    more = (end, row)
                    break
                if row + 1 < self._max_rows:
                    more = (0, row + 1)
                    break
                places.pop()
            more = more or (0, 0)
        if move:
            for i, item in enumerate(self._items):
                if i < len(places):
                    x, row = places[i]
                    item.setGeometry(QRect(QPoint(area.x() + x, area.y() + row * (sizes[i].height() + self._gap)), sizes[i]))
                if item.widget().isHidden() != (i >= len(places)):
                    item.widget().setVisible(i < len(places))
            if self._overflow is not None:
                self._overflow.show_hidden([item.widget() for item in self._items[len(places):]])
                if more is not None:
                    height = self._overflow.sizeHint().height()
                    self._overflow.setGeometry(QRect(QPoint(area.x() + more[0], area.y() + more[1] * (height + self._gap)), self._overflow.sizeHint()))
        rows = 1 + max([row for _, row in places] + [more[1] if more else 0], default=0) if sizes else 0
        row_height = max((size.height() for size in sizes), default=0)
        return m.top() + rows * row_height + max(rows - 1, 0) * self._gap + m.bottom()


def _chip(painter: QPainter, button: QAbstractButton, current_fill: QColor) -> QRectF:
    """The rounded chip behind a button's content, marked when ``button.current``; returns its box."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    box = QRectF(button.rect()).adjusted(1, 1, -1, -1)
    if button.current:
        painter.setPen(QPen(theme.FOCUS, 2))
        painter.setBrush(current_fill)
    else:
        painter.setPen(QPen(theme.RULE.darker(108) if button.underMouse() else theme.RULE, 1))
        painter.setBrush(QColor("#ffffff"))
    painter.drawRoundedRect(box.adjusted(0.5, 0.5, -0.5, -0.5), box.height() / 2, box.height() / 2)
    return box


def _chip_button(button: QAbstractButton) -> None:
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    button.setAttribute(Qt.WidgetAttribute.WA_Hover)  # repaint on hover for the border change
    button.setFont(theme.font(9.5, QFont.Weight.Medium))


class LabelChip(QAbstractButton):
    """A rounded chip: colour swatch, label name, hotkey."""

    def __init__(self, label: Label, parent: QWidget | None = None):
        super().__init__(parent)
        self.label = label
        self.current = False
        _chip_button(self)
        self._key_font = theme.font(8.5)
        tip = label.name if not label.hotkey else f"{label.name} (key {label.hotkey})"
        set_plain_tooltip(self, tip)
        # right-click menu: the label bar turns this into LabelBar.recolor_requested
        self.recolor = QAction("Change colour…", self)
        self.addAction(self.recolor)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    def sizeHint(self) -> QSize:
        width = 30 + QFontMetricsF(self.font()).horizontalAdvance(self.label.name)
        if self.label.hotkey:
            width += 8 + QFontMetricsF(self._key_font).horizontalAdvance(self.label.hotkey) + 8
        return QSize(int(width) + 12, 28)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        color = theme.label_color(self.label.color)
        box = _chip(painter, self, theme.mix(color, theme.PAPER, 0.35))

        painter.setPen(QPen(theme.edge(color), 1))
        painter.setBrush(color)
        painter.drawEllipse(QRectF(box.left() + 10, box.center().y() - 5, 10, 10))

        painter.setPen(theme.INK)
        painter.setFont(self.font())
        name_width = QFontMetricsF(self.font()).horizontalAdvance(self.label.name)
        text_box = QRectF(box.left() + 26, box.top(), name_width + 2, box.height())
        painter.drawText(text_box, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, self.label.name)
        if self.label.hotkey:
            painter.setFont(self._key_font)
            key_width = QFontMetricsF(self._key_font).horizontalAdvance(self.label.hotkey) + 8
            key = QRectF(text_box.right() + 6, box.center().y() - 8, key_width, 16)
            painter.setPen(QPen(theme.RULE.darker(115), 1))
            painter.setBrush(theme.PAPER)
            painter.drawRoundedRect(key, 3, 3)
            painter.setPen(theme.MUTED)
            painter.drawText(key, Qt.AlignmentFlag.AlignCenter, self.label.hotkey)
        painter.end()


class OverflowChip(QAbstractButton):
    """"+N": the labels the bar has no room for. Marked when the current label is one of them."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.current = False
        self.hidden_chips: list[LabelChip] = []
        _chip_button(self)
        self.hide()

    def size_for(self, count: int) -> QSize:
        return QSize(int(QFontMetricsF(self.font()).horizontalAdvance(f"+{count}")) + 28, 28)

    def sizeHint(self) -> QSize:
        return self.size_for(len(self.hidden_chips))

    def show_hidden(self, chips: list[LabelChip]) -> None:
        if chips != self.hidden_chips:
            self.hidden_chips = chips
            names = ", ".join(chip.label.name for chip in chips)
            set_plain_tooltip(self, f"More labels: {names}\n(click to choose one by name)" if chips else "")
        self.mark_current()
        if self.isHidden() == bool(chips):
            self.setVisible(bool(chips))

    def mark_current(self) -> None:
        current = any(chip.current for chip in self.hidden_chips)
        if current != self.current:
            self.current = current
            self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        box = _chip(painter, self, theme.mix(theme.FOCUS, theme.PAPER, 0.85))
        painter.setPen(theme.INK)
        painter.setFont(self.font())
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, f"+{len(self.hidden_chips)}")
        painter.end()


class LabelBar(QWidget):
    label_chosen = Signal(str)
    more_requested = Signal()  # the "+N" chip was clicked: choose among all labels
    recolor_requested = Signal(object)  # the Label whose chip's "Change colour…" was chosen
    MAX_ROWS = 2

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        theme.fill_with_paper(self)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.overflow = OverflowChip(self)
        self.overflow.clicked.connect(self.more_requested)
        self._flow = FlowLayout(self, max_rows=self.MAX_ROWS, overflow=self.overflow)
        self._flow.setContentsMargins(12, 8, 12, 8)
        self._chips: dict[str, LabelChip] = {}
        self._current: str | None = None

    def set_labels(self, labels: list[Label]) -> None:
        for chip in self._chips.values():
            self._flow.removeWidget(chip)
            chip.deleteLater()
        self._chips = {}
        for label in sorted(labels, key=lambda lab: lab.position):
            chip = LabelChip(label, self)
            chip.clicked.connect(lambda _=False, name=label.name: self.label_chosen.emit(name))
            chip.recolor.triggered.connect(lambda _=False, label=label: self.recolor_requested.emit(label))
            self._flow.addWidget(chip)
            self._chips[label.name] = chip
        self.set_current(self._current)
        self.updateGeometry()

    def set_current(self, name: str | None) -> None:
        self._current = name
        for chip_name, chip in self._chips.items():
            if chip.current != (chip_name == name):
                chip.current = chip_name == name
                chip.update()
        self.overflow.mark_current()

    def current(self) -> str | None:
        return self._current if self._current in self._chips else None

    def chips(self) -> list[LabelChip]:
        return list(self._chips.values())
