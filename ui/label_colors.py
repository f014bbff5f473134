"""Changing a label's colour from the window: right-click a label chip → Change colour….

The colour is stored with the project (``update_label``) through the writer
thread, so it is saved at once and every window and export of the project
sees it; the label bar and the article redraw from the Changes it returns.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QColorDialog, QWidget

from annotator.model import Label

from . import theme
from .tasks import StoreOp, TaskRunner


def choose_label_color(parent: QWidget, runner: TaskRunner, label: Label, on_failure: Callable[[str], None]) -> None:
    """Ask for a new colour for ``label`` and store it; cancelling changes nothing."""
    # The label name is data: a window title is plain text, never rich text.
    color = QColorDialog.getColor(theme.label_color(label.color), parent, f"Colour of {label.name}")
    if not color.isValid():
        return
    name, value = label.name, color.name()  # "#rrggbb", the form `annotator labels --color` takes
    StoreOp(runner, lambda s: s.update_label(name, color=value)).failure(on_failure).run()
