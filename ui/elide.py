"""Text that gives way in a small window: cut to a number of lines with an ellipsis, never clipped."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QTextLayout, QTextOption
from PySide6.QtWidgets import QLabel, QSizePolicy

from .plain import set_plain_tooltip


def elide_lines(text: str, font: QFont, width: float, max_lines: int) -> str:
    """``text`` as it fits in ``max_lines`` lines of ``width`` px, wrapped at words: unchanged when it
    fits, else its last shown line ends in "…" (the lines joined with newlines)."""
    metrics = QFontMetricsF(font)
    if max_lines <= 1 or width <= 0:
        return metrics.elidedText(text, Qt.TextElideMode.ElideRight, max(width, 0))
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    # the layout counts UTF-16 units; lines break between characters, never inside a pair
    units = text.encode("utf-16-le")
    part = lambda start, end=None: units[2 * start:None if end is None else 2 * end].decode("utf-16-le")  # noqa: E731
    lines: list[str] = []
    layout.beginLayout()
    try:
        while (line := layout.createLine()).isValid():
            line.setLineWidth(width)
            start = line.textStart()
            if len(lines) < max_lines - 1:
                lines.append(part(start, start + line.textLength()).rstrip())
                continue
            rest = part(start).replace("\n", " ")  # the last line shown takes the rest
            last = metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width)
            return text if last == rest else "\n".join([*lines, last])
    finally:
        layout.endLayout()
    return text


class ElidedLabel(QLabel):
    """A one-line plain-text label that can shrink below its text: the text is elided as it paints,
    and the full text is its tooltip. ``text()`` stays the full text."""

    def __init__(self, parent=None, *, mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight):
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self._mode = mode

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(text)
        set_plain_tooltip(self, text)

    def minimumSizeHint(self) -> QSize:
        margins = self.contentsMargins()
        width = QFontMetricsF(self.font()).horizontalAdvance("…") + margins.left() + margins.right() + 2
        return QSize(int(width), super().minimumSizeHint().height())

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        self.drawFrame(painter)
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(self.text(), self._mode, rect.width())
        self.style().drawItemText(painter, rect, int(self.alignment()), self.palette(), self.isEnabled(), text, self.foregroundRole())
        painter.end()
