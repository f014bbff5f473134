"""Review sessions: the summary shown at closing, and the list of past ones (Help menu)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from annotator.wording import session_counts


def _when(stamp: str | None) -> str:
    if not stamp:
        return "—"
    return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")


def _minutes(summary: dict) -> str:
    if not summary.get("ended_at"):
        return "open"
    seconds = (datetime.fromisoformat(summary["ended_at"]) - datetime.fromisoformat(summary["started_at"])).total_seconds()
    return f"{seconds / 60:.0f} min"


def summary_text(summary: dict) -> str:
    return f"{summary['annotator']} reviewed for {_minutes(summary)}: {session_counts(summary)}."


class SummaryBox(QMessageBox):
    """The summary at quitting: the project is already saved and closed, so any one of Enter, Esc
    or Q dismisses it (Settings turns it off)."""

    def __init__(self, summary: dict, parent=None):
        super().__init__(QMessageBox.Icon.Information, "Session summary", summary_text(summary), QMessageBox.StandardButton.Ok, parent)
        self.setTextFormat(Qt.TextFormat.PlainText)  # the annotator's name is data
        self.setInformativeText("Enter, Esc or Q closes this; Settings can turn it off.")
        self.setEscapeButton(QMessageBox.StandardButton.Ok)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Q and not event.modifiers():
            self.accept()
        else:
            super().keyPressEvent(event)


class SessionsDialog(QDialog):
    COLUMNS = ["Started", "Length", "Annotator", "Accepted", "Rejected", "Skipped", "Decided"]

    def __init__(self, sessions: list[dict], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Review sessions")
        self.table = QTableWidget(len(sessions), len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        for r, s in enumerate(sessions):
            cells = [_when(s["started_at"]), _minutes(s), s["annotator"], s["accepted"], s["rejected"], s["skipped"], s["decided"]]
            for c, value in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(str(value)))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(680, 360)
