"""The status bar: project progress, this session's pace, and the model's state.

In a narrow window progress and pace are elided (their full text is the
tooltip) so that no field drops off the end; the model's state is short and
always shown whole. While a message is shown they give it the room it needs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QStatusBar

from annotator.model import Status

from .elide import ElidedLabel
from .lookahead import UNAVAILABLE
from .plain import set_plain_tooltip

QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's "no maximum" (not exported by PySide)
MESSAGE_MS = 6000
NOTICE_MS = 15_000  # long enough to read a model's install hint
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
    """Articles decided in this session (as they stand: see SessionStore.session_summary) and their pace per hour."""
    decided = summary["decided"] if summary else 0
    if decided == 0:
        return "session: nothing decided yet"
    started = datetime.fromisoformat(summary["started_at"])
    # At least a minute, so the first quick decision does not claim thousands an hour.
    hours = max(((now or datetime.now(timezone.utc)) - started).total_seconds() / 3600, 1 / 60)
    return f"session: {decided} decided · {decided / hours:.0f} articles/h"


class _ClickableLabel(QLabel):
    clicked = Signal()

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)


def _plain_label(name: str, cls: Callable[[], QLabel] = QLabel) -> QLabel:
    label = cls()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setObjectName(name)
    return label


def _offer(name: str, text: str, color: str) -> _ClickableLabel:
    label = _plain_label(name, _ClickableLabel)
    label.setText(text)
    label.setStyleSheet(f"color: {color}; font-weight: bold;")
    label.setCursor(Qt.CursorShape.PointingHandCursor)
    label.hide()
    return label


class StatusBar(QStatusBar):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self.setStyleSheet(STYLE)
        self.progress = _plain_label("progress", partial(ElidedLabel, mode=Qt.TextElideMode.ElideMiddle))  # keeps "pending n of N"
        self.pace = _plain_label("pace", ElidedLabel)
        self.model = _plain_label("model", _ClickableLabel)
        self.model.clicked.connect(self.show_model_problem)
        self._model_problem = ""  # why suggestions are off, while they are
        self._noticed = ""  # the last reason shown unasked: each reason is announced once
        self.read_only = _plain_label("read_only")  # why nothing can be saved, when it cannot
        self.read_only.hide()
        self.background = _plain_label("background")  # quiet background work (storing tokens), while it runs
        self.background.hide()
        for widget in (self.read_only, self.background, self.progress, self.pace, self.model):
            self.addPermanentWidget(widget)
        # Offers that stay until taken: saving a copy of a project whose file was lost, and
        # checking a project that gave a database error. Hidden until needed.
        self.file_lost = _offer("file_lost", "project file lost · Save a copy…", "#b3261e")
        self.check = _offer("check", "Check the project file…", "#8a5a00")
        for widget in (self.file_lost, self.check):
            self.insertPermanentWidget(0, widget)
        self.messageChanged.connect(self._make_room)

    def set_read_only(self, reason: str) -> None:
        """Say, for as long as the window is open, that the project cannot be changed here."""
        self.read_only.setText(f"read-only: {reason}")
        self.read_only.show()

    def set_background(self, text: str) -> None:
        """Show what quiet background work is doing; "" hides it."""
        self.background.setText(text)
        self.background.setVisible(bool(text))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._make_room(self.currentMessage())

    def _make_room(self, message: str) -> None:
        """Narrow progress and pace (elided) as far as the message needs; give them back after it."""
        fields = (self.progress, self.pace)
        room = self.width() - self.model.sizeHint().width() - self.fontMetrics().horizontalAdvance(message) - 30
        wanted = sum(field.sizeHint().width() for field in fields)
        for field in fields:
            share = field.sizeHint().width() * room // wanted if message and room < wanted else QWIDGETSIZE_MAX
            field.setMaximumWidth(max(share, field.minimumSizeHint().width()))

    def set_counts(self, counts: dict[str, int]) -> None:
        self.progress.setText(progress_text(counts))

    def set_pace(self, summary: dict | None) -> None:
        self.pace.setText(pace_text(summary))

    def set_model_state(self, state: str, detail: str = "") -> None:
        self._model_problem = detail if state == UNAVAILABLE else ""
        self.model.setText(f"model: {state} (details)" if self._model_problem else f"model: {state}")
        set_plain_tooltip(self.model, detail)  # a model name or error from the project file is data
        self.model.setCursor(Qt.CursorShape.PointingHandCursor if self._model_problem else Qt.CursorShape.ArrowCursor)
        if self._model_problem and self._model_problem != self._noticed:
            self._noticed = self._model_problem
            self.show_model_problem()

    def show_model_problem(self) -> None:
        """The full reason suggestions are off, in the message area (never a dialog: review goes on)."""
        if self._model_problem:
            self.say(f"suggestions are off: {self._model_problem}", timeout=NOTICE_MS)

    def say(self, message: str, *, timeout: int = MESSAGE_MS) -> None:
        self.showMessage(message, timeout)
