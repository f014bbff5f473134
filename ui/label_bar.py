"""The label bar: one chip per label (colour, name, hotkey), wrapping onto more lines as needed.

Chips take no keyboard focus, so clicking one never steals the keys from the
article; names are painted as plain text.
"""

from __future__ import annotations


from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QAbstractButton, QLayout, QSizePolicy, QWidget, QWidgetItem

from annotator.model import Label

from . import theme
from .plain import set_plain_tooltip


class FlowLayout(QLayout):
    """Lays widgets out left to right and wraps them, like words in a paragraph."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6):
        super().__init__(parent)
        self._items: list[QWidgetItem] = []
        self._gap = spacing

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
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, row = area.x(), area.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x + hint.width() > area.right() + 1 and row > 0:
                x, y, row = area.x(), y + row + self._gap, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._gap
            row = max(row, hint.height())
        return y + row - rect.y() + m.bottom()


class LabelChip(QAbstractButton):
    """A rounded chip: colour swatch, label name, hotkey."""

    def __init__(self, label: Label, parent: QWidget | None = None):
        super().__init__(parent)
        self.label = label
        self.current = False
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAttribute(Qt.WidgetAttribute.WA_Hover)  # repaint on hover for the border change
        self.setFont(theme.font(9.5, QFont.Weight.Medium))
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
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        color = theme.label_color(self.label.color)
        box = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        if self.current:
            painter.setPen(QPen(theme.FOCUS, 2))
            painter.setBrush(theme.mix(color, theme.PAPER, 0.35))
        else:
            painter.setPen(QPen(theme.RULE.darker(108) if self.underMouse() else theme.RULE, 1))
            painter.setBrush(QColor("#ffffff"))
        painter.drawRoundedRect(box.adjusted(0.5, 0.5, -0.5, -0.5), box.height() / 2, box.height() / 2)

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


class LabelBar(QWidget):
    label_chosen = Signal(str)
    recolor_requested = Signal(object)  # the Label whose chip's "Change colour…" was chosen

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        theme.fill_with_paper(self)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self._flow = FlowLayout(self)
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

    def current(self) -> str | None:
        return self._current if self._current in self._chips else None

    def chips(self) -> list[LabelChip]:
        return list(self._chips.values())
