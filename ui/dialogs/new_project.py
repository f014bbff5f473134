"""File → New project…: the label set a new project starts with (the model's own labels or a preset)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QPlainTextEdit, QVBoxLayout


class NewProjectDialog(QDialog):
    """Choose among ``choices`` (name -> labels, see ``annotator.new_project.label_choices``);
    ``label_names()`` once accepted. Label names are shown as plain text."""

    def __init__(self, path: Path, choices: dict[str, list[str]], parent=None):
        super().__init__(parent)
        self.setWindowTitle("New project")
        self._choices = choices
        self.label_set = QComboBox()
        for name, labels in choices.items():
            self.label_set.addItem(f"{name} ({len(labels)} labels)", name)
        self.labels = QPlainTextEdit(readOnly=True)
        self.labels.setMaximumHeight(90)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = buttons.addButton("Create", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Project file", QLabel(str(path), textFormat=Qt.TextFormat.PlainText))
        form.addRow("Labels", self.label_set)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.labels)
        later = "Labels can be renamed, removed and added later (Edit menu, or annotator labels in a terminal)."
        layout.addWidget(QLabel(later, textFormat=Qt.TextFormat.PlainText))
        layout.addWidget(buttons)
        self.label_set.currentIndexChanged.connect(self._show_labels)
        self._show_labels()
        self.resize(520, 260)

    def choose(self, name: str) -> None:
        self.label_set.setCurrentIndex(self.label_set.findData(name))

    def label_names(self) -> list[str]:
        return list(self._choices[self.label_set.currentData()])

    def _show_labels(self) -> None:
        self.labels.setPlainText(", ".join(self.label_names()))
