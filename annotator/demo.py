"""The demo project: the shipped seed articles, with suggestions already made.

It is built once, in a temporary file beside its final place, and moved
there only when complete, so an interrupted first run never leaves a
half-made demo behind.
"""

from __future__ import annotations

import os
from pathlib import Path

from .importing import import_into_project
from .paths import data_dir, seeds_dir
from .progress import OnProgress
from .store import AnnotationStore
from .suggest import load_pipeline, suggest_project


def default_demo_path() -> Path:
    return data_dir() / "demo.db"


def ensure_demo_project(
    path: Path | None = None, *, model: str | None = None, on_progress: OnProgress | None = None
) -> Path:
    """The demo project's path, creating it from seeds/ on first call."""
    path = Path(path) if path is not None else default_demo_path()
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(f".{path.name}.{os.getpid()}.building")
    try:
        import_into_project(building, [seeds_dir()], model=model, on_progress=on_progress)
        store = AnnotationStore.open(building)
        try:
            suggest_project(store, load_pipeline(model), on_progress=on_progress)
        finally:
            store.close()  # the last connection's close folds the WAL back into the file
        os.replace(building, path)
    finally:
        for leftover in (building, Path(f"{building}-wal"), Path(f"{building}-shm")):
            leftover.unlink(missing_ok=True)
    return path
