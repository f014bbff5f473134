"""Settings: who annotates, which model suggests, whether entities may overlap, the summary at quitting, and the keys."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ..actions import ACTIONS, normal, resolve_keys


@dataclass
class SettingsValues:
    annotator: str
    model: str
    allow_overlap: bool
    shortcuts: dict[str, list[str]]  # only the actions whose keys differ from the defaults
    show_summary: bool = True  # the session summary when quitting


def split_keys(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


class SettingsDialog(QDialog):
    def __init__(self, values: SettingsValues, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.annotator = QLineEdit(values.annotator)
        self.model = QLineEdit(values.model)
        self.model.setPlaceholderText("installed spaCy package or pipeline folder")
        self.allow_overlap = QCheckBox("Entities may overlap (this project)")
        self.allow_overlap.setChecked(values.allow_overlap)
        self.show_summary = QCheckBox("Show the session summary when quitting")
        self.show_summary.setChecked(values.show_summary)

        keys, _ = resolve_keys(values.shortcuts)
        self.keys = QTableWidget(len(ACTIONS), 2)
        self.keys.setHorizontalHeaderLabels(["Action", "Keys (comma separated)"])
        for row, (action_id, spec) in enumerate(ACTIONS.items()):
            name = QTableWidgetItem(spec.text)
            name.setFlags(Qt.ItemFlag.ItemIsEnabled)
            name.setData(Qt.ItemDataRole.UserRole, action_id)
            self.keys.setItem(row, 0, name)
            self.keys.setItem(row, 1, QTableWidgetItem(", ".join(keys[action_id])))
        self.keys.verticalHeader().hide()
        self.keys.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.keys.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.keys.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)

        self.problems = QLabel()
        self.problems.setTextFormat(Qt.TextFormat.PlainText)
        self.problems.setWordWrap(True)
        self.problems.setObjectName("problems")

        form = QFormLayout()
        form.addRow("Annotator name", self.annotator)
        form.addRow("Model", self.model)
        form.addRow("", self.allow_overlap)
        form.addRow("", self.show_summary)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Keys"))
        layout.addWidget(self.keys, 1)
        layout.addWidget(self.problems)
        layout.addWidget(buttons)
        self.resize(640, 640)

    def overrides(self) -> dict[str, list[str]]:
        out = {}
        for row in range(self.keys.rowCount()):
            action_id = self.keys.item(row, 0).data(Qt.ItemDataRole.UserRole)
            texts = split_keys(self.keys.item(row, 1).text())
            if tuple(normal(t) for t in texts) != tuple(normal(t) for t in ACTIONS[action_id].default_keys):
                out[action_id] = texts
        return out

    def values(self) -> SettingsValues:
        return SettingsValues(
            annotator=self.annotator.text().strip(),
            model=self.model.text().strip(),
            allow_overlap=self.allow_overlap.isChecked(),
            shortcuts=self.overrides(),
            show_summary=self.show_summary.isChecked(),
        )

    def accept(self) -> None:
        # Refuse to close on a bad binding: better said here than silently reverted later.
        _, problems = resolve_keys(self.overrides())
        if not self.annotator.text().strip():
            problems.insert(0, "the annotator name cannot be empty")
        if problems:
            self.problems.setText("\n".join(problems))
            return
        super().accept()
