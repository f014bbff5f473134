"""Colours and fonts shared by the review widgets, so the palette lives in one place."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QPalette

PAPER = QColor("#fcfbf8")  # warm off-white: calmer than pure white for long reading
INK = QColor("#1f2328")
MUTED = QColor("#656d76")
RULE = QColor("#e4e1da")
SELECTION = QColor("#b9d5f5")
FOCUS = QColor("#1d3557")  # the focused entity's outline: dark enough to read on every pastel
SEARCH_MARK = QColor("#ffe38a")  # marker-pen yellow behind words a search matched (results and article)
UNKNOWN_LABEL = QColor("#d0d4dc")  # an entity whose label the project no longer has

_READING_FAMILIES = ("Inter", "Segoe UI", "SF Pro Text", "Noto Sans", "Source Sans 3", "Ubuntu", "Cantarell", "DejaVu Sans")


@lru_cache(maxsize=1)
def reading_family() -> str:
    """The first installed family from a list of screen-friendly sans faces, else the application's."""
    installed = set(QFontDatabase.families())
    return next((f for f in _READING_FAMILIES if f in installed), QGuiApplication.font().family())


def font(point_size: float, weight: QFont.Weight = QFont.Weight.Normal) -> QFont:
    f = QFont(reading_family())
    f.setPointSizeF(point_size)
    f.setWeight(weight)
    return f


def mix(color: QColor, other: QColor, amount: float) -> QColor:
    """``color`` moved ``amount`` (0..1) of the way towards ``other``."""
    return QColor.fromRgbF(
        color.redF() + (other.redF() - color.redF()) * amount,
        color.greenF() + (other.greenF() - color.greenF()) * amount,
        color.blueF() + (other.blueF() - color.blueF()) * amount,
    )


def label_color(value: str | None) -> QColor:
    color = QColor(value or "")
    return color if color.isValid() else QColor(UNKNOWN_LABEL)


def suggestion_fill(color: QColor) -> QColor:
    return mix(color, PAPER, 0.55)


def edge(color: QColor) -> QColor:
    """A darker shade of a label colour for outlines and tag borders."""
    return color.darker(175)

# A slim, quiet scroll bar: the platform default draws arrows and a trough that compete with the text.
SCROLLBAR_QSS = """
QScrollBar:vertical { background: transparent; width: 10px; margin: 0; }
QScrollBar::handle:vertical { background: #d6d2ca; border-radius: 3px; min-height: 36px; margin: 2px; }
QScrollBar::handle:vertical:hover { background: #bdb8ae; }
QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical { height: 0; }
QScrollBar::add-page:vertical, QScrollBar::sub-page:vertical { background: none; }
"""


def fill_with_paper(widget) -> None:
    """Give a widget the calm off-white background the article sits on."""
    widget.setAutoFillBackground(True)
    palette = widget.palette()
    palette.setColor(QPalette.ColorRole.Window, PAPER)
    widget.setPalette(palette)
