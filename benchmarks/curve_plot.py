"""The learning curve as a PNG, drawn with Qt's QPainter on an offscreen QImage.

matplotlib is not a dependency; PySide6 is (for the app), and benchmarks may use Qt
(``annotator/`` may not).
"""

from __future__ import annotations

import os
from pathlib import Path

WIDTH, HEIGHT = 900, 520
LEFT, RIGHT, TOP, BOTTOM = 70, 230, 50, 60
Y_MIN, Y_MAX = 0.4, 0.8
HELD_OUT_COLOR, UNREVIEWED_COLOR, TARGET_COLOR = "#1f5fbf", "#e07b00", "#b00020"


def draw(rounds, path: Path, *, title: str, target: tuple[int, float], reference: dict[str, float] | None = None) -> Path:
    """Draw F1 (held-out and unreviewed) against articles reviewed; ``target`` is (articles, F1);
    ``reference`` holds other figures at the target's article count, drawn as labelled marks."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPen

    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 - fonts need an application
    image = QImage(WIDTH, HEIGHT, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    x_max = max([target[0], *(r.reviewed for r in rounds)])
    plot = QRectF(LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM)

    def at(x: float, y: float) -> QPointF:
        y = min(max(y, Y_MIN), Y_MAX)
        return QPointF(plot.left() + plot.width() * x / x_max, plot.bottom() - plot.height() * (y - Y_MIN) / (Y_MAX - Y_MIN))

    p = QPainter(image)
    try:
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont()
        font.setPixelSize(13)
        p.setFont(font)
        p.setPen(QPen(QColor("#dddddd"), 1))
        for k in range(9):
            y = Y_MIN + k * 0.05
            p.drawLine(at(0, y), at(x_max, y))
        p.setPen(QPen(QColor("black"), 1))
        p.drawRect(plot)
        for k in range(0, 9, 2):
            y = Y_MIN + k * 0.05
            p.drawText(QRectF(0, at(0, y).y() - 8, LEFT - 8, 16), Qt.AlignmentFlag.AlignRight, f"{y:.2f}")
        ticks = sorted({r.reviewed for r in rounds})
        for x in ticks:
            p.drawText(QRectF(at(x, Y_MIN).x() - 20, plot.bottom() + 6, 40, 16), Qt.AlignmentFlag.AlignCenter, str(x))
        p.drawText(QRectF(plot.left(), HEIGHT - 30, plot.width(), 20), Qt.AlignmentFlag.AlignCenter, "articles reviewed")
        p.save()
        p.translate(16, plot.center().y())
        p.rotate(-90)
        p.drawText(QRectF(-120, -10, 240, 20), Qt.AlignmentFlag.AlignCenter, "suggestion span F1")
        p.restore()
        bold = QFont(font)
        bold.setBold(True)
        p.setFont(bold)
        p.drawText(QRectF(LEFT, 12, WIDTH - LEFT - 20, 24), Qt.AlignmentFlag.AlignLeft, title)
        p.setFont(font)

        p.setPen(QPen(QColor(TARGET_COLOR), 1.5, Qt.PenStyle.DashLine))
        p.drawLine(at(0, target[1]), at(x_max, target[1]))
        p.drawLine(at(target[0], Y_MIN), at(target[0], Y_MAX))
        legend = [(TARGET_COLOR, f"target: {target[1]:.2f} after {target[0]}", Qt.PenStyle.DashLine)]
        for color, points, name in (
            (HELD_OUT_COLOR, [(r.reviewed, r.held_out.micro.f1) for r in rounds], "held-out articles"),
            (UNREVIEWED_COLOR, [(r.reviewed, r.unreviewed.micro.f1) for r in rounds if r.unreviewed], "articles not yet reviewed"),
        ):
            p.setPen(QPen(QColor(color), 2.5))
            for a, b in zip(points, points[1:]):
                p.drawLine(at(*a), at(*b))
            for point in points:
                p.drawEllipse(at(*point), 3.5, 3.5)
            legend.append((color, name, Qt.PenStyle.SolidLine))
        for name, f1 in (reference or {}).items():
            p.setPen(QPen(QColor("#555555"), 2))
            mark = at(target[0], f1)
            p.drawLine(mark + QPointF(-6, 0), mark + QPointF(6, 0))
            p.drawText(QRectF(mark.x() - 408, mark.y() - 20, 400, 16), Qt.AlignmentFlag.AlignRight, f"{name}: {f1:.3f}")
        for i, (color, name, style) in enumerate(legend):
            y = TOP + 10 + i * 22
            p.setPen(QPen(QColor(color), 2.5, style))
            p.drawLine(QPointF(WIDTH - RIGHT + 14, y), QPointF(WIDTH - RIGHT + 40, y))
            p.setPen(QPen(QColor("black"), 1))
            p.drawText(QRectF(WIDTH - RIGHT + 46, y - 8, RIGHT - 50, 16), Qt.AlignmentFlag.AlignLeft, name)
    finally:
        p.end()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(path)):
        raise OSError(f"could not write {path}")
    return path
