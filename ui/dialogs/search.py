"""Search the articles (Ctrl+F): type, pick a result with the arrows, Enter jumps to it.

A search reads every article's text when the words are rare (a few hundred
milliseconds on a 100,000-article project), so it runs on a thread of its own
with its own read connection, newest query first, and the dialog never freezes.
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QDialog, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout

from annotator.errors import AnnotatorError
from annotator.store import AnnotationStore

from ..article_list_model import status_icon
from ..plain import set_plain_tooltip

DEBOUNCE_MS = 150


class Searcher(QObject):
    """Runs store.search on a worker thread; only the newest waiting query is run."""

    found = Signal(str, list)  # the query, its (id, title, status) rows

    def __init__(self, path: Path, parent=None):
        super().__init__(parent)
        self._queries: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._work, args=(path,), name="annotator-search", daemon=True).start()

    def ask(self, query: str) -> None:
        self._queries.put(query)

    def stop(self) -> None:
        self._queries.put(None)

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
                    self.found.emit(query, store.search(query))
                except RuntimeError:  # the dialog is gone
                    return
        finally:
            store.close()


class SearchDialog(QDialog):
    article_chosen = Signal(int)

    def __init__(self, store: AnnotationStore, parent=None):
        super().__init__(parent)
        self._searcher = Searcher(store.path, self)
        self._searcher.found.connect(self._show, Qt.ConnectionType.QueuedConnection)
        self._asked: str | None = None  # the query whose results are awaited
        self._choose_when_found = False
        self.finished.connect(self._searcher.stop)
        self.setWindowTitle("Search articles")
        self.query = QLineEdit()
        self.query.setPlaceholderText("Words in the title or text")
        self.query.setClearButtonEnabled(True)
        self.results = QListWidget()
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self.run_search)
        self.query.textChanged.connect(self._timer.start)
        self.query.returnPressed.connect(self._choose)
        self.results.itemActivated.connect(self._choose)
        self.query.installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.query)
        layout.addWidget(self.results)
        self.resize(560, 420)

    def run_search(self) -> None:
        self._timer.stop()
        self._asked = self.query.text()
        self._searcher.ask(self._asked)

    def _show(self, query: str, rows: list) -> None:
        if query != self._asked:
            return  # an older query's answer: the user has typed on
        self._asked = None
        self.results.clear()
        for article_id, title, status in rows:
            item = QListWidgetItem(status_icon(status), title or f"Article {article_id}")
            item.setData(Qt.ItemDataRole.UserRole, article_id)
            set_plain_tooltip(item, f"Article {article_id} · {status}")
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)
        if self._choose_when_found:
            self._choose_when_found = False
            self._choose()

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
            self.article_chosen.emit(item.data(Qt.ItemDataRole.UserRole))
            self.accept()
