"""File → New project… and Edit → Labels and mapping…: the window's side of ``--label-set`` /
``labels --preset`` and of ``labels --show-map`` / ``--map`` / ``--unmap``.

Reading a model's labels is a read of its meta.json (no model is loaded). Creating the project
file is a few small writes on the GUI thread, like opening one; overrides go through the
writer thread and are refused with a message like any write.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from annotator import labels as label_set
from annotator.errors import AnnotatorError
from annotator.new_project import create_project, label_choices
from annotator.store import AnnotationStore
from annotator.suggest import DEFAULT_MODEL, model_labels

from .dialogs.label_map import LabelMapDialog
from .dialogs.new_project import NewProjectDialog
from .messages import warn


def new_project(window) -> None:
    name, _ = QFileDialog.getSaveFileName(window, "New project", str(window.path.parent / "new.db"), "Projects (*.db)")
    if not name:
        return
    path = Path(name)
    dialog = NewProjectDialog(path, label_choices(model_labels(window.model)), window)
    window.new_project_dialog = dialog
    dialog.accepted.connect(lambda: _create(window, path, dialog.label_names()))
    dialog.open()


def _create(window, path: Path, names: list[str]) -> None:
    try:
        create_project(path, names, annotator=window.store.annotator)
    except AnnotatorError as e:
        warn(window, "New project", str(e))
        return
    window.open_path(path)


def show_label_map(window) -> LabelMapDialog:
    model = window.model or DEFAULT_MODEL

    def read():
        store: AnnotationStore = window.store
        rows = label_set.effective_map(model_labels(model) or [], store.label_names(),
                                       store.setting("label_map", {}))
        return model, rows, [label.name for label in store.labels()]

    def submit(change, say: str) -> None:
        def run(s: AnnotationStore):
            return s.set_setting("label_map", change(s.setting("label_map", {}), s.label_names()))

        window.runner.submit(run, on_success=lambda _: window.status.say(say), what="the label map")

    def write(model_label: str, target: str | None) -> None:
        submit(lambda overrides, names: label_set.with_override(overrides, model_label, target, names),
               f"{model_label} now shows as {target}" if target else f"{model_label} is no longer shown")

    def clear(model_label: str) -> None:
        submit(lambda overrides, _names: {m: t for m, t in overrides.items() if m != model_label},
               f"{model_label} follows the built-in map again")

    dialog = LabelMapDialog(read, write, clear, window)
    window.runner.finished.connect(dialog.on_changes)  # the dialog's method: disconnected when it goes
    window.label_map_dialog = dialog
    dialog.open()
    return dialog
