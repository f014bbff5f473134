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
        added = skipped = 0
        touched: set[int] = set()
        with self.group(f"propagate {label} “{needle}” to pending articles"):
            source = self.source_id("propagation", needle)
            for article_id, article_text in self._pending_holding(needle):
                kept, passed = places(article_text, needle, self._shown(article_id))
                skipped += passed
                for start, end in kept:
                    (suggestion_id,) = self.conn.execute(
                        'INSERT INTO suggestions (article_id, start, "end", label, source_id, score) '
                        "VALUES (?, ?, ?, ?, ?, NULL) RETURNING id",
                        (article_id, start, end, label, source),
                    ).fetchone()
                    self._op("suggestions", suggestion_id, None, self._row("suggestions", suggestion_id))
                    (row_id,) = self.conn.execute(
                        'INSERT INTO annotations (article_id, start, "end", label, state, suggestion_id) '
                        "VALUES (?, ?, ?, ?, 'suggested', ?) RETURNING id",
                        (article_id, start, end, label, suggestion_id),
                    ).fetchone()
                    self._op("annotations", row_id, None, self._row("annotations", row_id))
                if kept:
                    added += len(kept)
                    touched.add(article_id)
        return Propagated(needle, label, added, skipped, len(touched)), Changes(article_ids=frozenset(touched))

    def propagate_from_entity(self, entity_id: int) -> tuple[Propagated, Changes]:
        """``propagate_to_pending`` with an entity's text and label."""
        entity = self.entity(entity_id)
        text = self._require_article(entity.article_id).text
        return self.propagate_to_pending(text[entity.start : entity.end], entity.label)

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
            "SELECT a.id, a.text FROM articles_fts JOIN articles AS a ON a.id = articles_fts.rowid "
            "WHERE articles_fts MATCH ? AND a.status = 'pending' AND a.text LIKE ? ESCAPE '\\' ORDER BY a.id",
            (words, pattern),
        ).fetchall()
