"""Settings: who annotates, which model suggests, whether entities may overlap, automatic retraining, the
summary at quitting, and the keys."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from annotator.model import Label

from ..actions import ACTIONS, action_names, clashes, key_sequence, normal, resolve_keys
from ..plain import set_plain_tooltip

CLASH = QColor("#f4c7c3")  # a key cell that cannot stand as typed


@dataclass
class SettingsValues:
    annotator: str
    model: str
    allow_overlap: bool
    shortcuts: dict[str, list[str]]  # only the actions whose keys differ from the defaults
    show_summary: bool = True  # the session summary when quitting
    retrain_every: int = 0  # retrain the project's model after every N newly accepted articles (0: off)


def split_keys(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


class SettingsDialog(QDialog):
    def __init__(self, values: SettingsValues, labels: Sequence[Label], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.annotator = QLineEdit(values.annotator)
        self.model = QLineEdit(values.model)
        self.model.setPlaceholderText("installed spaCy package or pipeline folder")
        self.allow_overlap = QCheckBox("Entities may overlap (this project)")
        self.allow_overlap.setChecked(values.allow_overlap)
        self.show_summary = QCheckBox("Show the session summary when quitting")
        self.show_summary.setChecked(values.show_summary)
        self.retrain_every = QSpinBox()
        self.retrain_every.setRange(0, 1_000_000)
        self.retrain_every.setSpecialValueText("off")
        self.retrain_every.setSuffix(" accepted articles")
        self.retrain_every.setValue(values.retrain_every)

        keys, _ = resolve_keys(values.shortcuts)
        self._names = action_names(labels)
        self.keys = QTableWidget(len(ACTIONS), 2)
        self.keys.setHorizontalHeaderLabels(["Action", "Keys (comma separated)"])
        for row, action_id in enumerate(ACTIONS):
            name = QTableWidgetItem(self._names[action_id])
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
        form.addRow("Retrain the model every (this project)", self.retrain_every)
        form.addRow("", self.show_summary)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        # Checked as typed: a clash is shown in both rows at once, not after OK.
        self.keys.itemChanged.connect(self._check)
        self.annotator.textChanged.connect(self._check)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Keys"))
        layout.addWidget(self.keys, 1)
        layout.addWidget(self.problems)
        layout.addWidget(buttons)
        self.resize(640, 640)
        self._check()

    def _typed(self) -> dict[str, list[str]]:
        return {
            self.keys.item(row, 0).data(Qt.ItemDataRole.UserRole): split_keys(self.keys.item(row, 1).text())
            for row in range(self.keys.rowCount())
        }

    def _check(self) -> list[str]:
        """Mark every key cell that cannot stand (a key it cannot read, a key another row has),
        say why in its tooltip and under the table, and allow OK only when none is left."""
        typed = self._typed()
        shared = clashes({a: [normal(t) for t in texts if key_sequence(t)] for a, texts in typed.items()})
        problems = []
        self.keys.blockSignals(True)  # marking a cell is an item change too
        for row, (action_id, texts) in enumerate(typed.items()):
            unreadable = next((t for t in texts if key_sequence(t) is None), None)
            if unreadable is not None:
                why = f"cannot read the key {unreadable!r}"
            elif action_id in shared:
                why = "also used by " + ", ".join(self._names[other] for other in shared[action_id])
            else:
                why = ""
            cell = self.keys.item(row, 1)
            cell.setData(Qt.ItemDataRole.BackgroundRole, CLASH if why else None)
            set_plain_tooltip(cell, why)
            if why:
                problems.append(f"{self._names[action_id]}: {why}")
        self.keys.blockSignals(False)
        if not self.annotator.text().strip():
            problems.insert(0, "the annotator name cannot be empty")
        self.problems.setText("\n".join(problems))
        self.ok.setEnabled(not problems)
        return problems

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
            retrain_every=self.retrain_every.value(),
        )

    def accept(self) -> None:
        if not self._check():  # OK is disabled while a problem stands; Enter must not get past it either
            super().accept()
