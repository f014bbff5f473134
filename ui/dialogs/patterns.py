"""Edit → Patterns…: the project's patterns (``annotator patterns``), added from a file and removed.

Every pattern, label and message is data: table items and a plain-text label show it as it is.
Reading and checking a file (spaCy's Matcher validates token patterns) and every change run on
the writer thread, like any write; the table is read again when one has finished.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from annotator.model import Changes, Pattern
from annotator.wording import plural

from ..tasks import TaskRunner

COLUMNS = ("Label", "Pattern", "Id")


class PatternsDialog(QDialog):
    def __init__(self, runner: TaskRunner, read: Callable[[], list[Pattern]], folder: Path, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Patterns")
        self._runner, self._read, self._folder = runner, read, folder
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.add_labels = QCheckBox("Add the &labels a file uses that the project lacks")
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # file names and spaCy's words are data
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.add_button = QPushButton("&Add from file…")
        self.remove_button = QPushButton("&Remove selected")
        buttons.addButton(self.add_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.remove_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.add_button.clicked.connect(self._choose_file)
        self.remove_button.clicked.connect(self.remove_selected)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table, self.remove_selected,
                  context=Qt.ShortcutContext.WidgetShortcut)
        self.table.itemSelectionChanged.connect(self._enable)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.add_labels)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(640, 380)
        self.refresh()

    def refresh(self) -> None:
        self._patterns = self._read()
        self.table.setRowCount(len(self._patterns))
        for row, p in enumerate(self._patterns):
            for column, value in enumerate((p.label, p.text, p.pattern_id or "")):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self._enable()

    def _enable(self) -> None:
        self.remove_button.setEnabled(bool(self.table.selectionModel().selectedRows()))

    def _say(self, text: str) -> None:
        self.message.setText(text)

    def _choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Add patterns", str(self._folder), "Patterns (*.jsonl);;All files (*)")
        if name:
            self.add_file(Path(name))

    def add_file(self, path: Path) -> None:
        """Read, check and store a patterns file's patterns on the writer thread: all, or none with why."""
        add_labels = self.add_labels.isChecked()

        def add(store):
            from annotator.patterns import add_pattern_files

            report = add_pattern_files(store, [path], add_labels=add_labels)
            return report, Changes(labels=bool(report.labels_added))

        self._say(f"reading {path.name}…")
        self._runner.submit(add, on_failure=self._say, what="the patterns",
                            on_success=lambda report: self._done(f"{report.summary()}; articles suggested from now on use them"))

    def remove_selected(self) -> None:
        numbers = [self._patterns[index.row()].number for index in self.table.selectionModel().selectedRows()]
        if not numbers:
            return
        self._runner.submit(lambda store: store.remove_patterns(numbers), on_failure=self._say, what="the removal",
                            on_success=lambda removed: self._done(f"removed {plural(removed, 'pattern')}; suggestions they made stay"))

    def _done(self, said: str) -> None:
        self.refresh()
        self._say(said)
