"""Model → Train now…'s result (per-label scores, new next to previous, and "Use it anyway" for
a version that scored worse), and Model → Versions… (every version, and switching)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from annotator.learning import Scores
from annotator.model import ModelVersion
from annotator.training import score_lines
from annotator.versions import BASE


def _plain_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # label names and paths are data
    label.setWordWrap(True)
    return label


class TrainingResultDialog(QDialog):
    """What a training run gave: its summary and a plain-text table of P/R/F1 per label."""

    use_requested = Signal(str)  # a version's name

    def __init__(self, result: dict, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Training finished")
        self.version = result["version"]
        self.summary = _plain_label(result["summary"])
        self.table = QPlainTextEdit("\n".join(score_lines(
            Scores.from_json(result["scores"]), Scores.from_json(result["previous_scores"]),
            result["version"], result["previous"])))
        self.table.setReadOnly(True)
        self.table.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.table.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.table.setMinimumWidth(self.table.fontMetrics().horizontalAdvance("x" * 64))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.use_anyway = None
        if not result["switched"]:
            self.use_anyway = buttons.addButton(f"Use {self.version} anyway", QDialogButtonBox.ButtonRole.AcceptRole)
            self.use_anyway.clicked.connect(lambda: (self.use_requested.emit(self.version), self.accept()))
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(_plain_label("Held-out precision, recall and F1 per label, the new version next to the one in use:"))
        layout.addWidget(self.table)
        layout.addWidget(buttons)


class VersionsDialog(QDialog):
    """Every model version of the project, the one in use marked; "Use this version" switches."""

    COLUMNS = ["Version", "Created", "Trained on", "Held out", "F1", "F1 before", "In use"]
    use_requested = Signal(str)

    def __init__(self, versions: list[ModelVersion], in_use: int | None, base: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Model versions")
        rows = [[BASE, base, "", "", "", "", "✓" if in_use is None else ""]]
        for v in versions:
            rows.append([v.name, v.created_at[:16].replace("T", " "), str(v.trained_on), str(v.held_out),
                         f"{Scores.from_json(v.scores).micro.f1:.2f}", f"{Scores.from_json(v.previous_scores).micro.f1:.2f}",
                         "✓" if v.id == in_use else ""])
        self.table = QTableWidget(len(rows), len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)  # plain text: a model path is data
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.table.setItem(r, c, item)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectRow(len(rows) - 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.use = buttons.addButton("Use this version", QDialogButtonBox.ButtonRole.AcceptRole)
        self.use.clicked.connect(self._use)
        layout = QVBoxLayout(self)
        layout.addWidget(_plain_label("F1: micro F1 on the version's held-out articles; F1 before: the model then in "
                                      "use on the same articles. Switching re-suggests the pending articles other "
                                      "versions suggested for, in the background."))
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(640, 320)

    def _use(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.use_requested.emit(self.table.item(row, 0).text())
            self.accept()
