"""GUI measurements, run in their own process (offscreen Qt).

    open PROJECT.db            process start -> first article painted (the real app, no model)
    memory PROJECT.db          resident memory with the project open and the model loaded
    next PROJECT.db PRESSES WORKDIR START PAUSE_MS   key press A -> next article painted with its highlights (ours)
    next-baseline PROJECT.db PRESSES W H START PAUSE_MS   the same texts and highlights in a bare QPlainTextEdit

The parent passes the moment it spawned this process (``time.monotonic()``,
the same clock for every process on the machine) in ``BENCH_SPAWNED``.

"Painted" is observed, not assumed: an event filter on the text view's viewport
records each Paint event, and a press counts as done when a paint has finished
while the document shows the expected article with its first entity formatted.
"""

from __future__ import annotations

import json
import os
import sys
import time

SPAWNED = float(os.environ.get("BENCH_SPAWNED", "nan"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _emit(**values) -> None:
    from .common import peak_rss_mb

    values.setdefault("peak_rss_mb", peak_rss_mb())
    print(json.dumps(values), flush=True)


# ------------------------------------------------------------------ helpers
def _qt():
    from PySide6.QtCore import QEvent, QObject, Qt
    from PySide6.QtWidgets import QApplication

    return QApplication, QEvent, QObject, Qt


def text_views(widget):
    """Every plain/rich text editor under ``widget`` (the article view is the largest)."""
    from PySide6.QtWidgets import QPlainTextEdit, QTextEdit

    views = widget.findChildren(QPlainTextEdit) + widget.findChildren(QTextEdit)
    if isinstance(widget, (QPlainTextEdit, QTextEdit)):
        views.append(widget)
    return views


def article_view(window, text: str | None = None):
    """The editor showing the article: the one whose document holds ``text``, else the largest."""
    views = [v for v in text_views(window) if v.isVisible()] or text_views(window)
    if not views:
        return None
    if text is not None:
        head = text[:60]
        for v in views:
            if v.document().toPlainText().startswith(head):
                return v
    return max(views, key=lambda v: v.width() * v.height())


class PaintWatch:
    """Counts paints of a text view's viewport, remembering what the document showed."""

    def __init__(self, view, on_paint=None):
        _, QEvent, QObject, _ = _qt()

        class Filter(QObject):
            def eventFilter(inner, obj, event):  # noqa: N805, N802 - Qt's name
                if event.type() == QEvent.Type.Paint:
                    self.paints += 1
                    self.last_paint = time.perf_counter()
                    if self.on_paint is not None:
                        self.on_paint()
                return False

        self.view = view
        self.on_paint = on_paint
        self.paints = 0
        self.last_paint = 0.0
        self._filter = Filter()
        view.viewport().installEventFilter(self._filter)


def showing(view, text: str, first_entity_qt: int | None, length: int | None = None) -> bool:
    """Does the view's document hold ``text`` (same start, length and end) with its first entity formatted?

    Reads the document's piece table only (``characterAt``, block fragments):
    nothing here moves a cursor, which would lay out blocks that Qt would
    otherwise lay out later, or never. ``length``: ``_qt_length(text)``, if known.
    """
    doc = view.document()
    n = doc.characterCount() - 1  # without the final paragraph separator
    if n != (_qt_length(text) if length is None else length):
        return False
    head = min(40, len(text))
    if any(doc.characterAt(k) != _qt_char(text[k]) for k in range(head) if ord(text[k]) <= 0xFFFF):
        return False
    tail = text[-12:]
    if all(ord(c) <= 0xFFFF for c in tail) and "".join(doc.characterAt(n - len(tail) + k) for k in range(len(tail))) != "".join(map(_qt_char, tail)):
        return False
    if first_entity_qt is None:
        return True
    block = doc.findBlock(first_entity_qt)
    it = block.begin()
    while not it.atEnd():
        fragment = it.fragment()
        if fragment.position() <= first_entity_qt < fragment.position() + fragment.length():
            return fragment.charFormat().background().style() != Qt_NoBrush()
        it += 1
    return False


def _qt_length(text: str) -> int:
    """Length of ``setPlainText(text)``'s document: UTF-16 units, "\r\n" as one separator."""
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF) - text.count("\r\n")


def _qt_char(c: str) -> str:
    return "\u2029" if c in "\r\n" else c


def Qt_NoBrush():  # noqa: N802
    from PySide6.QtCore import Qt

    return Qt.BrushStyle.NoBrush


def wait_until(app, condition, timeout: float = 30.0) -> bool:
    from PySide6.QtCore import QEventLoop

    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        if condition():
            return True
        time.sleep(0.0005)
    return False


def _qt_position(text: str, index: int) -> int:
    """Code point -> QTextDocument position for the generated texts (astral characters take two)."""
    from annotator.offsets import utf16_prefix

    return utf16_prefix(text[: index + 1])[index]


def _articles(project: str, n: int, start: int | None = None):
    """``n`` pending articles of a project from ``start`` (default: the first), with their entities."""
    from annotator.store import AnnotationStore

    store = AnnotationStore.open(project, annotator="bench-reader", readonly=True)
    try:
        out, current = [], start or store.next_to_review(None)
        while current is not None and len(out) < n:
            article = store.article(current)
            out.append((article, store.entities(current)))
            current = store.neighbour(current, "pending")
        return out, store.labels()
    finally:
        store.close()


def _summary(times: list[float], **extra) -> dict:
    from .common import median, pct

    ms = [t * 1000 for t in times]
    return dict(p50_ms=median(ms), p95_ms=pct(ms, 95), max_ms=max(ms), presses=len(ms), **extra)


# -------------------------------------------------------- next: baseline
def next_baseline(project: str, presses: int, width: int = 900, height: int = 700, start: int = 0,
                  pause_ms: int = 0) -> None:
    """A bare QPlainTextEdit: on A, set the next text and its highlights as character formats."""
    from PySide6.QtCore import QEvent, QObject, Qt
    from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QPlainTextEdit

    from annotator.offsets import utf16_prefix

    app = QApplication.instance() or QApplication(sys.argv[:1])
    articles, labels = _articles(project, presses + 1, start or None)
    colors = {label.name: QColor(label.color) for label in labels}
    edit = QPlainTextEdit()
    edit.setReadOnly(True)
    edit.resize(width + 2 * edit.frameWidth(), height + 2 * edit.frameWidth())
    state = {"k": 0}

    def show(k: int) -> None:
        article, entities = articles[k]
        text = article.text
        table = utf16_prefix(text) if any(ord(c) > 0xFFFF for c in text) else None
        edit.setPlainText(text)
        cursor = QTextCursor(edit.document())
        cursor.beginEditBlock()
        for e in entities:
            fmt = QTextCharFormat()
            fmt.setBackground(colors.get(e.label, QColor("#dddddd")))
            cursor.setPosition(e.start if table is None else table[e.start])
            cursor.setPosition(e.end if table is None else table[e.end], QTextCursor.MoveMode.KeepAnchor)
            cursor.setCharFormat(fmt)
        cursor.endEditBlock()

    class Keys(QObject):
        def eventFilter(self, obj, event):  # noqa: N802
            if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_A:
                state["k"] += 1
                show(state["k"])
                return True
            return False

    keys = Keys()
    edit.installEventFilter(keys)
    show(0)
    edit.show()
    watch = PaintWatch(edit)
    wait_until(app, lambda: watch.paints > 0)
    times = _press_loop(app, edit, watch, articles, presses, QTest, Qt, pause_ms / 1000)
    size = edit.viewport().size()
    _emit(**_summary(times, chars=len(articles[0][0].text), entities=len(articles[0][1]),
                     viewport=[size.width(), size.height()]))


def _press_loop(app, target, watch, articles, presses, QTest, Qt, pause: float = 0.0, ready=None) -> list[float]:
    """Press A ``presses`` times; each time from the press to the end of the paint showing the next article.

    The wait is a real event loop (as the app runs for a reviewer), not a polling
    loop: a polling loop's sleeps would delay every reply a worker thread posts.
    The press counts as painted in a zero timer started by the paint, which runs
    once the paint (and the rest of that repaint of the window) has finished.
    ``pause``: seconds of reading between a paint and the next press, with the
    event loop running (0: back to back). ``ready``: when given, each press waits (before its clock
    starts) until it says the key may be pressed again: the window takes a press of a decision key
    within 30 ms of its release for a held key's repeat (ui/one_press.py), and these synthetic
    events carry no timestamps, so the gap is real time.
    """
    from PySide6.QtCore import QEventLoop, QTimer

    loop, deadline = QEventLoop(), QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)
    state: dict = {}

    def check() -> None:
        if "done" not in state and watch.paints > state["before"] and showing(watch.view, *state["expect"]):
            state["done"] = time.perf_counter()
            loop.quit()

    watch.on_paint = lambda: QTimer.singleShot(0, check)
    times = []
    for k in range(1, presses + 1):
        article, entities = articles[k]
        state.clear()
        first = _qt_position(article.text, entities[0].start) if entities else None
        state.update(before=watch.paints, expect=(article.text, first, _qt_length(article.text)))
        if ready is not None and not ready():
            poll = QTimer()
            poll.timeout.connect(lambda: ready() and loop.quit())
            poll.start(1)
            loop.exec()
            poll.stop()
        deadline.start(30_000)
        t0 = time.perf_counter()
        QTest.keyClick(target, Qt.Key.Key_A)
        check()  # a synchronous handler may already have painted
        if "done" not in state:
            loop.exec()
        deadline.stop()
        if "done" not in state:
            raise SystemExit(f"press {k}: article {article.id} was not painted within the timeout")
        times.append(state["done"] - t0)
        if pause:
            QTimer.singleShot(int(pause * 1000), loop.quit)
            loop.exec()
    watch.on_paint = None
    return times


def main(command: str, args: list[str]) -> None:
    if command == "next-baseline":
        next_baseline(args[0], int(args[1]), *(int(a) for a in args[2:6]))
    elif command in ("next", "open", "memory"):
        from . import gui_ours

        getattr(gui_ours, command.replace("-", "_"))(*args)
    else:
        raise SystemExit(f"unknown GUI command {command!r}")
