"""The project file: recognising it, creating it and migrating it.

The schema version lives in ``PRAGMA user_version``; ``PRAGMA application_id``
marks the file as ours so that any other SQLite file is refused untouched.
Each entry of ``MIGRATIONS`` takes the schema from version ``i`` to ``i + 1``
inside one transaction.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import threading
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from .errors import FileLost, ProjectError

APPLICATION_ID = 0x414E4E54  # "ANNT"
SQLITE_HEADER = b"SQLite format 3\x00"

_V1 = """
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL              -- JSON
);
CREATE TABLE labels (
    name TEXT PRIMARY KEY,
    color TEXT NOT NULL,
    hotkey TEXT,
    position INTEGER NOT NULL
);
-- Who or what produced suggestions: a model name and version, a pattern file, an import.
CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,              -- model | patterns | import
    name TEXT NOT NULL,
    version TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    UNIQUE (kind, name, version)
);
CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    text TEXT NOT NULL,              -- exactly as imported
    title TEXT,
    meta TEXT NOT NULL DEFAULT '{}', -- JSON object
    hash TEXT NOT NULL UNIQUE,       -- content hash of text, for de-duplication
    status TEXT NOT NULL DEFAULT 'pending',
    annotator TEXT,                  -- who set the status
    decided_at TEXT,
    suggested_by INTEGER REFERENCES sources(id),
    tokens TEXT                      -- JSON [start, end, ...] code points, filled when known
);
CREATE INDEX articles_by_status ON articles (status, id);
-- Raw model output, never edited: which model version suggested what.
CREATE TABLE suggestions (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id),
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    label TEXT NOT NULL,
    source_id INTEGER NOT NULL REFERENCES sources(id),
    score REAL
);
CREATE INDEX suggestions_by_article ON suggestions (article_id);
-- The entities shown for an article: undecided suggestions and confirmed entities.
CREATE TABLE annotations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reuse an id: the undo log names rows by id
    article_id INTEGER NOT NULL REFERENCES articles(id),
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    label TEXT NOT NULL,
    state TEXT NOT NULL,             -- suggested | confirmed
    suggestion_id INTEGER REFERENCES suggestions(id),
    annotator TEXT,
    decided_at TEXT
);
CREATE INDEX annotations_by_article ON annotations (article_id, start);
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    annotator TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT
);
-- The command log behind undo/redo: every decision with its row-level changes.
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    session_id INTEGER REFERENCES sessions(id),
    annotator TEXT NOT NULL,
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    article_id INTEGER,
    ops TEXT NOT NULL,               -- JSON list of [table, id, before, after]
    state TEXT NOT NULL DEFAULT 'done'   -- done | undone | dropped
);
CREATE INDEX events_by_annotator ON events (annotator, state, id);
CREATE INDEX events_by_session ON events (session_id);
-- Counts per status kept by triggers, so the status bar never counts the table.
CREATE TABLE status_counts (status TEXT PRIMARY KEY, n INTEGER NOT NULL);
INSERT INTO status_counts VALUES ('pending', 0), ('accepted', 0), ('rejected', 0), ('skipped', 0);
CREATE TRIGGER articles_count_insert AFTER INSERT ON articles BEGIN
    UPDATE status_counts SET n = n + 1 WHERE status = NEW.status;
END;
CREATE TRIGGER articles_count_delete AFTER DELETE ON articles BEGIN
    UPDATE status_counts SET n = n - 1 WHERE status = OLD.status;
END;
CREATE TRIGGER articles_count_update AFTER UPDATE OF status ON articles
WHEN OLD.status <> NEW.status BEGIN
    UPDATE status_counts SET n = n - 1 WHERE status = OLD.status;
    UPDATE status_counts SET n = n + 1 WHERE status = NEW.status;
END;
"""

MIGRATIONS: list[str] = [_V1]
SCHEMA_VERSION = len(MIGRATIONS)


# Project files this process has open through SQLite, by (device, inode), with how many
# connections. SQLite's locks are POSIX locks, which belong to the process: ANY close() of
# the file here drops them all, and another program closing its connection then takes
# itself for the last one, checkpoints and deletes the write-ahead log under our open
# connections, losing what they commit next (sqlite.org/howtocorrupt.html, 2.2). So a file
# held here is never opened by anything but SQLite.
_held: Counter[tuple[int, int]] = Counter()
# The file each path named when this process opened it: once the path names another file (or
# none), a new connection by that path would pair the new file with the old one's -wal, or create
# an empty project beside it; refuse_lost says so instead.
_opened_at: dict[str, tuple[int, int]] = {}
_held_lock = threading.Lock()


def _file_key(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_dev, st.st_ino


def hold(path: Path) -> tuple[int, int]:
    """Note one more SQLite connection of this process to ``path``; pass the key to ``release``."""
    key = _file_key(path)
    with _held_lock:
        _held[key] += 1
        _opened_at[str(path.resolve())] = key
    return key


def release(key: tuple[int, int]) -> bool:
    """Note one connection fewer; True when it was this process's last one to that file."""
    with _held_lock:
        _held[key] -= 1
        if _held[key] > 0:
            return False
        del _held[key]
        for name in [name for name, opened in _opened_at.items() if opened == key]:
            del _opened_at[name]
        return True


