"""Search the articles (Ctrl+F): type, pick a result with the arrows, Enter jumps to it."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QDialog, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout

from annotator.store import AnnotationStore

from ..article_list_model import status_icon

DEBOUNCE_MS = 150


class SearchDialog(QDialog):
    article_chosen = Signal(int)

    def __init__(self, store: AnnotationStore, parent=None):
        super().__init__(parent)
        self._store = store
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
        self.results.clear()
        for article_id, title, status in self._store.search(self.query.text()):
            item = QListWidgetItem(status_icon(status), title or f"Article {article_id}")
            item.setData(Qt.ItemDataRole.UserRole, article_id)
            item.setToolTip(f"Article {article_id} · {status}")
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)

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
        item = self.results.currentItem()
        if item is not None:
            self.article_chosen.emit(item.data(Qt.ItemDataRole.UserRole))
            self.accept()
