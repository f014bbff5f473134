"""The project file: recognising it, creating it and migrating it.

The schema version lives in ``PRAGMA user_version``; ``PRAGMA application_id``
marks the file as ours so that any other SQLite file is refused untouched.
Each entry of ``MIGRATIONS`` takes the schema from version ``i`` to ``i + 1``
inside one transaction.
"""

from __future__ import annotations

import functools
import mmap
import os
import secrets
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from .errors import FileLost, ProjectError
from .tokens import Tokens

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
    tokens TEXT                      -- JSON [start, end, ...] code points, filled when known (version 3 moves them)
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

# Version 2: full-text search (Ctrl+F). An external-content FTS5 table: the index points at
# articles' rows and reads their text from there (for snippets), so the text is stored once.
# New articles are indexed by the store's add_articles (the one place articles are inserted), in
# one statement per batch: an insert trigger would index row by row, and FTS5 writes its pending
# index out at every statement, which made a 20,000-article import 15 times slower. Deletes and
# changes of text go through triggers, so the index never points at text that is not there.
# The last statement indexes what a version-1 project already holds. Case and accents are
# folded by the tokenizer (remove_diacritics 2 also folds letters whose accents come as
# combining marks); columnsize = 0: no per-row token counts, which only bm25 ranking reads
# (results come in queue order); detail = none: no word positions (no phrase queries; snippets
# and highlights find the words again in the text), a quarter cheaper to build. SQLite-only: a PostgreSQL port would use a tsvector column
# and a GIN index instead.
_V2 = """
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, text, content = 'articles', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2', columnsize = 0, detail = none
);
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, text) VALUES ('delete', OLD.id, OLD.title, OLD.text);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, text) VALUES ('delete', OLD.id, OLD.title, OLD.text);
    INSERT INTO articles_fts (rowid, title, text) VALUES (NEW.id, NEW.title, NEW.text);
END;
INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');
"""

# Version 3: tokens in their own table, out of the articles row: a status change rewrote the
# whole row, tokens (12 KB of JSON for 2,000 characters) and all. Each token list is two
# BLOBs, the starts and the ends as 32-bit little-endian signed ints in code points
# (``Tokens.to_blobs``: 8 bytes a token, against about 12 as JSON); ``tokenizer`` names what
# cut them (a model's name@version, or the blank English tokenizer). PostgreSQL: BLOB is bytea.
# Existing tokens (JSON [start, end, ...] in articles.tokens) are moved by ``_move_tokens``,
# then the column is dropped (SQLite 3.35+; no index or trigger names it).
# annotations_by_article grows to cover what an export reads of an entity, in its order:
# reading 770,000 spans through the old (article_id, start) index looked up each row in
# the table and sorted, 3.1 s of a 20,000-article export; covered, 0.9 s.
_V3 = """
CREATE TABLE tokens (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id),
    starts BLOB NOT NULL,
    ends BLOB NOT NULL,
    tokenizer TEXT NOT NULL
);
DROP INDEX annotations_by_article;
CREATE INDEX annotations_by_article ON annotations (article_id, start, "end", id, label);
"""


def _move_tokens(conn: sqlite3.Connection) -> None:
    """Version 2 to 3, after ``_V3``: each article's JSON tokens into ``tokens``, then the column goes.

    The tokenizer of moved tokens is the source that suggested the article (the model run
    that stored them), "unknown" where none is named.
    """
    rows = conn.execute(
        "SELECT a.id, a.tokens, coalesce(s.name || CASE WHEN s.version = '' THEN '' ELSE '@' || s.version END, 'unknown') "
        "FROM articles AS a LEFT JOIN sources AS s ON s.id = a.suggested_by WHERE a.tokens IS NOT NULL"
    )
    while batch := rows.fetchmany(500):
        conn.executemany(
            "INSERT INTO tokens (article_id, starts, ends, tokenizer) VALUES (?, ?, ?, ?)",
            ((article_id, *Tokens.from_flat_json(flat).to_blobs(), tokenizer) for article_id, flat, tokenizer in batch),
        )
    conn.execute("ALTER TABLE articles DROP COLUMN tokens")


