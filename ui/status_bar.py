"""The status bar: project progress, this session's pace, and the model's state."""

from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStatusBar

from annotator.model import Status

from .lookahead import UNAVAILABLE

MESSAGE_MS = 6000
STYLE = """
QStatusBar { background: #f3f1ec; border-top: 1px solid #e4e1da; }
QStatusBar::item { border: none; }
QLabel { color: #4b535c; padding: 2px 10px; border-left: 1px solid #e4e1da; }
"""


def progress_text(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    get = lambda status: counts.get(status.value, 0)  # noqa: E731
    return (
        f"accepted {get(Status.ACCEPTED)} · rejected {get(Status.REJECTED)} · "
        f"skipped {get(Status.SKIPPED)} · pending {get(Status.PENDING)} of {total}"
    )


def pace_text(summary: dict | None, now: datetime | None = None) -> str:
    """Articles decided in this session and their pace per hour."""
    decided = 0 if not summary else summary["accepted"] + summary["rejected"] + summary["skipped"]
    if decided == 0:
        return "session: nothing decided yet"
    started = datetime.fromisoformat(summary["started_at"])
    # At least a minute, so the first quick decision does not claim thousands an hour.
    hours = max(((now or datetime.now(timezone.utc)) - started).total_seconds() / 3600, 1 / 60)
    return f"session: {decided} decided · {decided / hours:.0f} articles/h"


def _plain_label(name: str) -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setObjectName(name)
    return label


class StatusBar(QStatusBar):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self.setStyleSheet(STYLE)
        self.progress = _plain_label("progress")
        self.pace = _plain_label("pace")
        self.model = _plain_label("model")
        for widget in (self.progress, self.pace, self.model):
            self.addPermanentWidget(widget)

    def set_counts(self, counts: dict[str, int]) -> None:
        self.progress.setText(progress_text(counts))

    def set_pace(self, summary: dict | None) -> None:
        self.pace.setText(pace_text(summary))

    def set_model_state(self, state: str, detail: str = "") -> None:
        self.model.setText(f"model: {state}")
        self.model.setToolTip(detail)
        if state == UNAVAILABLE and detail:
            self.say(f"suggestions are off: {detail}", timeout=0)

    def say(self, message: str, *, timeout: int = MESSAGE_MS) -> None:
        self.showMessage(message, timeout)
