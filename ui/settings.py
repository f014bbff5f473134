"""Per-user preferences in QSettings (organisation "annotator"): never inside the project.

Project-wide rules (allowing overlaps, labels) live in the project file; what
belongs to one person on one machine (their name, window geometry, where they
stopped, their key bindings) lives here.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

ORGANISATION = "annotator"
APPLICATION = "annotator"


class Settings:
    def __init__(self, qsettings: QSettings | None = None):
        # INI on every platform: readable, and tests redirect it with QSettings.setPath.
        self._s = qsettings or QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION)

    def _str(self, key: str) -> str | None:
        value = self._s.value(key)
        return str(value) if value not in (None, "") else None

    # ------------------------------------------------------------------ person
    @property
    def annotator(self) -> str | None:
        return self._str("annotator")

    @annotator.setter
    def annotator(self, name: str | None) -> None:
        self._s.setValue("annotator", (name or "").strip())

    @property
    def model(self) -> str | None:
        return self._str("model")

    @model.setter
    def model(self, name: str | None) -> None:
        self._s.setValue("model", (name or "").strip())

    @property
    def shortcuts(self) -> dict:
        """User key overrides: action id -> list of portable key texts (validated by annotator_ui.actions)."""
        raw = self._str("shortcuts")
        if raw is None:
            return {}
        try:
            value = json.loads(raw)
        except ValueError:
            return {"<settings>": "unreadable"}  # reported by resolve_keys as an unknown action
        return value if isinstance(value, dict) else {}

    @shortcuts.setter
    def shortcuts(self, overrides: dict) -> None:
        self._s.setValue("shortcuts", json.dumps(overrides))

    @property
    def show_summary(self) -> bool:
        """Whether quitting shows the session's summary (on unless turned off in Settings)."""
        return self._s.value("show_summary", True, type=bool)

    @show_summary.setter
    def show_summary(self, on: bool) -> None:
        self._s.setValue("show_summary", bool(on))

    # ----------------------------------------------------------------- window
    @property
    def geometry(self) -> QByteArray | None:
        value = self._s.value("window/geometry")
        return value if isinstance(value, QByteArray) else None

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self._s.setValue("window/geometry", value)

    @property
    def last_project(self) -> Path | None:
        value = self._str("last_project")
        return Path(value) if value else None

    @last_project.setter
    def last_project(self, path: Path) -> None:
        self._s.setValue("last_project", str(Path(path).resolve()))

    def last_position(self, project: Path) -> int | None:
        value = self._s.value(f"positions/{_key(project)}")
        try:
            return int(value) if value is not None else None
        except (TypeError, ValueError):
            return None

    def set_last_position(self, project: Path, article_id: int) -> None:
        self._s.setValue(f"positions/{_key(project)}", int(article_id))

    def sync(self) -> None:
        self._s.sync()


def _key(project: Path) -> str:
    # QSettings keys cannot hold arbitrary paths ("/" nests groups); a digest is stable and safe.
    return hashlib.sha1(str(Path(project).resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:16]
