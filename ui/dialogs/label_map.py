"""Edit → Labels and mapping…: what each model label becomes in this project, and where that comes
from (``annotator labels --show-map``'s table), with a project override set or cleared per model label.

The rows come from ``annotator.labels.effective_map``, the same function the command line prints;
an override is written by ``labels.with_override`` on the window's writer thread. Everything shown
is plain text (table items, a plain QLabel).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView, QLabel, QPushButton,
    QTableWidget, QTableWidgetItem, QVBoxLayout,
)

from annotator.labels import OVERRIDE

NOT_SHOWN = "(not shown)"  # a model label mapped to nothing: its suggestions are dropped
COLUMNS = ("Model label", "Project label", "Where it comes from")

Row = tuple[str, "str | None", str]


class LabelMapDialog(QDialog):
    """``read()`` gives (model name, rows, project labels); ``write(model_label, target)`` sets an
    override (target None: not shown) and ``clear(model_label)`` removes one. ``on_changes`` takes
    the window's writes: any change of labels or map (here, a rename, another window) reads afresh."""

    def __init__(self, read: Callable[[], tuple[str, list[Row], list[str]]],
                 write: Callable[[str, str | None], None], clear: Callable[[str], None], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Labels and mapping")
        self._read, self._write, self._clear = read, write, clear
        self.rows: list[Row] = []
        self._targets: list[str | None] = []
        self.heading = QLabel(textFormat=Qt.TextFormat.PlainText, wordWrap=True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.target = QComboBox()
        self.set_button = QPushButton("Set override")
        self.clear_button = QPushButton("Clear override")
        row = QHBoxLayout()
        row.addWidget(QLabel("Show the selected model label as", textFormat=Qt.TextFormat.PlainText))
        row.addWidget(self.target, 1)
        row.addWidget(self.set_button)
        row.addWidget(self.clear_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.set_button.clicked.connect(self._set)
        self.clear_button.clicked.connect(self._clear_selected)
        self.refresh()
        self.resize(620, 560)

    def refresh(self) -> None:
        """Read the map afresh (after an override was written, or the labels changed), keeping the selection."""
        selected = self.selected()
        model, self.rows, project_labels = self._read()
        self.heading.setText(f"What the suggestions of {model} become in this project. Built-in map: "
                             "resources/label_map.json; a project override wins over it.")
        self.table.setRowCount(len(self.rows))
        for i, (model_label, target, where) in enumerate(self.rows):
            for j, text in enumerate((model_label, target or NOT_SHOWN, where)):
                self.table.setItem(i, j, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        # by place, not by text: a project label may itself be called "(not shown)"
        self._targets = [*project_labels, None]
        self.target.clear()
        self.target.addItems([*project_labels, NOT_SHOWN])
        names = [r[0] for r in self.rows]
        if selected in names:
            self.table.selectRow(names.index(selected))
        self._on_selection()

    def on_changes(self, changes, _initiator=None) -> None:
        if changes.labels and self.isVisible():
            self.refresh()

    def table_text(self) -> list[tuple[str, ...]]:
        """The table as shown, row by row."""
        return [tuple(self.table.item(i, j).text() for j in range(len(COLUMNS))) for i in range(self.table.rowCount())]

    def selected(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.rows[rows[0].row()][0] if rows and rows[0].row() < len(self.rows) else None

    def select(self, model_label: str) -> None:
        self.table.selectRow([r[0] for r in self.rows].index(model_label))

    def _on_selection(self) -> None:
        chosen = self.selected()
        row = next((r for r in self.rows if r[0] == chosen), None)
        self.set_button.setEnabled(row is not None)
        self.target.setEnabled(row is not None)
        self.clear_button.setEnabled(row is not None and row[2] == OVERRIDE)
        if row is not None:  # a target the project lost since shows as "not shown", as it acts
            shown_as = row[1] if row[1] in self._targets else None
            self.target.setCurrentIndex(self._targets.index(shown_as))

    def _set(self) -> None:
        chosen = self.selected()
        if chosen is not None and self.target.currentIndex() >= 0:
            self._write(chosen, self._targets[self.target.currentIndex()])

    def _clear_selected(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self._clear(chosen)
