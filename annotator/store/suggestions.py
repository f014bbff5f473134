"""Suggestions: model runs, their output, and the entities shown for an article."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..errors import EditError
from ..model import Changes, Entity, EntityState, Span, Status
from ..offsets import clear_of
from ..tokens import Tokens
from .base import now, reports_damage
from .rows import STATES, describe_source, entity_from_row


class SuggestionStore:
    # describe_source in SQL, over ``sources src``: an article's entities are read each time it is
    # shown, thousands of them for a long article, so SQLite makes the text
    SOURCE_DESCRIPTION = (
        "CASE WHEN src.name IS NULL THEN NULL "
        "WHEN src.kind = 'model' THEN rtrim('suggested by ' || src.name || ' ' || src.version) "
        "WHEN src.kind = 'import' THEN 'from file ' || src.name "
        "WHEN src.kind = 'propagation' THEN 'propagated from “' || src.name || '”' "
        "WHEN src.kind = 'patterns' THEN 'pattern (set ' || src.version || ')' "
        "ELSE rtrim(src.kind || ' ' || src.name || ' ' || src.version) END"
    )

    # ------------------------------------------------------------- suggestions
    def source_id(self, kind: str, name: str, version: str = "") -> int:
        with self.transaction():
            self.conn.execute(
                "INSERT INTO sources (kind, name, version, created_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (kind, name, version) DO NOTHING",
                (kind, name, version, now()),
            )
        return self.conn.execute(
            "SELECT id FROM sources WHERE kind = ? AND name = ? AND version = ?", (kind, name, version)
        ).fetchone()[0]

    def source_name(self, source_id: int) -> str:
        kind, name, version = self.conn.execute(
            "SELECT kind, name, version FROM sources WHERE id = ?", (source_id,)
        ).fetchone()
        return describe_source(kind, name, version)

    # Which pending articles a source may suggest for (see ``save_suggestions`` for the rule):
    # by default only those no source has suggested for; ``add`` also those another source has.
    _MAY_SUGGEST = {
        False: "status = 'pending' AND suggested_by IS NULL",
        True: "status = 'pending' AND (suggested_by IS NULL OR suggested_by <> ?)",
    }

    def _may_suggest(self, source_id: int, add: bool) -> tuple[str, list]:
        return self._MAY_SUGGEST[add], [source_id] if add else []

    def unsuggested(
        self, source_id: int, *, after_id: int = 0, limit: int = 256, add: bool = False
    ) -> list[tuple[int, str]]:
        """Pending articles this source may suggest for, in id order (resumable)."""
        where, params = self._may_suggest(source_id, add)
        return self.conn.execute(
            f"SELECT id, text FROM articles WHERE id > ? AND {where} ORDER BY id LIMIT ?",
            [after_id, *params, limit],
        ).fetchall()

    def unsuggested_among(
        self, source_id: int, article_ids: Sequence[int], *, add: bool = False
    ) -> list[tuple[int, str]]:
        """Those of ``article_ids`` (a look-ahead window) this source may suggest for."""
        if not article_ids:
            return []
        marks = ",".join("?" * len(article_ids))
        where, params = self._may_suggest(source_id, add)
        return self.conn.execute(
            f"SELECT id, text FROM articles WHERE id IN ({marks}) AND {where} ORDER BY id",
            [*article_ids, *params],
        ).fetchall()

    def count_unsuggested(self, source_id: int, *, add: bool = False) -> int:
        where, params = self._may_suggest(source_id, add)
        return self.conn.execute(f"SELECT count(*) FROM articles WHERE {where}", params).fetchone()[0]

    def count_suggested_by_others(self, source_id: int) -> int:
        """Pending articles that hold another source's suggestions (what a plain ``suggest`` leaves alone)."""
        return self.conn.execute(
            "SELECT count(*) FROM articles WHERE status = 'pending' AND suggested_by IS NOT NULL AND suggested_by <> ?",
            (source_id,),
        ).fetchone()[0]

    # the statement that claims an article for a source's suggestions: still pending, and (unless
    # the user asked to add) suggested for by no source
    _CLAIM = {
        False: "UPDATE articles SET suggested_by = ? "
        "WHERE id = ? AND status = 'pending' AND suggested_by IS NULL RETURNING id",
        True: "UPDATE articles SET suggested_by = ? WHERE id = ? AND status = 'pending' RETURNING id",
    }

    def save_suggestions(
        self,
        source_id: int,
        results: Iterable[tuple],
        *,
        add: bool = False,
    ) -> Changes:
        """Store one batch of a source's output: ``(article_id, [(start, end, label, score)], tokens)``,
        or the same with a fourth item, the article's certainty (0..1, see ``annotator/uncertainty.py``),
        which places it in the least-sure-first order. A span may name another source fifth,
        ``(start, end, label, score, source_id)``: a pattern match within a model's run (the
        article is claimed for ``source_id``, the run).

        How sources combine (one rule, for files, models and every model version): a
        source never replaces another's suggestions (the one exception, asked for by training
        or switching the project's model version, is ``replace_suggestions``). Without ``add``, only an article no
        source has suggested for takes them (``suggested_by`` is NULL); with ``add`` (the
        user asked: ``annotator suggest --add-to-suggested``, Review -> Add model
        suggestions to this article), the new ones join what the article shows. Either
        way a new suggestion that overlaps an entity already shown (suggested or
        confirmed), or one shown before it in text order, is kept in ``suggestions`` (it is
        what the source said) but not shown; the rest are shown, each with its source.

        Within one run, the project's pattern matches come first and the model fills the
        rest: the model's entities that overlap a match are not among its results at all
        (``annotator.patterns``; as spaCy's entity_ruler overwriting the ``ner``'s entities).
        The run is the model's source named with the pattern set's version, so a changed
        set is a new run, which ``add`` may add to what an article shows.

        Only a pending article takes suggestions: one accepted, rejected or skipped keeps
        exactly what the reviewer decided on, even when the decision came from another
        connection while the model worked on it. The status (and, without ``add``, the
        absence of suggestions) is checked by the statement that claims the article, inside
        this write transaction, so nothing can land between the check and the writes. The
        returned changes name only the articles written.
        """
        touched = set()
        claim = self._CLAIM[add]
        with self.transaction():
            tokenizer = self.source_name(source_id)
            for article_id, spans, tokens, *certainty in results:
                claimed = self.conn.execute(
                    claim, (source_id, article_id),
                ).fetchall()
                if not claimed:
                    continue  # decided meanwhile (or gone, or suggested by another source): left as it is
                touched.add(article_id)
                if certainty and certainty[0] is not None:
                    self._save_certainties([(article_id, certainty[0])])
                self._store_tokens(article_id, tokens, tokenizer)
                self._add_suggested(article_id, source_id, spans)
        return Changes(article_ids=frozenset(touched))

    def _store_tokens(self, article_id: int, tokens: Sequence[int] | None, tokenizer: str) -> None:
        """The tokens of a model run over the article (flat [start, end, ...]), when it gave them."""
        if tokens is not None:
            self.conn.execute(
                "INSERT INTO tokens (article_id, starts, ends, tokenizer) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (article_id) DO UPDATE SET starts = excluded.starts, ends = excluded.ends, "
                "tokenizer = excluded.tokenizer",
                (article_id, *Tokens.from_flat(tokens).to_blobs(), tokenizer),
            )

    def _add_suggested(self, article_id: int, source_id: int, spans: Sequence[tuple]) -> None:
        """Linear in the spans: one sort, and an executemany per table."""
        shown = self.conn.execute('SELECT start, "end" FROM annotations WHERE article_id = ?', (article_id,))
        kept = clear_of([span[:2] for span in spans], shown.fetchall())
        # Ids grow in insertion order and nothing else writes this article's rows inside this
        # transaction (the claim holds it), so the rows past the highest id are these spans, in order.
        (last_id,) = self.conn.execute("SELECT coalesce(max(id), 0) FROM suggestions").fetchone()
        self.conn.executemany(
            'INSERT INTO suggestions (article_id, start, "end", label, source_id, score) VALUES (?, ?, ?, ?, ?, ?)',
            ((article_id, start, end, label, own[0] if own else source_id, score) for start, end, label, score, *own in spans),
        )
        ids = [row[0] for row in self.conn.execute(
            "SELECT id FROM suggestions WHERE article_id = ? AND id > ? ORDER BY id", (article_id, last_id)
        )]
        self.conn.executemany(
            'INSERT INTO annotations (article_id, start, "end", label, state, suggestion_id) '
            "VALUES (?, ?, ?, ?, 'suggested', ?)",
            ((article_id, *spans[i][:3], ids[i]) for i in kept),
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

    # what ``entity_from_row`` makes of a row, with the source's description made by SQLite
    _ENTITY_ROWS = (
        "SELECT a.id, a.article_id, a.start, a.end, a.label, a.state, a.annotator, "
        + SOURCE_DESCRIPTION + ", s.score FROM annotations a "
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
