"""A new, empty project with a chosen label set (File → New project… in the window).

The command line makes projects as it imports (``import --label-set``) or sets labels
(``labels --preset``); the window makes one first and imports into it after.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from . import labels as label_set
from .errors import InputError, ProjectError
from .store import AnnotationStore


def label_choices(model_labels: Sequence[str] | None) -> dict[str, list[str]]:
    """The label sets a new project can start with, by name: the model's own labels (when its
    meta.json names them), then every preset."""
    choices = {"the model's labels": list(model_labels)} if model_labels else {}
    choices.update({name: list(names) for name, names in label_set.presets().items()})
    return choices


def create_project(path: str | Path, labels: Sequence[str], *, annotator: str | None = None) -> Path:
    """Make the project file with these labels; an existing file is refused and left alone."""
    path = Path(path)
    names = list(dict.fromkeys(label_set.check_name(name) for name in labels))
    if not names:
        raise InputError("a new project needs at least one label")
    if path.exists():
        raise ProjectError(f"{path}: a file of that name exists already; open it, or choose another name")
    store = AnnotationStore.open(path, create=True, annotator=annotator)
    try:
        store.add_labels(label_set.make_labels(names))
    finally:
        store.close()
    return path
