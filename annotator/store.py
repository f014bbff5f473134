"""AnnotationStore: the only module that runs SQL.

Every decision a person makes (confirm, relabel, resize, add, remove, accept,
reject, skip) is one method here, committed in its own transaction, and
recorded in the ``events`` table as row-level changes so that undo and redo
work from the GUI, the CLI and after a restart alike.

Threading: an ``AnnotationStore`` wraps one sqlite3 connection and must be used
from the thread that opened it. The GUI opens one for its writer thread and one
read-only for the GUI thread; WAL lets them run side by side.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import datetime, timezone
from pathlib import Path

from sqlite_utils import Database

from . import history, schema
from .errors import AnnotatorError, EditError, ProjectError
from .identity import default_annotator
from .model import Article, Changes, Entity, EntityState, Label, Status, UndoStatus
from .offsets import check_span, overlapping

LOCK_WAIT_SECONDS = 60.0  # give up on a write after another process held the lock this long


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def content_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


class AnnotationStore:
    def __init__(self, db: Database, path: Path | None, annotator: str | None = None):
        self.db = db
        self.conn = db.conn
        self.path = path
        self.annotator = annotator or default_annotator()
        self.session_id: int | None = None
        # Called with the seconds waited so far while another process holds the write lock.
        self.on_busy: Callable[[float], None] | None = None
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
    ) -> AnnotationStore:
        """Open a project; ``create`` makes a new one when the file does not exist.

        Anything that is not a project (another file, a damaged or newer
        project) is refused with a ProjectError and left untouched.
        """
        path = Path(path)
        if not path.exists():
            if not create:
                raise ProjectError(f"{path}: no such project file")
            if not path.parent.is_dir():
                raise ProjectError(f"{path}: folder {path.parent} does not exist")
            schema.create_file(path)
        schema.check_file(path)
        # as_uri() percent-encodes "?", "#" and "%" that a plain "file:" URI would misread
        uri = path.resolve().as_uri() + ("?mode=ro" if readonly else "")
        try:
            conn = sqlite3.connect(uri, uri=True, timeout=0.2)
        except sqlite3.Error as e:
            raise ProjectError(f"{path}: cannot open project ({e})") from None
        try:
            version = schema.inspect(conn, path)
            if version < schema.SCHEMA_VERSION:
                if readonly:
                    raise ProjectError(f"{path}: project needs upgrading; open it once for writing")
                schema.migrate(conn, path, version)
            if not readonly:
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL survives a killed process
            conn.execute("PRAGMA foreign_keys = ON")
            schema.check_integrity(conn, path)
        except sqlite3.DatabaseError as e:
            conn.close()
            raise ProjectError(f"{path}: damaged or unreadable project file ({e})") from None
        except BaseException:
            conn.close()
            raise
        return cls(Database(conn), path, annotator)

    @classmethod
    def memory(cls, annotator: str | None = "tester") -> AnnotationStore:
        conn = sqlite3.connect(":memory:")
        schema.migrate(conn, None, 0)
        return cls(Database(conn), None, annotator)

    def close(self) -> None:
        self.conn.close()

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
            yield
            self.conn.execute("COMMIT")
        except BaseException:
            # an error may already have ended the transaction; never mask it with ROLLBACK's own
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def _begin_immediate(self) -> None:
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
                "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
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
                    "INSERT OR IGNORE INTO labels (name, color, hotkey, position) VALUES (?, ?, ?, ?)",
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

    # ---------------------------------------------------------------- articles
    _ARTICLE_COLUMNS = "id, text, title, meta, status, annotator, decided_at, suggested_by"

    def article(self, article_id: int) -> Article | None:
        row = self.conn.execute(
            f"SELECT {self._ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return None if row is None else _article(row)

    def article_count(self) -> int:
        return sum(self.counts().values())

    def counts(self) -> dict[str, int]:
        """Articles per status, from the trigger-maintained table (no scan)."""
        return {status: n for status, n in self.conn.execute("SELECT status, n FROM status_counts")}

    def neighbour(self, article_id: int | None, status: Status | None = None, *, forward: bool = True) -> int | None:
        """The next (or previous) article id in queue order, optionally of one status."""
        op, order = (">", "ASC") if forward else ("<", "DESC")
        anchor = article_id if article_id is not None else (0 if forward else 2**62)
        where, args = f"id {op} ?", [anchor]
        if status is not None:
            where, args = f"status = ? AND {where}", [Status(status).value, anchor]
        row = self.conn.execute(
            f"SELECT id FROM articles WHERE {where} ORDER BY id {order} LIMIT 1", args
        ).fetchone()
        return None if row is None else row[0]

    def next_to_review(self, after_id: int | None, status: Status | None = Status.PENDING) -> int | None:
        """The next article after ``after_id`` of ``status``, wrapping round to the start."""
        found = self.neighbour(after_id, status)
        if found is None and after_id is not None:
            found = self.neighbour(None, status)
        return found

    def position(self, article_id: int, status: Status | None = None) -> tuple[int, int]:
        """(1-based index of the article among those of ``status``, how many there are)."""
        if status is None:
            # Naming every status lets SQLite count entries of the small status index instead of table rows.
            statuses = [s.value for s in Status]
            index = self.conn.execute(
                f"SELECT count(*) FROM articles WHERE status IN ({','.join('?' * len(statuses))}) AND id <= ?",
                [*statuses, article_id],
            ).fetchone()[0]
            return index, self.article_count()
        status = Status(status).value
        index = self.conn.execute(
            "SELECT count(*) FROM articles WHERE status = ? AND id <= ?", (status, article_id)
        ).fetchone()[0]
        return index, self.counts().get(status, 0)

    def queue(self, status: Status | None = None, *, after_id: int = 0, limit: int = 200) -> list[tuple[int, str, str]]:
        """A page of the queue: (id, title or opening words, status), keyset-paginated."""
        where, args = "id > ?", [after_id]
        if status is not None:
            where, args = "status = ? AND id > ?", [Status(status).value, after_id]
        rows = self.conn.execute(
            f"SELECT id, coalesce(title, substr(text, 1, 80)), status FROM articles "
            f"WHERE {where} ORDER BY id LIMIT ?",
            [*args, limit],
        )
        return [(i, " ".join(t.split())[:80], s) for i, t, s in rows]

    def queue_before(self, status: Status | None = None, *, before_id: int, limit: int = 200) -> list[tuple[int, str, str]]:
        """The page of the queue just before ``before_id``, in queue order (keyset paging backwards)."""
        where, args = "id < ?", [before_id]
        if status is not None:
            where, args = "status = ? AND id < ?", [Status(status).value, before_id]
        rows = self.conn.execute(
            f"SELECT id, coalesce(title, substr(text, 1, 80)), status FROM articles "
            f"WHERE {where} ORDER BY id DESC LIMIT ?",
            [*args, limit],
        ).fetchall()
        return [(i, " ".join(t.split())[:80], s) for i, t, s in reversed(rows)]

    def count_between(self, after_id: int, up_to_id: int, status: Status | None = None) -> int:
        """How many articles (of ``status``) have ``after_id < id <= up_to_id``, from the status index.

        Moving a known position by a few articles costs a few index entries,
        where ``position()`` counts every entry up to the article.
        """
        statuses = [s.value for s in Status] if status is None else [Status(status).value]
        return self.conn.execute(
            f"SELECT count(*) FROM articles WHERE status IN ({','.join('?' * len(statuses))}) AND id > ? AND id <= ?",
            [*statuses, after_id, up_to_id],
        ).fetchone()[0]

    def search(self, query: str, *, limit: int = 100) -> list[tuple[int, str, str]]:
        """Articles whose title or text contains ``query`` (case-insensitive for ASCII)."""
        if not query.strip():
            return []
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self.conn.execute(
            "SELECT id, coalesce(title, substr(text, 1, 80)), status FROM articles "
            "WHERE text LIKE ? ESCAPE '\\' OR title LIKE ? ESCAPE '\\' ORDER BY id LIMIT ?",
            (pattern, pattern, limit),
        )
        return [(i, " ".join(t.split())[:80], s) for i, t, s in rows]

    def tokens(self, article_id: int) -> list[tuple[int, int]] | None:
        row = self.conn.execute("SELECT tokens FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None or row[0] is None:
            return None
        flat = json.loads(row[0])
        return list(zip(flat[::2], flat[1::2]))

    def add_articles(self, records: Sequence[dict], *, ids: bool = True) -> tuple[list[int | None], int]:
        """Insert articles; returns each record's new id (None for a duplicate) and the duplicate count.

        A record is ``{"text", "title"?, "meta"?}``; ``"meta_json"`` may carry the
        meta already serialised (``json.dumps(meta, ensure_ascii=False)``) and
        ``"hash"`` its ``content_hash(text)``, so neither is done twice.
        ``ids=False`` inserts the whole batch with one executemany and returns
        no ids (the duplicate count is still exact). Call inside
        ``transaction()`` to make a whole import all-or-nothing; there it takes
        no savepoint of its own (SQLite would copy every page it changes once
        more: a quarter of an import's time), so after an error the caller's
        transaction must be rolled back, as ``transaction()`` does.
        """
        sql = "INSERT OR IGNORE INTO articles (text, title, meta, hash) VALUES (?, ?, ?, ?)"
        rows = (
            (
                r["text"], r.get("title"),
                r["meta_json"] if "meta_json" in r else json.dumps(r.get("meta") or {}, ensure_ascii=False),
                r.get("hash") or content_hash(r["text"]),
            )
            for r in records
        )
        new_ids: list[int | None] = []
        with nullcontext() if self.conn.in_transaction else self.transaction():
            cursor = self.conn.cursor()
            if not ids:
                # rowcount, not total_changes: the status_counts trigger's updates must not count
                cursor.executemany(sql, rows)
                return new_ids, len(records) - cursor.rowcount
            for row in rows:
                cursor.execute(sql, row)
                new_ids.append(cursor.lastrowid if cursor.rowcount == 1 else None)
        return new_ids, new_ids.count(None)

    @contextmanager
    def filling_new_file(self) -> Iterator[None]:
        """Write through a rollback journal instead of the WAL while a just-created
        project is filled (each page is written once instead of twice), WAL again after.

        Only for a file this process just created: switching needs the file to
        itself, so when another connection has it open this quietly stays in WAL.
        """
        switched = False
        if self.path is not None and not self.conn.in_transaction:
            try:
                switched = self.conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
            except sqlite3.OperationalError:
                pass  # someone else has it open: keep WAL
        try:
            yield
        finally:
            if switched:
                try:
                    self.conn.execute("PRAGMA journal_mode = WAL")
                except sqlite3.Error:
                    pass  # every writable open() sets WAL again

    # ------------------------------------------------------------- suggestions
    def source_id(self, kind: str, name: str, version: str = "") -> int:
        with self.transaction():
            self.conn.execute(
                "INSERT OR IGNORE INTO sources (kind, name, version, created_at) VALUES (?, ?, ?, ?)",
                (kind, name, version, now()),
            )
        return self.conn.execute(
            "SELECT id FROM sources WHERE kind = ? AND name = ? AND version = ?", (kind, name, version)
        ).fetchone()[0]

    def source_name(self, source_id: int) -> str:
        kind, name, version = self.conn.execute(
            "SELECT kind, name, version FROM sources WHERE id = ?", (source_id,)
        ).fetchone()
        return f"{name}@{version}" if version else f"{kind}:{name}"

    def unsuggested(self, source_id: int, *, after_id: int = 0, limit: int = 256) -> list[tuple[int, str]]:
        """Pending articles this source has not suggested for yet, in id order (resumable)."""
        return self.conn.execute(
            "SELECT id, text FROM articles WHERE id > ? AND status = 'pending' "
            "AND (suggested_by IS NULL OR suggested_by <> ?) ORDER BY id LIMIT ?",
            (after_id, source_id, limit),
        ).fetchall()

    def unsuggested_among(self, source_id: int, article_ids: Sequence[int]) -> list[tuple[int, str]]:
        """Those of ``article_ids`` (a look-ahead window) still pending and not suggested by this source."""
        if not article_ids:
            return []
        marks = ",".join("?" * len(article_ids))
        return self.conn.execute(
            f"SELECT id, text FROM articles WHERE id IN ({marks}) AND status = 'pending' "
            "AND (suggested_by IS NULL OR suggested_by <> ?) ORDER BY id",
            [*article_ids, source_id],
        ).fetchall()

    def count_unsuggested(self, source_id: int) -> int:
        return self.conn.execute(
            "SELECT count(*) FROM articles WHERE status = 'pending' "
            "AND (suggested_by IS NULL OR suggested_by <> ?)",
            (source_id,),
        ).fetchone()[0]

    def save_suggestions(
        self,
        source_id: int,
        results: Iterable[tuple[int, Sequence[tuple[int, int, str, float | None]], Sequence[int] | None]],
    ) -> Changes:
        """Store one batch of model output: ``(article_id, [(start, end, label, score)], tokens)``.

        The article's undecided suggestions are replaced by the new ones; a
        suggestion that overlaps an entity a person confirmed is kept in
        ``suggestions`` (it is what the model said) but not shown.
        """
        touched = set()
        with self.transaction():
            for article_id, spans, tokens in results:
                touched.add(article_id)
                self.conn.execute(
                    "DELETE FROM annotations WHERE article_id = ? AND state = 'suggested'", (article_id,)
                )
                confirmed = [(s, e) for s, e in self.conn.execute(
                    "SELECT start, end FROM annotations WHERE article_id = ?", (article_id,)
                )]
                for start, end, label, score in spans:
                    cursor = self.conn.execute(
                        "INSERT INTO suggestions (article_id, start, end, label, source_id, score) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        (article_id, start, end, label, source_id, score),
                    )
                    if overlapping(start, end, confirmed):
                        continue
                    self.conn.execute(
                        "INSERT INTO annotations (article_id, start, end, label, state, suggestion_id) "
                        "VALUES (?, ?, ?, ?, 'suggested', ?)",
                        (article_id, start, end, label, cursor.lastrowid),
                    )
                    confirmed.append((start, end))
                self.conn.execute(
                    "UPDATE articles SET suggested_by = ?, tokens = coalesce(?, tokens) WHERE id = ?",
                    (source_id, None if tokens is None else json.dumps(list(tokens)), article_id),
                )
        return Changes(article_ids=frozenset(touched))

    def add_confirmed(self, article_id: int, spans: Iterable[tuple[int, int, str]]) -> None:
        """Store spans imported as annotations (decided elsewhere): no undo entry."""
        with self.transaction():
            for start, end, label in spans:
                self.conn.execute(
                    "INSERT INTO annotations (article_id, start, end, label, state, annotator, decided_at) "
                    "VALUES (?, ?, ?, ?, 'confirmed', ?, ?)",
                    (article_id, start, end, label, self.annotator, now()),
                )

    # ---------------------------------------------------------------- entities
    _ENTITY_SELECT = (
        "SELECT a.id, a.article_id, a.start, a.end, a.label, a.state, a.annotator, "
        "src.kind, src.name, src.version, s.score FROM annotations a "
        "LEFT JOIN suggestions s ON s.id = a.suggestion_id "
        "LEFT JOIN sources src ON src.id = s.source_id "
    )

    # what ``_entity`` makes of a row, with the source's name made by SQLite: an article's
    # entities are read each time it is shown, thousands of them for a long article
    _ENTITY_ROWS = (
        "SELECT a.id, a.article_id, a.start, a.end, a.label, a.state, a.annotator, "
        "CASE WHEN src.name IS NULL THEN NULL "
        "WHEN src.version IS NOT NULL AND src.version <> '' THEN src.name || '@' || src.version "
        "ELSE src.kind || ':' || src.name END, s.score FROM annotations a "
        "LEFT JOIN suggestions s ON s.id = a.suggestion_id "
        "LEFT JOIN sources src ON src.id = s.source_id "
        "WHERE a.article_id = ? ORDER BY a.start, a.end, a.id"
    )

    def entities(self, article_id: int) -> list[Entity]:
        rows = self.conn.execute(self._ENTITY_ROWS, (article_id,))
        known = _STATES.get
        return [Entity(i, a, s, e, label, known(state) or EntityState(state), who, source, score)
                for i, a, s, e, label, state, who, source, score in rows]

    def entities_for(self, article_ids: Sequence[int]) -> dict[int, list[Entity]]:
        """Entities of many articles in one query (export, look-ahead)."""
        out: dict[int, list[Entity]] = {i: [] for i in article_ids}
        for chunk_start in range(0, len(article_ids), 500):
            chunk = list(article_ids[chunk_start : chunk_start + 500])
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                self._ENTITY_SELECT + f"WHERE a.article_id IN ({marks}) ORDER BY a.article_id, a.start, a.end, a.id",
                chunk,
            )
            for row in rows:
                out[row[1]].append(_entity(row))
        return out

    def entity(self, entity_id: int) -> Entity:
        row = self.conn.execute(self._ENTITY_SELECT + "WHERE a.id = ?", (entity_id,)).fetchone()
        if row is None:
            raise EditError(f"entity {entity_id} no longer exists")
        return _entity(row)

    # --------------------------------------------------------------- decisions
    @contextmanager
    def group(self, action: str, article_id: int | None = None) -> Iterator[None]:
        """Fold every decision made inside into one undo step."""
        if self._group is not None:
            yield
            return
        self._group, self._group_article = [], article_id
        try:
            with self.transaction():
                yield
                if self._group:
                    self._log(action, self._group_article, self._group)
        finally:
            self._group, self._group_article = None, None

    def add_entity(self, article_id: int, start: int, end: int, label: str) -> tuple[Entity, Changes]:
        """Draw a new entity; undecided suggestions it overlaps make way for it."""
        article = self._require_article(article_id)
        check_span(start, end, len(article.text))
        self._require_label(label)
        with self.group("add entity", article_id):
            self._clear_way(article_id, start, end, keep=None)
            stamp = now()
            cursor = self.conn.execute(
                "INSERT INTO annotations (article_id, start, end, label, state, annotator, decided_at) "
                "VALUES (?, ?, ?, ?, 'confirmed', ?, ?)",
                (article_id, start, end, label, self.annotator, stamp),
            )
            row = self._row("annotations", cursor.lastrowid)
            self._op("annotations", cursor.lastrowid, None, row)
        return self.entity(cursor.lastrowid), Changes(article_ids=frozenset({article_id}))

    def remove_entity(self, entity_id: int) -> Changes:
        entity = self.entity(entity_id)
        with self.group("remove entity", entity.article_id):
            before = self._row("annotations", entity_id)
            self.conn.execute("DELETE FROM annotations WHERE id = ?", (entity_id,))
            self._op("annotations", entity_id, before, None)
        return Changes(article_ids=frozenset({entity.article_id}))

    def confirm_entity(self, entity_id: int) -> Changes:
        entity = self.entity(entity_id)
        with self.group("confirm entity", entity.article_id):
            self._update_entity(entity_id, state=EntityState.CONFIRMED.value)
        return Changes(article_ids=frozenset({entity.article_id}))

    def relabel_entity(self, entity_id: int, label: str) -> Changes:
        entity = self.entity(entity_id)
        self._require_label(label)
        with self.group("relabel entity", entity.article_id):
            self._update_entity(entity_id, label=label, state=EntityState.CONFIRMED.value)
        return Changes(article_ids=frozenset({entity.article_id}))

    def resize_entity(self, entity_id: int, start: int, end: int) -> Changes:
        entity = self.entity(entity_id)
        article = self._require_article(entity.article_id)
        check_span(start, end, len(article.text))
        with self.group("resize entity", entity.article_id):
            self._clear_way(entity.article_id, start, end, keep=entity_id)
            self._update_entity(entity_id, start=start, end=end, state=EntityState.CONFIRMED.value)
        return Changes(article_ids=frozenset({entity.article_id}))

    def accept(self, article_id: int) -> Changes:
        """Accept the article as shown: undecided suggestions become annotations."""
        self._require_article(article_id)
        with self.group("accept article", article_id):
            self._confirm_suggestions(article_id)
            self._set_status(article_id, Status.ACCEPTED)
        return Changes(article_ids=frozenset({article_id}), statuses=True)

    def _confirm_suggestions(self, article_id: int) -> None:
        """What ``_update_entity(id, state=confirmed)`` does for each undecided suggestion, in one
        read of the columns it changes and one ``UPDATE`` (an article of 2,500 suggestions is
        accepted in a few ms)."""
        values = {"state": EntityState.CONFIRMED.value, "annotator": self.annotator, "decided_at": now()}
        columns, where = tuple(values), "WHERE article_id = ? AND state = 'suggested'"
        rows = self.conn.execute(f"SELECT id, {', '.join(columns)} FROM annotations {where}", (article_id,)).fetchall()
        if not rows:
            return
        assignments = ", ".join(f"{c} = ?" for c in columns)
        self.conn.execute(f"UPDATE annotations SET {assignments} {where}", (*values.values(), article_id))
        self._group.extend(["annotations", row[0], dict(zip(columns, row[1:])), values] for row in rows)

    def reject(self, article_id: int) -> Changes:
        return self._decide(article_id, Status.REJECTED, "reject article")

    def skip(self, article_id: int) -> Changes:
        return self._decide(article_id, Status.SKIPPED, "skip article")

    def reopen(self, article_id: int) -> Changes:
        return self._decide(article_id, Status.PENDING, "reopen article")

    def _decide(self, article_id: int, status: Status, action: str) -> Changes:
        self._require_article(article_id)
        with self.group(action, article_id):
            self._set_status(article_id, status)
        return Changes(article_ids=frozenset({article_id}), statuses=True)

    # ----------------------------------------------------------------- history
    def undo(self) -> Changes | None:
        """Revert this annotator's latest step; None when there is nothing to undo."""
        return self._travel("done", "undone", "DESC", backward=True)

    def redo(self) -> Changes | None:
        return self._travel("undone", "done", "ASC", backward=False)

    def undo_status(self) -> UndoStatus:
        def describe(state: str, order: str) -> str | None:
            row = self.conn.execute(
                f"SELECT action, article_id FROM events WHERE annotator = ? AND state = ? ORDER BY id {order} LIMIT 1",
                (self.annotator, state),
            ).fetchone()
            return None if row is None else history.describe(*row)

        return UndoStatus(undo=describe("done", "DESC"), redo=describe("undone", "ASC"))

    def _travel(self, from_state: str, to_state: str, order: str, *, backward: bool) -> Changes | None:
        """Undo or redo one step, unless someone changed the same rows since.

        Each row must still be as the step left it (someone else's later
        relabel, removal or drawing is never overwritten) and the result may
        not overlap. A step that conflicts is dropped from the history with an
        EditError, so the next undo reaches the step before it.
        """
        verb = "undo" if backward else "redo"
        with self.transaction():
            row = self.conn.execute(
                f"SELECT id, article_id, action, ops FROM events WHERE annotator = ? AND state = ? ORDER BY id {order} LIMIT 1",
                (self.annotator, from_state),
            ).fetchone()
            if row is None:
                return None
            event_id, article_id, action, ops = row
            steps = list(history.steps(json.loads(ops), backward=backward))
            conflict = self._conflict(steps, article_id)
            if conflict is None:
                for table, row_id, before, after in steps:
                    self._apply(table, row_id, after, update=before is not None)
                self.conn.execute("UPDATE events SET state = ? WHERE id = ?", (to_state, event_id))
            else:
                self.conn.execute("UPDATE events SET state = 'dropped' WHERE id = ?", (event_id,))
        if conflict is not None:
            raise EditError(f"cannot {verb} {history.describe(action, article_id)}: {conflict}; it was left out of the history")
        ids = frozenset() if article_id is None else frozenset({article_id})
        return Changes(article_ids=ids, statuses=any(step[0] == "articles" for step in steps))

    def _conflict(self, steps: list, article_id: int | None) -> str | None:
        """Why these steps can no longer be replayed, or None."""
        removed: set[int] = set()
        added: list[tuple[int, int]] = []
        for table, row_id, before, after in steps:
            current = self._row(table, row_id)
            if before is None:
                if current is not None:
                    return "that entity's place was taken since"
                added.append((after["start"], after["end"]))
            elif current is None or any(current[k] != v for k, v in before.items()):
                who = (current or {}).get("annotator")
                return f"{who} changed it since" if who and who != self.annotator else "it was changed since"
            elif after is None:
                removed.add(row_id)
            elif table == "annotations" and ("start" in after or "end" in after):
                removed.add(row_id)
                added.append((after.get("start", current["start"]), after.get("end", current["end"])))
        if added and article_id is not None and not self.setting("allow_overlap", False):
            others = [
                (s, e) for i, s, e in self.conn.execute(
                    "SELECT id, start, end FROM annotations WHERE article_id = ?", (article_id,)
                ) if i not in removed
            ]
            if any(overlapping(s, e, others) for s, e in added):
                return "it would overlap an entity drawn since"
        return None

    # ---------------------------------------------------------------- sessions
    def start_session(self) -> int:
        with self.transaction():
            cursor = self.conn.execute(
                "INSERT INTO sessions (annotator, started_at) VALUES (?, ?)", (self.annotator, now())
            )
        self.session_id = cursor.lastrowid
        return self.session_id

    def end_session(self) -> dict | None:
        if self.session_id is None:
            return None
        with self.transaction():
            self.conn.execute("UPDATE sessions SET ended_at = ? WHERE id = ?", (now(), self.session_id))
        summary = self.session_summary(self.session_id)
        self.session_id = None
        return summary

    def session_summary(self, session_id: int) -> dict:
        row = self.conn.execute(
            "SELECT id, annotator, started_at, ended_at FROM sessions WHERE id = ?", (session_id,)
        ).fetchone()
        if row is None:
            raise AnnotatorError(f"no review session {session_id}")
        # ``state`` is stored after the (large) ``ops`` JSON: reading it from the table walks every
        # event's overflow pages, a cost that grew with each decision of the session. The
        # annotator index holds it, and ``action`` comes before ``ops``.
        counts = dict(self.conn.execute(
            "SELECT e.action, count(*) FROM events e JOIN events d INDEXED BY events_by_annotator "
            "ON d.annotator = e.annotator AND d.state = 'done' AND d.id = e.id "
            "WHERE e.session_id = ? GROUP BY e.action",
            (session_id,),
        ).fetchall())
        return {
            "id": row[0],
            "annotator": row[1],
            "started_at": row[2],
            "ended_at": row[3],
            "accepted": counts.get("accept article", 0),
            "rejected": counts.get("reject article", 0),
            "skipped": counts.get("skip article", 0),
            "decisions": sum(counts.values()),
        }

    def sessions(self, *, limit: int = 50) -> list[dict]:
        ids = [r[0] for r in self.conn.execute("SELECT id FROM sessions ORDER BY id DESC LIMIT ?", (limit,))]
        return [self.session_summary(i) for i in ids]

    def session_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM sessions").fetchone()[0]

    # ---------------------------------------------------------- export, stats
    def iter_articles(
        self, statuses: Sequence[Status] | None = None, *, annotator: str | None = None, batch: int = 1000
    ) -> Iterator[tuple[Article, list[Entity], list[tuple[int, int]] | None]]:
        """Stream (article, entities, tokens) in id order, batch by batch (bounded memory)."""
        last = 0
        where, args = ["id > ?"], []
        if statuses:
            where.append(f"status IN ({','.join('?' * len(statuses))})")
            args += [Status(s).value for s in statuses]
        if annotator is not None:
            where.append("annotator = ?")
            args.append(annotator)
        sql = f"SELECT {self._ARTICLE_COLUMNS}, tokens FROM articles WHERE {' AND '.join(where)} ORDER BY id LIMIT ?"
        while True:
            rows = self.conn.execute(sql, [last, *args, batch]).fetchall()
            if not rows:
                return
            ents = self.entities_for([r[0] for r in rows])
            for row in rows:
                flat = None if row[8] is None else json.loads(row[8])
                tokens = None if flat is None else list(zip(flat[::2], flat[1::2]))
                yield _article(row[:8]), ents[row[0]], tokens
            last = rows[-1][0]

    def label_counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {label.name: {"confirmed": 0, "suggested": 0} for label in self.labels()}
        for label, state, n in self.conn.execute(
            "SELECT label, state, count(*) FROM annotations GROUP BY label, state"
        ):
            out.setdefault(label, {"confirmed": 0, "suggested": 0})[state] = n
        return out

    # ---------------------------------------------------------------- internal
    def _require_article(self, article_id: int) -> Article:
        article = self.article(article_id)
        if article is None:
            raise EditError(f"no article {article_id} in this project")
        return article

    def _require_label(self, label: str) -> None:
        if label not in self.label_names():
            raise EditError(f"unknown label {label!r}; add it to the project's labels first")

    def _clear_way(self, article_id: int, start: int, end: int, *, keep: int | None) -> None:
        """Remove undecided suggestions overlapping [start, end); refuse overlapping confirmed ones."""
        allow = bool(self.setting("allow_overlap", False))
        for entity_id, s, e, state, label in self.conn.execute(
            "SELECT id, start, end, state, label FROM annotations WHERE article_id = ? AND start < ? AND end > ?",
            (article_id, end, start),
        ).fetchall():
            if entity_id == keep:
                continue
            if state == EntityState.SUGGESTED.value:
                before = self._row("annotations", entity_id)
                self.conn.execute("DELETE FROM annotations WHERE id = ?", (entity_id,))
                self._op("annotations", entity_id, before, None)
            elif not allow:
                raise EditError(
                    f"overlaps the {label} entity at {s}-{e}; remove it first or allow overlaps in the project settings"
                )

    def _update_entity(self, entity_id: int, **values) -> None:
        values.update(annotator=self.annotator, decided_at=now())
        self._update("annotations", entity_id, values)

    def _set_status(self, article_id: int, status: Status) -> None:
        self._update("articles", article_id, {"status": status.value, "annotator": self.annotator, "decided_at": now()})

    def _update(self, table: str, row_id: int, values: dict) -> None:
        before_row = self._row(table, row_id)
        before = {k: before_row[k] for k in values}
        if before == values:
            return
        self._apply(table, row_id, values, update=True)
        self._op(table, row_id, before, values)

    def _row(self, table: str, row_id: int) -> dict | None:
        columns = history.COLUMNS[table]
        row = self.conn.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE id = ?", (row_id,)).fetchone()
        return None if row is None else dict(zip(columns, row))

    def _apply(self, table: str, row_id: int, values: dict | None, *, update: bool) -> None:
        """Write one history step: None deletes the row; otherwise update it, or (re)insert it whole."""
        columns = history.COLUMNS[table]  # whitelists table and column names
        if values is None:
            self.conn.execute(f"DELETE FROM {table} WHERE id = ?", (row_id,))
            return
        names = [c for c in values if c in columns and c != "id"]
        if update:
            assignments = ", ".join(f"{c} = ?" for c in names)
            self.conn.execute(f"UPDATE {table} SET {assignments} WHERE id = ?", [values[c] for c in names] + [row_id])
        else:
            self.conn.execute(
                f"INSERT OR REPLACE INTO {table} (id, {', '.join(names)}) VALUES (?{', ?' * len(names)})",
                [row_id] + [values[c] for c in names],
            )

    def _op(self, table: str, row_id: int, before: dict | None, after: dict | None) -> None:
        if self._group is None:
            raise RuntimeError("decisions are recorded inside group()")
        self._group.append([table, row_id, before, after])

    def _log(self, action: str, article_id: int | None, ops: list) -> None:
        self.conn.execute(
            "UPDATE events SET state = 'dropped' WHERE annotator = ? AND state = 'undone'", (self.annotator,)
        )
        self.conn.execute(
            "INSERT INTO events (session_id, annotator, at, action, article_id, ops) VALUES (?, ?, ?, ?, ?, ?)",
            (self.session_id, self.annotator, now(), action, article_id, json.dumps(ops, ensure_ascii=False)),
        )


def _article(row) -> Article:
    return Article(
        id=row[0], text=row[1], title=row[2], meta=json.loads(row[3]), status=Status(row[4]),
        annotator=row[5], decided_at=row[6], suggested_by=row[7],
    )


def _entity(row) -> Entity:
    entity_id, article_id, start, end, label, state, annotator, kind, name, version, score = row
    source = None
    if name is not None:
        source = f"{name}@{version}" if version else f"{kind}:{name}"
    # a dict lookup: EntityState(state) costs microseconds, times thousands of entities per article
    return Entity(entity_id, article_id, start, end, label, _STATES.get(state) or EntityState(state), annotator, source, score)


_STATES = {state.value: state for state in EntityState}