# Patterns (spaCy EntityRuler / Prodigy patterns JSONL, ``annotator.patterns``): the project's
# terminology, which every suggestion run matches before the model. ``pattern`` is the pattern
# as canonical JSON (a string for a phrase, a list of token objects), so a pattern added twice is
# one row; ``pattern_id`` is the file's optional "id". A new table: nothing else changes.
_PATTERNS = """
CREATE TABLE patterns (
    id INTEGER PRIMARY KEY,
    label TEXT NOT NULL,
    pattern TEXT NOT NULL,
    pattern_id TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (label, pattern)
);
"""

# Model versions trained on the project (``annotator train``). ``folder`` is relative to
# the project's folder, so a project moved with its versions folder keeps them. ``base`` is the
# version it was trained from (NULL: the project's base model); ``content_id`` and
# ``base_content_id`` (``suggest.content_id`` of each folder) tell which suggestion sources are this
# project's model lineage. ``scores`` and ``previous_scores`` are ``learning.Scores`` as JSON: the
# new version's and the then model in use's, on the same held-out articles. Which version is in
# use is the setting "model_version" (absent or null: the base model).
_MODEL_VERSIONS = """
CREATE TABLE model_versions (
    id INTEGER PRIMARY KEY,
    folder TEXT NOT NULL UNIQUE,
    base INTEGER REFERENCES model_versions(id),
    content_id TEXT NOT NULL,
    base_content_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    trained_on INTEGER NOT NULL,
    held_out INTEGER NOT NULL,
    accepted INTEGER NOT NULL,
    epochs INTEGER NOT NULL,
    scores TEXT NOT NULL,
    previous_scores TEXT NOT NULL
);
"""

# The "least sure first" review order (``annotator order``, Review -> Least sure first).
# One row per article: how sure the model was of its suggestions (``certainty``, 1 - the
# article's uncertainty, see ``annotator/uncertainty.py``; 2 for an article with no score, so
# it sorts after every scored one), and a copy of the article's status kept by a trigger, so
# that one index serves "the next pending article in this order" without a sort or a join
# walking decided articles. Rows for new articles are added by the store's add_articles (the
# one place articles are inserted), in one statement per batch, as the search index is.
_REVIEW_ORDER = """
CREATE TABLE review_order (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id),
    status TEXT NOT NULL,
    certainty REAL NOT NULL DEFAULT 2
);
CREATE INDEX review_order_by_status ON review_order (status, certainty, article_id);
CREATE INDEX review_order_by_certainty ON review_order (certainty, article_id);
CREATE TRIGGER review_order_status AFTER UPDATE OF status ON articles
WHEN OLD.status <> NEW.status BEGIN
    UPDATE review_order SET status = NEW.status WHERE article_id = NEW.id;
END;
CREATE TRIGGER review_order_delete AFTER DELETE ON articles BEGIN
    DELETE FROM review_order WHERE article_id = OLD.id;
END;
INSERT INTO review_order (article_id, status) SELECT id, status FROM articles;
"""

# A step is SQL, or SQL and a function run after it in the same transaction.
MIGRATIONS: list[str | tuple[str, Callable[[sqlite3.Connection], None]]] = [
    _V1, _V2, (_V3, _move_tokens), _PATTERNS, _MODEL_VERSIONS, _REVIEW_ORDER,
]
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


def held_paths() -> list[Path]:
    """The project files this process has open through SQLite."""
    with _held_lock:
        return [Path(name) for name in _opened_at]


HEADER_BYTES = 108  # SQLite's 100-byte file header and the start of page 1's b-tree header


