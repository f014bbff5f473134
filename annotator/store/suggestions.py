"""Suggestions: model runs, their output, and the entities shown for an article."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..errors import EditError
from ..model import Changes, Entity, EntityState, Span, Status
from ..offsets import clear_of
from ..tokens import Tokens
from .base import now, reports_damage
from .rows import STATES, entity_from_row


class SuggestionStore:
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

        Only a pending article takes suggestions (``unsuggested`` reads only those): one
        accepted, rejected or skipped keeps exactly what the reviewer decided on, even when
        the decision came from another connection while the model worked on it. The status
        is checked by the statement that claims the article, inside this write transaction,
        so no decision can land between the check and the writes. The returned changes name
        only the articles written.

        The article's undecided suggestions are replaced by the new ones; a
        suggestion that overlaps an entity a person confirmed, or one shown
        before it in text order, is kept in ``suggestions`` (it is what the
        model said) but not shown.
        """
        touched = set()
        with self.transaction():
            tokenizer = self.source_name(source_id)
            for article_id, spans, tokens in results:
                claimed = self.conn.execute(
                    "UPDATE articles SET suggested_by = ? WHERE id = ? AND status = 'pending' RETURNING id",
                    (source_id, article_id),
                ).fetchall()
                if not claimed:
                    continue  # decided meanwhile (or gone): its entities are the reviewer's
                touched.add(article_id)
                if tokens is not None:
                    self.conn.execute(
                        "INSERT INTO tokens (article_id, starts, ends, tokenizer) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT (article_id) DO UPDATE SET starts = excluded.starts, ends = excluded.ends, "
                        "tokenizer = excluded.tokenizer",
                        (article_id, *Tokens.from_flat(tokens).to_blobs(), tokenizer),
                    )
                self._replace_suggested(article_id, source_id, spans)
        return Changes(article_ids=frozenset(touched))

    def _replace_suggested(
        self, article_id: int, source_id: int, spans: Sequence[tuple[int, int, str, float | None]]
    ) -> None:
        """Linear in the spans: one sort, and an executemany per table."""
        self.conn.execute("DELETE FROM annotations WHERE article_id = ? AND state = 'suggested'", (article_id,))
        confirmed = self.conn.execute('SELECT start, "end" FROM annotations WHERE article_id = ?', (article_id,))
        shown = clear_of([(start, end) for start, end, _, _ in spans], confirmed.fetchall())
        # Ids grow in insertion order and nothing else writes this article's rows inside this
        # transaction (the claim holds it), so the rows past the highest id are these spans, in order.
        (last_id,) = self.conn.execute("SELECT coalesce(max(id), 0) FROM suggestions").fetchone()
        self.conn.executemany(
            'INSERT INTO suggestions (article_id, start, "end", label, source_id, score) VALUES (?, ?, ?, ?, ?, ?)',
            ((article_id, start, end, label, source_id, score) for start, end, label, score in spans),
        )
        ids = [row[0] for row in self.conn.execute(
            "SELECT id FROM suggestions WHERE article_id = ? AND id > ? ORDER BY id", (article_id, last_id)
        )]
        self.conn.executemany(
            'INSERT INTO annotations (article_id, start, "end", label, state, suggestion_id) '
            "VALUES (?, ?, ?, ?, 'suggested', ?)",
            ((article_id, *spans[i][:3], ids[i]) for i in shown),
        )

    def add_confirmed(self, article_id: int, spans: Iterable[tuple[int, int, str]]) -> None:
        """Store spans imported as annotations (decided elsewhere): no undo entry."""
        with self.transaction():
            decided_at = now()
            self.conn.executemany(
                'INSERT INTO annotations (article_id, start, "end", label, state, annotator, decided_at) '
                "VALUES (?, ?, ?, ?, 'confirmed', ?, ?)",
                ((article_id, start, end, label, self.annotator, decided_at) for start, end, label in spans),
            )

    def add_decided(
        self,
        source_id: int,
        decided: Iterable[tuple[int, Status, str | None, str | None, Sequence[tuple[int, int, str]]]],
    ) -> None:
        """Store decisions made elsewhere, read back from a file: ``(article_id, status, annotator,
        decided_at, spans)``. No undo entry: nothing here was decided in this project.

        The article keeps the file's annotator and time, not the importing user's, and its spans
        become confirmed entities by that annotator at that time. Each entity is also kept as a raw
        suggestion of ``source_id`` (the import), so a decision restored from a file is told apart
        from one made here: its entities name the file as their source.
        """
        with self.transaction():
            for article_id, status, annotator, decided_at, spans in decided:
                self.conn.execute(
                    "UPDATE articles SET status = ?, annotator = ?, decided_at = ? WHERE id = ?",
                    (Status(status).value, annotator, decided_at, article_id),
                )
                for start, end, label in spans:
                    (suggestion_id,) = self.conn.execute(
                        'INSERT INTO suggestions (article_id, start, "end", label, source_id, score) '
                        "VALUES (?, ?, ?, ?, ?, NULL) RETURNING id",
                        (article_id, start, end, label, source_id),
                    ).fetchone()
                    self.conn.execute(
                        'INSERT INTO annotations (article_id, start, "end", label, state, suggestion_id, annotator, decided_at) '
                        "VALUES (?, ?, ?, ?, 'confirmed', ?, ?, ?)",
                        (article_id, start, end, label, suggestion_id, annotator, decided_at),
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

    @reports_damage
    def entities(self, article_id: int) -> list[Entity]:
        rows = self.conn.execute(self._ENTITY_ROWS, (article_id,))
        known = STATES.get
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
                out[row[1]].append(entity_from_row(row))
        return out

    def spans_for(self, article_ids: Sequence[int]) -> dict[int, list[Span]]:
        """``entities_for`` with only each entity's start, end and label (export), in the same order."""
        out: dict[int, list[Span]] = {i: [] for i in article_ids}
        for chunk_start in range(0, len(article_ids), 500):
            chunk = list(article_ids[chunk_start : chunk_start + 500])
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f'SELECT article_id, start, "end", label FROM annotations WHERE article_id IN ({marks}) '
                'ORDER BY article_id, start, "end", id',
                chunk,
            )
            for article_id, start, end, label in rows:
                out[article_id].append((start, end, label))
        return out

    def entity(self, entity_id: int) -> Entity:
        row = self.conn.execute(self._ENTITY_SELECT + "WHERE a.id = ?", (entity_id,)).fetchone()
        if row is None:
            raise EditError(f"entity {entity_id} no longer exists")
        return entity_from_row(row)
