"""Opening a project, write transactions, settings and labels."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from sqlite_utils import Database

from .. import schema
from ..errors import AnnotatorError, EditError, FileLost, ProjectDamaged, ProjectError, ReadOnlyError
from ..identity import default_annotator
from ..targets import refuse_data_file
from ..model import Changes, Label

LOCK_WAIT_SECONDS = 60.0  # give up on a write after another process held the lock this long
OPEN_WAIT_SECONDS = 5.0  # give up opening a project another process holds locked (an import filling it) this long


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def content_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def reports_damage(read: Callable) -> Callable:
    """A read that meets a damaged page raises ProjectDamaged, so that a window can skip that
    article and go on (a project over schema.FULL_CHECK_BYTES is not checked page by page at open)."""

    @functools.wraps(read)
    def reading(self, *args, **kwargs):
        try:
            return read(self, *args, **kwargs)
        except sqlite3.DatabaseError as e:
            raise ProjectDamaged(self.path, str(e)) from e

    return reading


class StoreBase:
    def __init__(self, db: Database, path: Path | None, annotator: str | None = None):
        self.db = db
        self.conn = db.conn
        self.path = path
        self.annotator = annotator or default_annotator()
        self.session_id: int | None = None
        # Called with the seconds waited so far while another process holds the write lock.
        self.on_busy: Callable[[float], None] | None = None
        self._held: tuple[int, int] | None = None  # the file, as schema.hold noted it
        self.read_only: str | None = None  # why this process cannot write the project, when it cannot
        self._lost: str | None = None  # why the path no longer names that file, once found
        self._file_size = 0  # the largest size the file was seen at: a project never shrinks
        self._group: list | None = None
        self._group_article: int | None = None

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        create: bool = False,
        annotator: str | None = None,
        readonly: bool = False,
    ) -> StoreBase:
        """Open a project; ``create`` makes a new one when the file does not exist.

        Anything that is not a project (another file, a damaged or newer
        project) is refused with a ProjectError and left untouched: it is
        recognised from its header before SQLite opens it, and checked before
        anything is written (the switch to WAL included). A project this
        process cannot write (read-only disk, no permission) opens read-only,
        with ``read_only`` saying why; every write then raises ReadOnlyError.
        A write left unfinished by a killed process (a killed import) is
        rolled back first, as SQLite does for any reader that can write.
        """
        path = Path(path)
        schema.refuse_lost(path)
        if not path.exists():
            if not create:
                raise ProjectError(f"{path}: no such project file")
            if not path.parent.is_dir():
                raise ProjectError(f"{path}: folder {path.parent} does not exist")
            schema.create_file(path)
        schema.check_file(path)
        cannot_write = schema.read_only_reason(path)
        started = time.monotonic()
        while True:
            try:
                conn = _open_checked(path, readonly=readonly, cannot_write=cannot_write)
                break
            except sqlite3.OperationalError:  # locked by another process: every other error is a ProjectError
                if time.monotonic() - started > OPEN_WAIT_SECONDS:
                    raise ProjectError(
                        f"{path}: locked by another program that is writing it (an import filling it, say); "
                        "try again when it has finished"
                    ) from None
                time.sleep(0.05)
        store = cls(Database(conn), path, annotator)
        store.read_only = cannot_write
        store._held = schema.hold(path)
        return store

    @classmethod
    def memory(cls, annotator: str | None = "tester") -> StoreBase:
        conn = sqlite3.connect(":memory:")
        schema.migrate(conn, None, 0)
        return cls(Database(conn), None, annotator)

    def close(self) -> None:
        lost = self._lost or (None if self._held is None else schema.file_problem(self.path, self._held))
        self.conn.close()
        if self._held is not None:
            if schema.release(self._held) and lost in ("deleted", "replaced"):
                # SQLite keeps the -wal of a file that moved; by its name it would pair with
                # whatever file is created or moved to the path next, and corrupt it.
                for suffix in ("-wal", "-shm"):
                    self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
            self._held = None

    # ------------------------------------------------------------- checkpoints
    def defer_checkpoints(self) -> None:
        """Never copy the write-ahead log back into the project file on commit.

        SQLite does that (an automatic checkpoint, with an fsync) on the commit
        that finds the log past 1,000 pages: measured at 290 ms on a
        100,000-article project, which a decision must not wait for. Whoever
        defers calls ``checkpoint`` when idle, from another connection.
        """
        self.conn.execute("PRAGMA wal_autocheckpoint = 0")

    @staticmethod
    def checkpoint(path: str | Path) -> tuple[int, int]:
        """Copy what the log holds into the project file without waiting for, or blocking,
        readers or writers (PASSIVE); (pages in the log, pages copied)."""
        schema.refuse_lost(Path(path))
        # mode=rw: a project deleted meanwhile must not come back as an empty file
        conn = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=rw", uri=True, timeout=0.2)
        try:
            _, logged, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            return logged, copied
        finally:
            conn.close()

    # ------------------------------------------------------------ transactions
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction (BEGIN IMMEDIATE), waiting politely for other writers."""
        if self.conn.in_transaction:
            with self.db.atomic():
                yield
            return
        self._begin_immediate()
        try:
            self._refuse_if_lost()
            yield
            self.conn.execute("COMMIT")
        except BaseException:
            # an error may already have ended the transaction; never mask it with ROLLBACK's own
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    # ------------------------------------------------------------ the file
    def file_lost(self) -> str | None:
        """Why the path no longer holds the project this store opened ("deleted", "replaced" by
        another file, "overwritten" in place), or None. Cheap: a stat and a pragma.

        Copying another file over the project keeps its inode, so only sizes tell: a project
        never shrinks, and the file never outgrows the pages this connection sees (a copy made
        just after a full checkpoint, of a larger project, is the case this cannot see). The
        header cannot be read instead: opening a file held here would drop SQLite's locks.
        """
        if self._lost is None and self._held is not None:
            self._lost = schema.file_problem(self.path, self._held)
            if self._lost is None:
                size = self.path.stat().st_size  # before the pages: a checkpoint in between only adds pages
                page_size, pages = self.conn.execute(
                    "SELECT (SELECT page_size FROM pragma_page_size()), (SELECT page_count FROM pragma_page_count())"
                ).fetchone()
                if size < self._file_size or size > page_size * pages:
                    self._lost = "overwritten"
                self._file_size = max(size, self._file_size)
        return self._lost

    def integrity_problems(self, limit: int = 20) -> list[str]:
        """What SQLite's full integrity check finds (reads every page: seconds on a large project)."""
        try:
            rows = [row[0] for row in self.conn.execute("SELECT * FROM pragma_integrity_check(?)", (limit,))]
        except sqlite3.DatabaseError as e:  # damage that stops the check itself (a zeroed page)
            return [str(e)]
        return [] if rows == ["ok"] else rows

    def _refuse_if_lost(self) -> None:
        if self.file_lost() is not None:
            raise FileLost(self.path, self._lost)

    def save_copy(self, destination: str | Path) -> Path:
        """Write the project as this connection sees it (its -wal included) to a new file.

        For a project deleted or replaced while open: the connection still holds the old file,
        and SQLite's online backup copies every page through it. The copy is made beside
        ``destination`` and renamed into place, so a failed copy leaves nothing half-written.
        """
        destination = Path(destination)
        if self.path is not None and destination.resolve() in {
            self.path.resolve().with_name(self.path.name + suffix) for suffix in ("", "-wal", "-shm", "-journal")
        }:
            raise ProjectError(f"{destination}: is where this project is open from (or its log); choose another name")
        refuse_data_file(destination)
        temporary = destination.with_name(f".{destination.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
        try:
            copy = sqlite3.connect(str(temporary))
            try:
                self.conn.backup(copy)
            finally:
                copy.close()
            os.replace(temporary, destination)
        except OSError as e:
            raise ProjectError(f"{destination}: cannot save a copy ({e.strerror or e})") from None
        finally:
            temporary.unlink(missing_ok=True)
        return destination

    def _begin_immediate(self) -> None:
        if self.read_only:
            raise ReadOnlyError(f"{self.path}: the project is read-only here ({self.read_only}); nothing was changed")
        started = time.monotonic()
        while True:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) and "busy" not in str(e):
                    raise
                waited = time.monotonic() - started
                if waited > LOCK_WAIT_SECONDS:
                    raise AnnotatorError(
                        f"the project is locked by another program (waited {waited:.0f} s); try again"
                    ) from None
                if self.on_busy is not None:
                    self.on_busy(waited)

    # ---------------------------------------------------------------- settings
    def setting(self, key: str, default=None):
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    def set_setting(self, key: str, value) -> Changes:
        with self.transaction():
            self.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value)),
            )
        return Changes(labels=True)

    def data_version(self) -> int:
        """A number that changes whenever ANOTHER connection commits (another window, a
        terminal's import, or this process's writer thread); cheap enough to poll."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    # ------------------------------------------------------------------ labels
    def labels(self) -> list[Label]:
        rows = self.conn.execute(
            "SELECT name, color, hotkey, position FROM labels ORDER BY position, name"
        )
        return [Label(*row) for row in rows]

    def label_names(self) -> set[str]:
        return {row[0] for row in self.conn.execute("SELECT name FROM labels")}

    def add_labels(self, labels: Iterable[Label]) -> Changes:
        """Add labels that are not there yet; existing ones keep colour and hotkey."""
        with self.transaction():
            for label in labels:
                self.conn.execute(
                    "INSERT INTO labels (name, color, hotkey, position) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
                    (label.name, label.color, label.hotkey, label.position),
                )
        return Changes(labels=True)

    def update_label(self, name: str, *, color: str | None = None, hotkey: str | None = None) -> Changes:
        if name not in self.label_names():
            raise EditError(f"unknown label {name!r}")
        with self.transaction():
            if color is not None:
                self.conn.execute("UPDATE labels SET color = ? WHERE name = ?", (color, name))
            if hotkey is not None:
                self.conn.execute("UPDATE labels SET hotkey = ? WHERE name = ?", (hotkey or None, name))
        return Changes(labels=True)


def _open_checked(path: Path, *, readonly: bool, cannot_write: str | None) -> sqlite3.Connection:
    """A connection to a project whose header check_file passed: recognised, checked, migrated, WAL.

    Raises ProjectError, or sqlite3.OperationalError when another process holds it locked.
    """
    # as_uri() percent-encodes "?", "#" and "%" that a plain "file:" URI would misread
    uri = path.resolve().as_uri()
    if cannot_write:
        # SQLite cannot read a WAL-mode file read-only without making its -shm; on a read-only
        # disk with no -wal or -journal beside it, nothing can change the file: read it as immutable.
        frozen = cannot_write == schema.READ_ONLY_DISK and not (
            schema.wal_path(path).exists() or schema.journal_path(path).exists()
        )
        uri += "?mode=ro&immutable=1" if frozen else "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=0.2)
        if readonly:
            # Not mode=ro where the file can be written: a connection that may write can roll back
            # a killed writer's journal, and, closing last, removes the -wal and -shm it made.
            conn.execute("PRAGMA query_only = ON")
    except sqlite3.Error as e:
        if schema.is_busy(e):
            raise
        raise ProjectError(f"{path}: cannot open project ({e})") from None
    journal = schema.journal_path(path)
    try:
        version = schema.inspect(conn, path)
        # Checked before anything is written: the switch to WAL writes the file.
        schema.check_integrity(conn, path)
        if version < schema.SCHEMA_VERSION:
            if readonly or cannot_write:
                why = f" ({cannot_write})" if cannot_write else ""
                raise ProjectError(f"{path}: project needs upgrading; open it once for writing{why}")
            schema.migrate(conn, path, version)
        schema.check_schema(conn, path)
        if not (readonly or cannot_write):
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL survives a killed process
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.OperationalError as e:
        conn.close()
        if schema.is_busy(e):
            raise
        if cannot_write and journal.exists():
            raise ProjectError(
                f"{path}: a write to it was interrupted (a killed import?) and its rollback journal "
                f"{journal.name} can only be undone where the project can be written ({cannot_write}); "
                "open it once there"
            ) from None
        raise ProjectError(f"{path}: damaged or unreadable project file ({e})") from None
    except sqlite3.DatabaseError as e:
        conn.close()
        raise ProjectError(f"{path}: damaged or unreadable project file ({e})") from None
    except BaseException:
        conn.close()
        raise
    return conn
