"""Where shipped files live: the checkout's top-level folders, or the installed wheel's copy."""

from __future__ import annotations

import os
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent


def _shipped(folder: str) -> Path:
    local = _CHECKOUT / folder
    if (_CHECKOUT / "pyproject.toml").is_file() and local.is_dir():
        return local
    # Installed, the folder is the package annotator.<folder> beside this module. Not
    # importlib.resources.files(): these folders have no __init__.py, so it returns a
    # namespace MultiplexedPath whose str() is not a path.
    return Path(__file__).resolve().parent / folder


def resources_dir() -> Path:
    return _shipped("resources")


def seeds_dir() -> Path:
    return _shipped("seeds")


def data_dir() -> Path:
    """The user's data folder (the demo project lives here); ANNOTATOR_DATA_DIR overrides it."""
    override = os.environ.get("ANNOTATOR_DATA_DIR")
    if override:
        return Path(override)
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "annotator"
