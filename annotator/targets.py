"""Output files that must never be written over: projects and SQLite's files beside them.

An export (or any other output) onto a project, whatever the spelling of its
path (relative, through a symlink, a hard link), would replace the project; onto
its ``-wal``, ``-shm`` or ``-journal`` it would destroy what the project has not
yet folded into its file. ``refuse_data_file`` is called before anything is written.

A file this process has open through SQLite is recognised by device and inode
(``schema.held``) and never read here: reading it any other way would drop this
process's SQLite locks on it (see ``schema.hold``). Any other file is recognised by
its first bytes, without SQLite.
"""

from __future__ import annotations

import os
from pathlib import Path

from . import schema
from .errors import InputError

# What SQLite keeps beside a database, by the suffix of its name.
SIDECARS = {
    "-wal": "write-ahead log",
    "-shm": "shared-memory index",
    "-journal": "rollback journal",
}
_JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")


def refuse_data_file(out: Path) -> None:
    """Raise InputError when writing ``out`` would overwrite a project or one of its SQLite files."""
    choose = "choose another file to write to"
    if schema.held(out) or _is_project(out):
        raise InputError(f"{out}: is an annotator project; {choose}")
    for spelling in (out, out.resolve()):
        for suffix, what in SIDECARS.items():
            if spelling.name.endswith(suffix) and len(spelling.name) > len(suffix):
                owner = spelling.with_name(spelling.name[: -len(suffix)])
                if schema.held(owner) or _is_sqlite(owner):
                    raise InputError(f"{out}: is the {what} of the database {owner.name}; {choose}")
    for project in schema.held_paths():
        for suffix, what in SIDECARS.items():
            if _same(out, Path(f"{project}{suffix}")):
                raise InputError(f"{out}: is the {what} of the project {project.name}; {choose}")
    kind = _sqlite_kind(out)
    if kind:
        raise InputError(f"{out}: is {kind}; {choose}")


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _head(path: Path, size: int) -> bytes:
    """The first bytes of a regular file not held here (b"" for anything else)."""
    try:
        if not path.is_file() or schema.held(path):
            return b""
        with path.open("rb") as f:
            return f.read(size)
    except OSError:
        return b""


def _is_sqlite(path: Path) -> bool:
    return _head(path, len(schema.SQLITE_HEADER)) == schema.SQLITE_HEADER


def _is_project(path: Path) -> bool:
    return schema.header_fields(_head(path, schema.HEADER_BYTES)).get("application_id") == schema.APPLICATION_ID


def _sqlite_kind(path: Path) -> str | None:
    head = _head(path, 100)
    if head.startswith(schema.SQLITE_HEADER):
        return "an SQLite database"
    if head[:4] in schema.WAL_MAGIC:
        return "an SQLite write-ahead log"
    if head.startswith(_JOURNAL_MAGIC):
        return "an SQLite rollback journal"
    return None
