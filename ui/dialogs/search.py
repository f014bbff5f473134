"""Search the articles (Ctrl+F): type, pick a result with the arrows, Enter jumps to it.

Each result shows its title and a few words of context with the matched words
marked; the window then marks them in the article. The full-text index answers
in milliseconds, but the search still runs on a thread of its own with its own
read connection, newest query first, so that nothing typed ever waits for it.
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path

from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QDialog, QLabel, QLineEdit, QListView, QListWidget, QListWidgetItem, QStyle, QStyledItemDelegate, QVBoxLayout,
)

from annotator.errors import AnnotatorError
from annotator.store import AnnotationStore
from annotator.store.search import Marked, SearchHit

from .. import theme
from ..article_list_model import status_icon
from ..plain import set_plain_tooltip

DEBOUNCE_MS = 150
LIMIT = 50  # results shown (a quarter of a millisecond each, for the context); the status line says when there may be more
HIT_ROLE = Qt.ItemDataRole.UserRole + 1  # the item's SearchHit


class Searcher(QObject):
    """Runs store.search on a worker thread; only the newest waiting query is run."""

    found = Signal(str, list)  # the query, its SearchHits
    failed = Signal(str, str)  # the query, why it could not run

    def __init__(self, path: Path, parent=None):
        super().__init__(parent)
        self._queries: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._work, args=(path,), name="annotator-search", daemon=True)
        self._thread.start()

    def ask(self, query: str) -> None:
        self._queries.put(query)

    def stop(self) -> None:
        self._queries.put(None)

    def join(self, timeout: float) -> None:
        """Wait until the thread has closed its connection (a closing window lets go of the project)."""
        self._thread.join(timeout)

    def _work(self, path: Path) -> None:
        try:
            store = AnnotationStore.open(path, readonly=True)
        except AnnotatorError:
            return  # the window's own connection reports problems with the file
        try:
            while (query := self._queries.get()) is not None:
                while not self._queries.empty():  # skip what the user has typed past
                    query = self._queries.get()
                    if query is None:
                        return
                try:
                    try:
                        hits = store.search(query, limit=LIMIT)
                    except AnnotatorError as e:
                        self.failed.emit(query, str(e))
                    else:
                        self.found.emit(query, hits)
                except RuntimeError:  # the dialog is gone
                    return
        finally:
            store.close()


def insert_marked(cursor: QTextCursor, marked: Marked, plain: QTextCharFormat, mark: QTextCharFormat) -> None:
    """Insert ``marked`` as plain text (never markup), its matched ranges in ``mark``."""
    done = 0
    for start, end in marked.marks:
        cursor.insertText(marked.text[done:start], plain)
        cursor.insertText(marked.text[start:end], mark)
        done = end
    cursor.insertText(marked.text[done:], plain)


class HitDelegate(QStyledItemDelegate):
    """Paints a result as its title over a line of context, matched words bold on yellow."""

    MARGIN = 6

    def document(self, hit: SearchHit, width: int) -> QTextDocument:
        document = QTextDocument()
        document.setDefaultFont(theme.font(10))
        document.setDocumentMargin(self.MARGIN)
        document.setTextWidth(max(width, 100))
        mark = QTextCharFormat()
        mark.setFontWeight(QFont.Weight.Bold)
        mark.setBackground(theme.SEARCH_MARK)
        title, context = QTextCharFormat(), QTextCharFormat()
        title.setFontWeight(QFont.Weight.DemiBold)
        title.setForeground(theme.INK)
        context.setForeground(theme.MUTED)
        cursor = QTextCursor(document)
        insert_marked(cursor, hit.title if hit.title.text else Marked(f"Article {hit.article_id}", ()), title, mark)
        cursor.insertBlock()
        insert_marked(cursor, hit.context, context, mark)
        return document

    def _width(self, option) -> int:
        view = self.parent()
        return (view.viewport().width() if view is not None else option.rect.width()) - option.decorationSize.width() - 8

    def sizeHint(self, option, index) -> QSize:
        hit = index.data(HIT_ROLE)
        if hit is None:
            return super().sizeHint(option, index)
        document = self.document(hit, self._width(option))
        return QSize(int(document.idealWidth()), int(document.size().height()))

    def paint(self, painter, option, index) -> None:
        hit = index.data(HIT_ROLE)
        if hit is None:
            super().paint(painter, option, index)
            return
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(option.rect, theme.SELECTION)  # light, as in the article: the grey context stays readable
        icon = index.data(Qt.ItemDataRole.DecorationRole)
        icon_size = option.decorationSize
        if icon is not None:
            icon.paint(painter, option.rect.left() + 4, option.rect.top() + self.MARGIN + 2, icon_size.width(), icon_size.height())
        document = self.document(hit, option.rect.width() - icon_size.width() - 8)
        painter.save()
        painter.translate(option.rect.left() + icon_size.width() + 8, option.rect.top())
        document.drawContents(painter)
        painter.restore()


class SearchDialog(QDialog):
    article_chosen = Signal(int, str)  # the article, the query that found it (to mark it there)

    def __init__(self, store: AnnotationStore, parent=None):
        super().__init__(parent)
        self._searcher = Searcher(store.path, self)
        self._searcher.found.connect(self._show, Qt.ConnectionType.QueuedConnection)
        self._searcher.failed.connect(self._failed, Qt.ConnectionType.QueuedConnection)
        self._asked: str | None = None  # the query whose results are awaited
        self.shown = ""  # the query whose results (or failure) are on show
        self._choose_when_found = False
        self.finished.connect(self._searcher.stop)
        self.setWindowTitle("Search articles")
        self.query = QLineEdit()
        self.query.setPlaceholderText("Words in the title or text (the last one may be unfinished)")
        self.query.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setItemDelegate(HitDelegate(self.results))
        self.results.setResizeMode(QListView.ResizeMode.Adjust)  # rows re-wrap their context to the width
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # it quotes the query
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self.run_search)
        self.query.textChanged.connect(self._timer.start)
        self.query.returnPressed.connect(self._choose)
        self.results.itemActivated.connect(self._choose)
        self.query.installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.query)
        layout.addWidget(self.results)
        layout.addWidget(self.status)
        self.resize(640, 460)

    def shut(self) -> None:
        """Close, and wait for the search thread to let go of the project."""
        self.reject()
        self._searcher.stop()
        self._searcher.join(5)

    def run_search(self) -> None:
        self._timer.stop()
        self._asked = self.query.text()
        self._searcher.ask(self._asked)

    def _show(self, query: str, hits: list) -> None:
        if query != self._asked:
            return  # an older query's answer: the user has typed on
        self._asked, self.shown = None, query
        self.results.clear()
        for hit in hits:
            item = QListWidgetItem(status_icon(hit.status), hit.title.text or f"Article {hit.article_id}")
            item.setData(Qt.ItemDataRole.UserRole, hit.article_id)
            item.setData(HIT_ROLE, hit)
            set_plain_tooltip(item, f"Article {hit.article_id} · {hit.status}")
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)
        words = " ".join(query.split())
        if not words:
            self.status.setText("")
        elif not hits:
            self.status.setText(f"No matches for “{words}”")
        elif len(hits) >= LIMIT:
            self.status.setText(f"The first {LIMIT} matches, in queue order: add words to narrow them")
        else:
            self.status.setText("1 article matches" if len(hits) == 1 else f"{len(hits)} articles match")
        if self._choose_when_found:
            self._choose_when_found = False
            self._choose()

    def _failed(self, query: str, message: str) -> None:
        if query != self._asked:
            return
        self._asked, self.shown, self._choose_when_found = None, query, False
        self.results.clear()
        self.status.setText(message)

    def eventFilter(self, obj, event) -> bool:
        # Up/Down in the query line move through the results, so the hands stay on the keyboard.
        if obj is self.query and event.type() == event.Type.KeyPress and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            step = -1 if event.key() == Qt.Key.Key_Up else 1
            row = max(0, min(self.results.count() - 1, self.results.currentRow() + step))
            self.results.setCurrentRow(row)
            return True
        return super().eventFilter(obj, event)

    def _choose(self, *_) -> None:
        if self._timer.isActive():
            self.run_search()
        if self._asked is not None:  # Enter before the results came: take the first when they do
            self._choose_when_found = True
            return
        item = self.results.currentItem()
        if item is not None:
            self.article_chosen.emit(item.data(Qt.ItemDataRole.UserRole), self.shown)
            self.accept()
