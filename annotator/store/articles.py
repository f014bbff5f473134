"""Articles: the queue and positions, import writes and export reads."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from itertools import islice
from typing import TypeVar

from .. import schema
from ..model import Article, Entity, Span, Status
from ..tokens import Tokens
from .base import content_hash, reports_damage
from .read_ahead import read_ahead
from .review_order import IMPORT, QueueOrder
from .rows import article_from_row
from .span_pieces import HEAD_CHARS, TASK_SPANS, RowPieces, TextBatch

T = TypeVar("T")

# A queue row holds the whole title (the list elides what does not fit and shows the rest in its
# tooltip), bounded so a pathological one cannot swell a page; untitled articles show their opening words.
QUEUE_TITLE_CHARS = 1000
QUEUE_OPENING_CHARS = 80


class ArticleStore:
    # ---------------------------------------------------------------- articles
    _ARTICLE_COLUMNS = "id, text, title, meta, status, annotator, decided_at, suggested_by"

    @reports_damage
    def article(self, article_id: int) -> Article | None:
        row = self.conn.execute(
            f"SELECT {self._ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return None if row is None else article_from_row(row)

    def article_count(self) -> int:
        return sum(self.counts().values())

    def counts(self) -> dict[str, int]:
        """Articles per status, from the trigger-maintained table (no scan)."""
        return {status: n for status, n in self.conn.execute("SELECT status, n FROM status_counts")}

    # Queue order: every walk of the queue reads the project's review order (``ReviewOrderStore``):
    # article ids are the anchors, the order's key (the id, or certainty then id) what is compared.
    @reports_damage
    def neighbour(self, article_id: int | None, status: Status | None = None, *, forward: bool = True) -> int | None:
        """The next (or previous) article id in queue order, optionally of one status."""
        order = self._order()
        terms, args = self._status_filter(order, status)
        anchor = self._anchor(order, article_id, forward=forward) or self._anchor(order, None, forward=forward)
        where = " AND ".join([*terms, order.compare(">" if forward else "<")])
        row = self.conn.execute(
            f"SELECT {order.id} FROM {order.ids_from} WHERE {where} ORDER BY {order.sort(forward)} LIMIT 1",
            [*args, *anchor],
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
        total = self.article_count() if status is None else self.counts().get(Status(status).value, 0)
        order = self._order()
        anchor = self._anchor(order, article_id)
        if anchor is None:
            return 0, total
        terms, args = self._status_filter(order, status, every=order is IMPORT)
        where = " AND ".join([*terms, order.compare("<=")])
        index = self.conn.execute(
            f"SELECT count(*) FROM {order.ids_from} WHERE {where}", [*args, *anchor]
        ).fetchone()[0]
        return index, total

    def _status_filter(self, order: QueueOrder, status: Status | None, *, every: bool = False) -> tuple[list[str], list]:
        """The WHERE terms for ``status``; with ``every``, all statuses are named when it is None:
        that lets SQLite count entries of the small status index instead of table rows."""
        statuses = [s.value for s in Status] if status is None and every else (
            [] if status is None else [Status(status).value])
        if not statuses:
            return [], []
        return [f"{order.status} IN ({','.join('?' * len(statuses))})"], statuses

    def queue(
        self, status: Status | None = None, *, after_id: int = 0, from_id: int | None = None, limit: int = 200
    ) -> list[tuple[int, str, str]]:
        """A page of the queue: (id, title or opening words, status), keyset-paginated: the articles
        after ``after_id`` (0: from the start), or from ``from_id`` on (that article included)."""
        if from_id is not None:
            return self._page(status, from_id, forward=True, limit=limit, inclusive=True)
        return self._page(status, after_id, forward=True, limit=limit)

    def queue_before(self, status: Status | None = None, *, before_id: int, limit: int = 200) -> list[tuple[int, str, str]]:
        """The page of the queue just before ``before_id``, in queue order (keyset paging backwards)."""
        return self._page(status, before_id, forward=False, limit=limit)

    def _page(
        self, status: Status | None, anchor_id: int, *, forward: bool, limit: int, inclusive: bool = False
    ) -> list[tuple[int, str, str]]:
        order = self._order()
        terms, args = self._status_filter(order, status)
        # 0 (``after_id``'s default): from the start
        anchor = self._anchor(order, anchor_id or (0 if order is IMPORT else None), forward=forward)
        where = " AND ".join([*terms, order.compare((">=" if inclusive else ">") if forward else "<")])
        args += anchor or self._anchor(order, None, forward=forward)
        rows = self.conn.execute(
            f"SELECT {order.id}, coalesce(substr(title, 1, ?), substr(text, 1, ?)), {order.status} "
            f"FROM {order.rows_from} WHERE {where} ORDER BY {order.sort(forward)} LIMIT ?",
            [QUEUE_TITLE_CHARS, QUEUE_OPENING_CHARS, *args, limit],
        ).fetchall()
        if not forward:
            rows.reverse()
        return [(i, " ".join(t.split()), s) for i, t, s in rows]

    def count_between(self, after_id: int, up_to_id: int, status: Status | None = None) -> int:
        """How many articles (of ``status``) come after ``after_id`` and up to ``up_to_id`` in queue
        order, from the status index.

        Moving a known position by a few articles costs a few index entries,
        where ``position()`` counts every entry up to the article.
        """
        order = self._order()
        low, high = self._anchor(order, after_id), self._anchor(order, up_to_id)
        if low is None or high is None:
            return 0
        terms, args = self._status_filter(order, status, every=True)
        where = " AND ".join([*terms, order.compare(">"), order.compare("<=")])
        return self.conn.execute(
            f"SELECT count(*) FROM {order.ids_from} WHERE {where}", [*args, *low, *high]
        ).fetchone()[0]

    def tokens(self, article_id: int) -> list[tuple[int, int]] | None:
        """The article's stored tokens (from a model run or an earlier export), None if none are."""
        row = self.conn.execute("SELECT starts, ends FROM tokens WHERE article_id = ?", (article_id,)).fetchone()
        return None if row is None else list(Tokens.from_blobs(*row))

    def save_tokens(self, items: Iterable[tuple[int, Tokens]], tokenizer: str) -> None:
        """Store tokens computed for articles that had none; tokens already there (a model's) stay."""
        with self.transaction():
            self.conn.executemany(
                "INSERT INTO tokens (article_id, starts, ends, tokenizer) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (article_id) DO NOTHING",
                ((article_id, *tokens.to_blobs(), tokenizer) for article_id, tokens in items),
            )

    # Articles with no tokens row, in id order (the tokens table's primary key answers each probe).
    _WITHOUT_TOKENS = "FROM articles WHERE NOT EXISTS (SELECT 1 FROM tokens WHERE tokens.article_id = articles.id)"

    def without_tokens(self, after_id: int = 0, limit: int = 100) -> list[tuple[int, str]]:
        """(id, text) of the next ``limit`` articles after ``after_id`` that have no stored tokens."""
        return self.conn.execute(
            f"SELECT id, text {self._WITHOUT_TOKENS} AND id > ? ORDER BY id LIMIT ?", (after_id, limit)
        ).fetchall()

    def count_without_tokens(self) -> int:
        return self.conn.execute(f"SELECT count(*) {self._WITHOUT_TOKENS}").fetchone()[0]

    def can_write(self) -> bool:
        """Can this connection write (not read-only on disk, not opened ``readonly``)?"""
        return self.read_only is None and not self.conn.execute("PRAGMA query_only").fetchone()[0]

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
            # New rows get ids above every id there is (INTEGER PRIMARY KEY: max + 1)
            (last,) = cursor.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()
            if not ids:
                # rowcount, not total_changes: the status_counts trigger's updates must not count
                cursor.executemany(sql, rows)
                duplicates = len(records) - cursor.rowcount
            else:
                for row in rows:
                    cursor.execute(sql, row)
                    new_ids.append(cursor.lastrowid if cursor.rowcount == 1 else None)
                duplicates = new_ids.count(None)
            self._index_for_search(last)
            self._add_to_order(last)
        return new_ids, duplicates

    def _index_for_search(self, after_id: int) -> None:
        """Add the articles with ids above ``after_id`` to the search index, in one statement.

        Not a trigger per row: FTS5 writes its pending index to disk at every statement's
        savepoint, so row-by-row indexing made a 20,000-article import 15 times slower;
        this costs about half the inserts' time. Duplicates (ignored rows) are not new rows.
        """
        self.conn.execute(
            "INSERT INTO articles_fts (rowid, title, text) SELECT id, title, text FROM articles WHERE id > ?",
            (after_id,),
        )

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

    # ---------------------------------------------------------- export, stats
    def iter_articles(
        self, statuses: Sequence[Status] | None = None, *, annotator: str | None = None, batch: int = 1000,
        tokens: bool = True, spans_only: bool = False,
    ) -> Iterator[tuple[Article, list[Entity] | list[Span], Tokens | None]]:
        """Stream (article, entities, stored tokens or None) in id order, batch by batch (bounded
        memory). ``tokens=False`` does not read the tokens table (every third item is None);
        ``spans_only`` gives each entity as a ``Span`` (start, end, label), which is faster."""
        last = 0
        where, args = self._export_filter(statuses, annotator)
        if tokens:
            source = "articles LEFT JOIN tokens ON tokens.article_id = articles.id"
            columns = f"{self._ARTICLE_COLUMNS}, starts, ends"
        else:
            source, columns = "articles", f"{self._ARTICLE_COLUMNS}, NULL, NULL"
        sql = f"SELECT {columns} FROM {source} WHERE {where} ORDER BY id LIMIT ?"
        while True:
            rows = self.conn.execute(sql, [last, *args, batch]).fetchall()
            if not rows:
                return
            ents = (self.spans_for if spans_only else self.entities_for)([r[0] for r in rows])
            for row in rows:
                stored = None if row[8] is None else Tokens.from_blobs(row[8], row[9])
                yield article_from_row(row[:8]), ents[row[0]], stored
            last = rows[-1][0]

    # What a line of the formats without tokens is made of, built by SQLite's C code instead of a
    # Python object per entity (1.9 million of them in 50,000 articles were most of the export's time).
    def export_rows(
        self, statuses: Sequence[Status] | None = None, *, annotator: str | None = None, batch: int = 1000,
        pieces: RowPieces = TASK_SPANS, limit: int | None = None,
    ) -> Iterator[list[bytes]]:
        """Stream ``iter_articles``'s articles (same filter, same order) as the JSON pieces of each,
        UTF-8 bytes: [text, title, meta, status, annotator, decided_at, spans, bounds, canonical].

        Text, title and annotator are JSON strings (``json_quote``: "null" for no title or annotator),
        meta compact JSON (``_COMPACT_META``), status its name, decided_at as stored (empty for none),
        spans the JSON array ``[{"start":S,"end":E,"label":L},...]`` in ``iter_articles``' order
        (``[]`` without spans), bounds their starts and ends in that order, ``[[S,S...],[E,E...]]``, and
        canonical ``[[S,E,"L"],...]``. ``pieces`` (``span_pieces.RowPieces``) makes the pieces after
        decided_at another format's.
        A project file is read a few batches ahead by ``pieces.readers`` threads taking turns, each on
        a connection of its own (``read_ahead``): what is committed. ``limit``: the first that many
        articles only, read on the store's own connection (the export dialog's preview of one article
        needs no second connection).
        """
        where, args = self._export_filter(statuses, annotator)
        if limit is not None:
            batches = self._export_batches(self.conn, where, args, limit, pieces)
            for records in batches:
                yield from _split_records(records)
                return
            return

        def read(conn: sqlite3.Connection, part: int, parts: int) -> Iterator[bytes]:
            return self._export_batches(conn, where, args, batch, pieces, part, parts)

        for records in self._read_batches(read, pieces.readers):
            yield from _split_records(records)

    def export_text_batches(
        self, statuses: Sequence[Status] | None = None, *, annotator: str | None = None, batch: int = 1000,
        spans: str, limit: int | None = None,
    ) -> Iterator[TextBatch]:
        """``iter_articles``' articles (same filter, same order), a ``TextBatch`` of up to ``batch`` at a
        time, for a format of files, which needs the texts as they are rather than as JSON: their
        texts as stored, and each one's ``spans``, an SQL aggregate over its annotations ``a`` (read
        in the order start, end, id) that makes text (``span_pieces.BRAT_SPANS``). The articles'
        pieces are joined by x'1d', which a label holds only in a damaged project (names are checked,
        ``labels.check_name``): its batch then has more pieces than texts. Each one's head, too (its
        title's or text's first characters, to name a file after). Read ahead as ``export_rows``
        reads; ``limit`` as there."""
        where, args = self._export_filter(statuses, annotator)
        if limit is not None:
            yield from islice(self._text_batches(self.conn, where, args, limit, spans), 1)
            return

        def read(conn: sqlite3.Connection, part: int, parts: int) -> Iterator[TextBatch]:
            return self._text_batches(conn, where, args, batch, spans, part, parts)

        yield from self._read_batches(read)

    def _read_batches(self, read: Callable[[sqlite3.Connection, int, int], Iterator[T]], readers: int = 1) -> Iterator[T]:
        """What ``read(connection, part, parts)`` gives, read ahead on ``readers`` connections of their
        own taking turns (``read_ahead``); on the store's own connection when none can be had."""

        def reads(part: int) -> Callable[[sqlite3.Connection], Iterator[T]]:
            return lambda conn: read(conn, part, readers)

        reading = [reads(part) for part in range(readers)]
        ahead = None if self.path is None else read_ahead(self._reading_connection, *reading)
        yield from ahead if ahead is not None else read(self.conn, 0, 1)

    def _reading_connection(self) -> sqlite3.Connection:
        """A read-only connection to the file this store opened; sqlite3.Error when it cannot be
        had (then ``export_rows`` reads on the store's own connection)."""
        self._check_same_file()
        conn = sqlite3.connect(self.path.resolve().as_uri() + "?mode=ro", uri=True, timeout=0.2)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # opens the file now, or raises
            self._check_same_file()  # not another file moved to the path meanwhile
        except sqlite3.Error:
            conn.close()
            raise
        return conn

    def _check_same_file(self) -> None:
        if self._held is not None and schema.file_problem(self.path, self._held):
            raise sqlite3.OperationalError(f"{self.path} is no longer the file opened")

    def _export_batches(
        self, conn: sqlite3.Connection, where: str, args: list, batch: int, pieces: RowPieces,
        part: int = 0, parts: int = 1,
    ) -> Iterator[bytes]:
        """A batch of articles at a time, as ONE value: their records joined by "\\n", each record's
        pieces by "\\t" (no piece holds either: they are JSON, whose strings escape them). A row per
        article cost the reading thread a wait for the GIL per article while the caller formats lines.
        Each article's spans are made by a correlated subquery that reads the covering index
        (article_id, start, "end", id, label) in that order: nothing sorts, and no second query.
        The records are joined in the order of the subquery's ORDER BY (PostgreSQL: string_agg(...
        ORDER BY id))."""
        record = (
            f"json_quote(t.text) || x'09' || json_quote(t.title) || x'09' || {self._COMPACT_META} || x'09' || "
            f"t.status || x'09' || json_quote(t.annotator) || x'09' || coalesce(t.decided_at, '') || x'09' || "
            f"(SELECT {pieces.sql()} FROM annotations a WHERE a.article_id = t.id)"
        )
        sql = (
            f"SELECT max(id), CAST(group_concat(record, x'0a') AS BLOB) FROM "
            f"(SELECT t.id AS id, {record} AS record FROM articles t WHERE {where} ORDER BY t.id LIMIT ?)"
        )
        for row in self._batches(conn, sql, where, args, batch, part, parts):
            yield row[1]

    def _text_batches(
        self, conn: sqlite3.Connection, where: str, args: list, batch: int, spans: str, part: int = 0,
        parts: int = 1,
    ) -> Iterator[TextBatch]:
        """``export_text_batches``' batches, each made by one statement: the texts joined as a blob with
        their sizes (no JSON to decode: the text is written as it is), and the articles' ``spans``
        joined by x'1d'."""
        sql = (
            "SELECT max(id), CAST(group_concat(text, '') AS BLOB), group_concat(length(CAST(text AS BLOB))), "
            "group_concat(spans, x'1d'), group_concat(head, x'1f') FROM (SELECT t.id AS id, t.text AS text, "
            f"coalesce((SELECT {spans} FROM annotations a WHERE a.article_id = t.id), '') AS spans, "
            f"replace(substr(coalesce(nullif(t.title, ''), t.text), 1, {HEAD_CHARS}), x'1f', ' ') AS head "
            f"FROM articles t WHERE {where} ORDER BY t.id LIMIT ?)"
        )
        for _, texts, sizes, pieces, heads in self._batches(conn, sql, where, args, batch, part, parts):
            yield TextBatch(texts, list(map(int, sizes.split(","))), pieces.split("\x1d"), heads.split("\x1f"))

    @staticmethod
    def _batches(conn, sql: str, where: str, args: list, batch: int, part: int, parts: int) -> Iterator[tuple]:
        """``sql``'s row for one batch of ``batch`` articles after another, from the ``part``-th: the
        batches part, part + parts... (the others are passed over: another reader's). ``sql`` takes the
        last id before the batch, ``args`` and the batch's size, and makes one row whose first column
        is the batch's last id (NULL: no more)."""
        skip = f"SELECT coalesce(max(id), -1) FROM (SELECT id FROM articles WHERE {where} ORDER BY id LIMIT ?)"
        last = conn.execute(skip, [0, *args, part * batch]).fetchone()[0] if part else 0
        while last >= 0:
            row = conn.execute(sql, [last, *args, batch]).fetchone()
            if row[0] is None:
                return
            last = row[0]
            yield row
            if parts > 1:
                last = conn.execute(skip, [last, *args, (parts - 1) * batch]).fetchone()[0]

    # The stored meta (json.dumps(meta, ensure_ascii=False) by every writer of the column) as compact
    # JSON; one holding NaN or Infinity, which a release let in, as stored (task_lines.finite_meta
    # rewrites it: SQLite's json() refuses them, or since 3.42 reads them as JSON5 and changes them).
    _COMPACT_META = "CASE WHEN instr(t.meta, 'NaN') OR instr(t.meta, 'Infinity') THEN t.meta ELSE json(t.meta) END"

    @staticmethod
    def _export_filter(statuses: Sequence[Status] | None, annotator: str | None) -> tuple[str, list]:
        where, args = ["id > ?"], []
        if statuses:
            where.append(f"status IN ({','.join('?' * len(statuses))})")
            args += [Status(s).value for s in statuses]
        if annotator is not None:
            where.append("annotator = ?")
            args.append(annotator)
        return " AND ".join(where), args

    def label_counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {label.name: {"confirmed": 0, "suggested": 0} for label in self.labels()}
        for label, state, n in self.conn.execute(
            "SELECT label, state, count(*) FROM annotations GROUP BY label, state"
        ):
            out.setdefault(label, {"confirmed": 0, "suggested": 0})[state] = n
        return out


def _split_records(records: bytes) -> Iterator[list[bytes]]:
    """The pieces of each article of one of ``_export_batches``' values."""
    for record in records.split(b"\n"):
        yield record.split(b"\t")
