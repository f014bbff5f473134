"""Propagation's writes: an entity applied to the other places of its text, one undo step each time.

The rule for which places count is ``annotator.propagation``'s; here are the rows. In the
article the reviewer is in, the places become confirmed entities (their own act); across
the pending articles they become suggestions of a ``propagation`` source, to be confirmed
article by article, and decided articles are never touched. Either way the rows go into
one undo step: undo removes exactly the rows added (suggestions included), in every article.
"""

from __future__ import annotations

from ..model import Changes, EntityState
from ..propagation import Propagated, check_needle, places
from .base import now
from .search import fts_query


class PropagationStore:
    def propagate_in_article(self, entity_id: int) -> tuple[Propagated, Changes]:
        """The entity's text and label at every other whole-word place in its article, as
        confirmed entities; the entity itself is confirmed too when it was a suggestion."""
        entity = self.entity(entity_id)
        article = self._require_article(entity.article_id)
        needle = article.text[entity.start : entity.end]
        with self.group(f"propagate {entity.label}", article.id):
            if entity.suggested:
                self._update_entity(entity_id, state=EntityState.CONFIRMED.value)
            kept, skipped = places(article.text, needle, self._shown(article.id), own=(entity.start, entity.end))
            stamp = now()
            for start, end in kept:
                (row_id,) = self.conn.execute(
                    'INSERT INTO annotations (article_id, start, "end", label, state, annotator, decided_at) '
                    "VALUES (?, ?, ?, ?, 'confirmed', ?, ?) RETURNING id",
                    (article.id, start, end, entity.label, self.annotator, stamp),
                ).fetchone()
                self._op("annotations", row_id, None, self._row("annotations", row_id))
        done = Propagated(needle, entity.label, len(kept), skipped, 1 if kept else 0)
        return done, Changes(article_ids=frozenset({article.id}))

    def propagate_to_pending(self, text: str, label: str) -> tuple[Propagated, Changes]:
        """``label`` on every whole-word place of ``text`` in the pending articles, as suggestions
        (source: propagation of that text) beside what each article already shows."""
        needle = check_needle(text)
        self._require_label(label)
        skipped = 0
        with self.group(f"propagate {label} “{needle}” to pending articles"):
            source = self.source_id("propagation", needle)
            found: list[tuple[int, int, int]] = []
            for article_id, article_text in self._pending_holding(needle):
                kept, passed = places(article_text, needle, self._shown(article_id))
                skipped += passed
                found += ((article_id, start, end) for start, end in kept)
            suggestion_ids = self._insert_all(
                "suggestions", 'INSERT INTO suggestions (article_id, start, "end", label, source_id, score) '
                "VALUES (?, ?, ?, ?, ?, NULL)", [(*place, label, source) for place in found],
            )
            entity_ids = self._insert_all(
                "annotations", 'INSERT INTO annotations (article_id, start, "end", label, state, suggestion_id) '
                "VALUES (?, ?, ?, ?, 'suggested', ?)", [(*place, label, i) for place, i in zip(found, suggestion_ids)],
            )
            # the rows as ``_row`` reads them back (undo compares them), suggestions first: undo
            # removes the entities before the suggestions they point to, redo the other way round
            for (article_id, start, end), i in zip(found, suggestion_ids):
                row = {"id": i, "article_id": article_id, "start": start, "end": end, "label": label,
                       "source_id": source, "score": None}
                self._op("suggestions", i, None, row)
            for (article_id, start, end), i, suggestion_id in zip(found, entity_ids, suggestion_ids):
                row = {"id": i, "article_id": article_id, "start": start, "end": end, "label": label,
                       "state": "suggested", "suggestion_id": suggestion_id, "annotator": None, "decided_at": None}
                self._op("annotations", i, None, row)
            added, touched = len(found), {article_id for article_id, _, _ in found}
        return Propagated(needle, label, added, skipped, len(touched)), Changes(article_ids=frozenset(touched))

    def propagate_from_entity(self, entity_id: int) -> tuple[Propagated, Changes]:
        """``propagate_to_pending`` with an entity's text and label."""
        entity = self.entity(entity_id)
        text = self._require_article(entity.article_id).text
        return self.propagate_to_pending(text[entity.start : entity.end], entity.label)

    def _insert_all(self, table: str, sql: str, rows: list[tuple]) -> list[int]:
        """Insert ``rows`` in one executemany; their ids, in order. Nothing else writes inside the
        write transaction, so the rows past the highest id before are these (no RETURNING per row)."""
        (last_id,) = self.conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()
        self.conn.executemany(sql, rows)
        return [i for (i,) in self.conn.execute(f"SELECT id FROM {table} WHERE id > ? ORDER BY id", (last_id,))]

    def _shown(self, article_id: int) -> list[tuple[int, int]]:
        return self.conn.execute('SELECT start, "end" FROM annotations WHERE article_id = ?', (article_id,)).fetchall()

    def _pending_holding(self, needle: str) -> list[tuple[int, str]]:
        """(id, text) of the pending articles whose text may hold ``needle``, in id order.

        The full-text index finds those holding each of its words (case and accents folded:
        more than needed, never fewer, as it cuts words where ``propagation`` does), and LIKE
        (case-insensitive for ASCII) narrows them before their text is read; the places are
        checked on the text itself. A needle with no letter or digit has no words to look up:
        then every pending article is scanned with LIKE.
        """
        pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        words = fts_query(needle, prefix=False)
        if words is None:
            return self.conn.execute(
                "SELECT id, text FROM articles WHERE status = 'pending' AND text LIKE ? ESCAPE '\\' ORDER BY id",
                (pattern,),
            ).fetchall()
        return self.conn.execute(
            # IN, not a join: joined, SQLite looks the word up in the index again for every pending
            # article (5.8 s for a word in 20,000 of them, against 0.15 s this way)
            "SELECT id, text FROM articles WHERE id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?) "
            "AND status = 'pending' AND text LIKE ? ESCAPE '\\' ORDER BY id",
            (words, pattern),
        ).fetchall()
