"""The keyboard map, generated from ``ACTIONS`` so it can never disagree with the real bindings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout

from annotator.model import Label

from ..actions import ACTIONS, action_names


def key_text(keys: tuple[str, ...]) -> str:
    native = QKeySequence.SequenceFormat.NativeText
    return ", ".join(QKeySequence(k, QKeySequence.SequenceFormat.PortableText).toString(native) or k for k in keys)


def keyboard_map_rows(keys: Mapping[str, tuple[str, ...]], labels: Sequence[Label]) -> list[tuple[str, str, str]]:
    """(section, keys, what they do) for every action, review keys first; a section is named once."""
    order = {"Review": 0, "Edit": 1, "View": 2, "File": 3, "Help": 4}
    names = action_names(labels)
    rows = [(spec.menu, key_text(keys[action_id]), names[action_id]) for action_id, spec in ACTIONS.items()]
    rows.sort(key=lambda r: order.get(r[0], 9))  # stable: table order within a section
    return [("" if i and rows[i - 1][0] == section else section, k, t) for i, (section, k, t) in enumerate(rows)]


class KeyboardMapDialog(QDialog):
    def __init__(self, keys: Mapping[str, tuple[str, ...]], labels: Sequence[Label], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard map")
        rows = keyboard_map_rows(keys, labels)
        self.table = QTableWidget(len(rows), 3)
        self.table.setHorizontalHeaderLabels(["Menu", "Keys", "Action"])
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(text))  # items are plain text
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setShowGrid(False)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        note = QLabel("Change keys in Edit → Settings.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(560, 660)
