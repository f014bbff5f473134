"""Decision buttons and the queue's progress, under the article (as Prodigy shows them).

Each button triggers the window's own QAction for its key, so a click and a
key press take the same path (the reviewer's state machine, one decision per
press). A button shows the action's first key, read from the action itself,
so a rebinding in Settings shows at once; it is enabled when its action is.
Buttons take no keyboard focus: the keys stay with the article.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QSizePolicy, QWidget

from annotator.model import Status

from . import theme
from .plain import set_plain_tooltip
from .status_bar import progress_text

# (action id, button name, accent): the name is short, the action's own text goes to the tooltip
BUTTONS = (
    ("accept", "Accept", "#2f7d4f"),
    ("reject", "Reject", "#b3403a"),
    ("skip", "Skip", theme.MUTED.name()),
    ("undo", "Undo", theme.MUTED.name()),
)
PROGRESS_FORMAT, PROGRESS_SHORT = "%v of %m decided", "%v/%m"
PROGRESS_ROOM = 140  # px the progress bar needs for its words; below it, "3/40"
PROGRESS_MIN = 56  # px: narrower, the progress bar hides (the status bar has the counts)
BUTTON_PADDING = 20  # px around a button's words: the style sheet's padding and border
_STYLE = """
QPushButton {{ color: {accent}; background: #ffffff; border: 1px solid {rule}; border-radius: 5px;
               padding: 4px 8px; font-weight: 600; }}
QPushButton:hover {{ border-color: {accent}; }}
QPushButton:pressed {{ background: {rule}; }}
QPushButton:disabled {{ color: #b0b4ba; }}
"""


def decided(counts: Mapping[str, int]) -> int:
    """Articles with a decision: accepted or rejected (a skipped one is still to be decided)."""
    return counts.get(Status.ACCEPTED.value, 0) + counts.get(Status.REJECTED.value, 0)


class DecisionBar(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        theme.fill_with_paper(self)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 6, 8, 8)
        row.setSpacing(6)
        self.buttons: dict[str, QPushButton] = {}
        self._texts: dict[QPushButton, tuple[str, str]] = {}  # (with its key, the name alone)
        self._short = False  # too narrow for the keys on the buttons: names alone, keys in the tooltips
        for action_id, name, accent in BUTTONS:
            button = QPushButton(name, self)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.setStyleSheet(_STYLE.format(accent=accent, rule=theme.RULE.name()))
            button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            row.addWidget(button)
            self.buttons[action_id] = button
            self._texts[button] = (name, name)
        self.progress = QProgressBar(self)
        self.progress.setTextVisible(True)
        self.progress.setMinimumWidth(1)  # at small widths it shrinks first, then hides (see _fit)
        self.progress.setMaximumHeight(22)
        row.addWidget(self.progress, 1)
        self._total = 0

    def bind(self, actions: Mapping[str, QAction]) -> None:
        """Connect each button to the QAction of the same id, and follow its key, text and enabled state."""
        for (action_id, name, _), button in zip(BUTTONS, self.buttons.values()):
            action = actions[action_id]
            button.clicked.connect(action.trigger)
            action.changed.connect(lambda a=action, b=button, n=name: self._follow(a, b, n))
            self._follow(action, button, name)

    def _follow(self, action: QAction, button: QPushButton, name: str) -> None:
        key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        self._texts[button] = (f"{name} ({key})" if key else name, name)
        button.setText(self._texts[button][self._short])
        # the name alone is the least a button needs: below that the window is too small for it
        button.setMinimumWidth(button.fontMetrics().horizontalAdvance(name) + BUTTON_PADDING)
        button.setEnabled(action.isEnabled())
        # the action's text can name data ("Undo relabel …"): shown literally
        set_plain_tooltip(button, f"{action.text()} ({key})" if key else action.text())
        self._fit()

    def set_counts(self, counts: Mapping[str, int]) -> None:
        self._total = sum(counts.values())
        self.progress.setRange(0, max(self._total, 1))  # 0..0 would make Qt show a busy bar
        self.progress.setValue(decided(counts))
        set_plain_tooltip(self.progress, progress_text(counts))
        self._fit()

    # ------------------------------------------------------------ small widths
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """What fits, in this order: the keys on the buttons, then the progress bar's words, then the bar."""
        margins = self.layout().contentsMargins()
        room = self.width() - margins.left() - margins.right() - self.layout().spacing() * len(self.buttons)
        full = sum(b.fontMetrics().horizontalAdvance(texts[0]) + BUTTON_PADDING for b, texts in self._texts.items())
        short = room < full
        if short != self._short:
            self._short = short
            for button, texts in self._texts.items():
                button.setText(texts[short])
        left = room - (sum(b.minimumWidth() for b in self._texts) if short else full)
        words = "no articles" if not self._total else PROGRESS_FORMAT
        self.progress.setFormat(words if left >= PROGRESS_ROOM else PROGRESS_SHORT)
        self.progress.setVisible(left >= PROGRESS_MIN)
