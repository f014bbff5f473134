"""Errors the user can act on. The CLI prints their message as one line; the GUI shows it."""

import errno
import sqlite3


class AnnotatorError(Exception):
    """Base class: ``str(error)`` is a complete, user-facing sentence."""


class ProjectError(AnnotatorError):
    """The file is not a usable project (not SQLite, damaged, or from a newer version)."""


class ReadOnlyError(AnnotatorError):
    """A change to a project that can only be read here (read-only disk, no permission)."""


class ProjectDamaged(ProjectError):
    """Part of an open project could not be read (a damaged page): what else it holds may still be read.

    ``detail`` is SQLite's own words ("database disk image is malformed").
    """

    def __init__(self, path, detail: str):
        super().__init__(f"{path}: cannot be read there; the file may be damaged ({detail})")
        self.detail = detail


class InputError(AnnotatorError):
    """An input file is malformed; the message names the file and line."""


class UnknownLabels(InputError):
    """Imported spans use labels the project lacks; ``labels`` names them, so a GUI can offer to add them."""

    def __init__(self, message: str, labels: tuple[str, ...]):
        super().__init__(message)
        self.labels = tuple(labels)


class EditError(AnnotatorError):
    """An edit breaks a rule (out of range, overlap, unknown label...)."""


class ModelError(AnnotatorError):
    """A spaCy pipeline could not be loaded."""


class Cancelled(AnnotatorError):
    """Long work stopped because the user asked it to."""


class FileLost(AnnotatorError):
    """The project file was deleted or replaced by another program while open here.

    Nothing more is written to the path (it names another file now, or none);
    what was done so far is still readable through the connections already open.
    ``reason`` is "deleted", "replaced" or "overwritten".
    """

    def __init__(self, path, reason: str, message: str | None = None):
        super().__init__(message or f"not saved: {path} was {reason} by another program while open")
        self.path, self.reason = path, reason


def is_disk_full(error: BaseException) -> bool:
    """Did this fail because the disk (or the user's quota) is full? OS and SQLite errors alike."""
    if isinstance(error, OSError):
        return error.errno in (errno.ENOSPC, errno.EDQUOT)
    if isinstance(error, sqlite3.Error):
        # SQLITE_FULL; an error made without a code (or by an older sqlite3) has only its message
        return getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "database or disk is full" in str(error)
    return False