def header_fields(head: bytes) -> dict:
    """What the first HEADER_BYTES of a file say about it, read without SQLite ({} if not SQLite).

    sqlite.org/fileformat.html: user_version at offset 60, application_id at 68, both
    big-endian; page 1 (the schema table) starts its b-tree header at 100, a leaf (13)
    with no cells being a database with no tables.
    """
    if len(head) < 100 or not head.startswith(SQLITE_HEADER):
        return {}
    fields = {
        "user_version": int.from_bytes(head[60:64], "big", signed=True),
        "application_id": int.from_bytes(head[68:72], "big", signed=True),
        "wal": head[18] == 2,
    }
    fields["no_tables"] = len(head) >= 105 and head[100] == 13 and head[103:105] == b"\0\0"
    return fields


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
    """Refuse, without touching it or its -wal, a file that is not one of our projects.

    Read with plain file reads, before SQLite opens it: SQLite would fold another
    program's (or a newer version's) pending -wal into the file, and roll back a hot
    journal, both changing the file it then refuses. The header is read as the last
    commit left it, from the -wal when page 1 is there (a newer version's migration
    may be only in the -wal).
    """
    if not path.exists():
        raise ProjectError(f"{path}: no such project file")
    if path.is_dir():
        raise ProjectError(f"{path}: is a folder, not a project file")
    if path.stat().st_size == 0:
        raise ProjectError(f"{path}: not an annotator project (empty file)")
    if held(path):
        return  # its header was read when it was first opened; reading it now would drop our locks
    with path.open("rb") as f:
        head = f.read(HEADER_BYTES)
    fields = header_fields(_logged_page_one(path) or head)
    if not fields:
        if head.startswith(SQLITE_HEADER):
            return  # too short to hold a header: SQLite says how it is damaged
        raise ProjectError(f"{path}: not an annotator project (not an SQLite database)")
    if fields["application_id"] == APPLICATION_ID:
        _check_version(path, fields["user_version"])
        return
    if fields["application_id"] == 0 and fields["user_version"] == 0 and fields["no_tables"]:
        return  # an empty database: safe to initialise
    raise _foreign(path)


WAL_MAGIC = (bytes.fromhex("377f0682"), bytes.fromhex("377f0683"))  # a -wal's first 4 bytes
_WAL_HEADER, _FRAME_HEADER = 32, 24


def _logged_page_one(path: Path) -> bytes | None:
    """The start of page 1 as the last committed transaction in ``path``-wal left it, if there.

    sqlite.org/fileformat.html#the_write_ahead_log: frames follow a 32-byte header; a frame
    belongs to the log while its salts match the header's, and counts once a commit frame
    (non-zero database size) follows it. Frame headers only are read, not the pages between.
    """
    try:
        with wal_path(path).open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as log:
            header = log[:_WAL_HEADER]
            if len(header) < _WAL_HEADER or header[:4] not in WAL_MAGIC:
                return None
            page_size = int.from_bytes(header[8:12], "big")
            page_size = 65536 if page_size == 1 else page_size
            salts = header[16:24]
            pending = committed = None
            for offset in range(_WAL_HEADER, len(log) - _FRAME_HEADER - page_size + 1, _FRAME_HEADER + page_size):
                frame = log[offset:offset + _FRAME_HEADER]
                if frame[8:16] != salts:
                    break
                if int.from_bytes(frame[:4], "big") == 1:
                    pending = log[offset + _FRAME_HEADER:offset + _FRAME_HEADER + HEADER_BYTES]
                if int.from_bytes(frame[4:8], "big") and pending is not None:
                    committed = pending
            return committed
    except (OSError, ValueError):  # ValueError: an empty -wal cannot be mapped
        return None


def _foreign(path: Path) -> ProjectError:
    return ProjectError(f"{path}: not an annotator project (an SQLite database of another program)")


def _check_version(path: Path, version: int) -> None:
    if version > SCHEMA_VERSION:
        raise ProjectError(
            f"{path}: made by a newer version of annotator (schema {version}; "
            f"this version reads up to {SCHEMA_VERSION}). Upgrade annotator to open it."
        )


READ_ONLY_DISK = "on a read-only file system"


def read_only_reason(path: Path) -> str | None:
    """Why this process cannot write ``path``, or None. SQLite writes the file and, in
    WAL mode, creates its -wal and -shm beside it, so the folder counts too."""
    try:
        if os.statvfs(path).f_flag & os.ST_RDONLY:
            return READ_ONLY_DISK
    except OSError:
        pass
    if not os.access(path, os.W_OK):
        return "no permission to write it"
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return "no permission to write in its folder"
    return None