def held(path: Path) -> bool:
    """Does this process have ``path`` open through SQLite (so that nothing else may open it)?"""
    try:
        key = _file_key(path)
    except OSError:
        return False
    with _held_lock:
        return key in _held


def file_problem(path: Path, key: tuple[int, int]) -> str | None:
    """"deleted" or "replaced" when ``path`` no longer names the file opened as ``key`` (its
    device and inode), else None. Only a stat: the file is never opened (see ``_held``)."""
    try:
        return None if _file_key(path) == key else "replaced"
    except FileNotFoundError:
        return "deleted"
    except OSError:
        return None  # unreadable folder: nothing known, so nothing claimed


def refuse_lost(path: Path) -> None:
    """Refuse to connect by ``path`` when a connection of this process opened it as another file."""
    with _held_lock:
        key = _opened_at.get(str(path.resolve()))
    reason = None if key is None else file_problem(path, key)
    if reason is not None:
        raise FileLost(path, reason, f"{path}: the project file was {reason} by another program while this "
                       "program had it open; close the window that has it open first")


def check_file(path: Path) -> None:
    """Refuse, without touching it, a file that is not an SQLite database."""
    if not path.exists():
        raise ProjectError(f"{path}: no such project file")
    if path.is_dir():
        raise ProjectError(f"{path}: is a folder, not a project file")
    if path.stat().st_size == 0:
        raise ProjectError(f"{path}: not an annotator project (empty file)")
    if held(path):
        return  # its header was read when it was first opened; reading it now would drop our locks
    with path.open("rb") as f:
        header = f.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise ProjectError(f"{path}: not an annotator project (not an SQLite database)")


def create_file(path: Path) -> None:
    """Create a new, empty project at ``path`` atomically.

    The schema is built in a temporary file that is then linked into place, so
    nobody ever sees a half-made project, and two processes creating the same
    project at once both end up opening the one that won.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        conn = sqlite3.connect(str(temporary))
        try:
            migrate(conn, None, 0)
            conn.execute("PRAGMA journal_mode = WAL")
        finally:
            conn.close()
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # someone else created it first: theirs is as good
        except OSError:  # a file system without hard links
            if not path.exists():
                os.replace(temporary, path)
    except OSError as e:
        raise ProjectError(f"{path}: cannot create the project ({e.strerror or e})") from None
    finally:
        temporary.unlink(missing_ok=True)


def inspect(conn: sqlite3.Connection, path: Path) -> int:
    """Return the schema version of an open project, or raise ProjectError."""
    try:
        # One statement, so all three come from the same snapshot even while another process migrates.
        app_id, version, tables = conn.execute(
            "SELECT (SELECT application_id FROM pragma_application_id()), "
            "(SELECT user_version FROM pragma_user_version()), (SELECT count(*) FROM sqlite_master)"
        ).fetchone()
    except sqlite3.DatabaseError as e:
        raise ProjectError(f"{path}: damaged or unreadable project file ({e})") from None
    if app_id != APPLICATION_ID:
        if app_id == 0 and version == 0 and tables == 0:
            return 0  # an empty database: safe to initialise
        raise ProjectError(f"{path}: not an annotator project (an SQLite database of another program)")
    if version > SCHEMA_VERSION:
        raise ProjectError(
            f"{path}: made by a newer version of annotator (schema {version}; "
            f"this version reads up to {SCHEMA_VERSION}). Upgrade annotator to open it."
        )
    return version


FULL_CHECK_BYTES = 64 * 1024 * 1024  # above this, reading every page at open would cost seconds


def check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a damaged project before anything is shown from it.

    Small projects get SQLite's quick_check. A large one only gets the check
    for the commonest damage, truncation (the file is shorter than its pages),
    which costs nothing; a damaged page inside it is still reported as an
    error when it is read.
    """
    if path.stat().st_size <= FULL_CHECK_BYTES:
        result = conn.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise ProjectError(f"{path}: damaged project file ({result})")
        return
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    wal = path.with_name(path.name + "-wal")
    if not (wal.exists() and wal.stat().st_size) and path.stat().st_size < pages * page_size:
        raise ProjectError(f"{path}: damaged project file (truncated: shorter than its {pages} pages)")


def backup_path(path: Path, version: int) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    return path.with_name(f"{path.name}.v{version}-{stamp}.bak")


def migrate(conn: sqlite3.Connection, path: Path | None, version: int) -> None:
    """Bring the schema up to date; an existing project is first copied aside."""
    if version == SCHEMA_VERSION:
        return
    if version > 0 and path is not None:
        # sqlite's online backup gives a consistent copy even while others read.
        copy = sqlite3.connect(str(backup_path(path, version)))
        try:
            conn.backup(copy)
        finally:
            copy.close()
    for target in range(version + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        if conn.execute("PRAGMA user_version").fetchone()[0] >= target:
            conn.execute("ROLLBACK")  # another process migrated it while we waited for the lock
            continue
        try:
            for statement in _statements(MIGRATIONS[target - 1]):
                conn.execute(statement)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {target}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (executescript would commit mid-way)."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--") and not buffer.strip():
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