def wal_path(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def journal_path(path: Path) -> Path:
    """Where SQLite keeps the rollback journal of an unfinished write (an import filling a new project)."""
    return path.with_name(path.name + "-journal")


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


def is_busy(error: sqlite3.Error) -> bool:
    """Is this SQLite error another connection holding a lock (as opposed to damage)?"""
    return isinstance(error, sqlite3.OperationalError) and ("locked" in str(error) or "busy" in str(error))


def inspect(conn: sqlite3.Connection, path: Path) -> int:
    """Return the schema version of an open project, or raise ProjectError."""
    try:
        # One statement, so all three come from the same snapshot even while another process migrates.
        app_id, version, tables = conn.execute(
            "SELECT (SELECT application_id FROM pragma_application_id()), "
            "(SELECT user_version FROM pragma_user_version()), (SELECT count(*) FROM sqlite_master)"
        ).fetchone()
    except sqlite3.OperationalError:
        raise  # locked, or cannot be written (a hot journal on a read-only disk): the caller says which
    except sqlite3.DatabaseError as e:
        raise ProjectError(f"{path}: damaged or unreadable project file ({e})") from None
    if app_id != APPLICATION_ID:
        if app_id == 0 and version == 0 and tables == 0:
            return 0  # an empty database: safe to initialise
        raise _foreign(path)
    _check_version(path, version)
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
    wal = wal_path(path)
    if not (wal.exists() and wal.stat().st_size) and path.stat().st_size < pages * page_size:
        raise ProjectError(f"{path}: damaged project file (truncated: shorter than its {pages} pages)")


@functools.cache
def _promised() -> tuple[frozenset[tuple[str, str]], frozenset[tuple[str, str]]]:
    """(type, name) of every table, index and trigger, and (table, column) of every column,
    that the current schema version has: read from a project built in memory."""
    conn = sqlite3.connect(":memory:")
    try:
        migrate(conn, None, 0)
        return _objects(conn), _columns(conn)
    finally:
        conn.close()


def _objects(conn: sqlite3.Connection) -> frozenset[tuple[str, str]]:
    return frozenset(conn.execute(
        "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'index', 'trigger') AND name NOT LIKE 'sqlite_%'"
    ))


def _columns(conn: sqlite3.Connection) -> frozenset[tuple[str, str]]:
    return frozenset(conn.execute(
        "SELECT m.name, c.name FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS c WHERE m.type = 'table'"
    ))


def check_schema(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a current-version project missing a table, column, index or trigger the version
    promises (a dropped ``events`` table would otherwise fail later, mid-review).

    Two reads of the schema table, no table data: cheap at any size.
    """
    objects, columns = _promised()
    absent = objects - _objects(conn)
    missing = [f"{kind} {name}" for kind, name in sorted(absent)]
    missing += [f"column {table}.{column}" for table, column in sorted(columns - _columns(conn))
                if ("table", table) not in absent]
    if missing:
        raise ProjectError(f"{path}: damaged project file (missing {', '.join(missing)})")


def backup_path(path: Path, version: int) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    return path.with_name(f"{path.name}.v{version}-{stamp}.bak")


def migrate(conn: sqlite3.Connection, path: Path | None, version: int) -> None:
    """Bring the schema up to date; an existing project is first copied aside."""
    if version == SCHEMA_VERSION:
        return
    saved = None
    if version > 0 and path is not None:
        # sqlite's online backup gives a consistent copy even while others read.
        saved = backup_path(path, version)
        copy = sqlite3.connect(str(saved))
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
            script, then = MIGRATIONS[target - 1], None
            if isinstance(script, tuple):
                script, then = script
            for statement in _statements(script):
                conn.execute(statement)
            if then is not None:
                then(conn)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {target}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            if target == version + 1 and saved is not None:  # nothing migrated: the file is the copy, keep one
                saved.unlink(missing_ok=True)
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
