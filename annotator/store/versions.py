"""Model versions trained on the project, and replacing an older version's suggestions."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from ..model import Changes, ModelVersion
from .base import now


def _version(row) -> ModelVersion:
    return ModelVersion(*row[:10], json.loads(row[10]), json.loads(row[11]))


class VersionStore:
    _VERSION_SELECT = (
        "SELECT id, folder, base, content_id, base_content_id, created_at, trained_on, held_out, accepted, epochs, "
        "scores, previous_scores FROM model_versions "
    )

    # ------------------------------------------------------------ versions
    def model_versions(self) -> list[ModelVersion]:
        return [_version(row) for row in self.conn.execute(self._VERSION_SELECT + "ORDER BY id")]

    def model_version(self, version_id: int) -> ModelVersion | None:
        row = self.conn.execute(self._VERSION_SELECT + "WHERE id = ?", (version_id,)).fetchone()
        return None if row is None else _version(row)

    def next_model_version(self) -> int:
        return self.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM model_versions").fetchone()[0]

    def add_model_version(self, version: ModelVersion, *, use: bool) -> ModelVersion:
        """Record a trained version (its ``id`` as given: its folder is named after it, ``created_at``
        now) and, with ``use``, make it the model in use, in one transaction."""
        with self.transaction():
            created_at = now()
            self.conn.execute(
                "INSERT INTO model_versions (id, folder, base, content_id, base_content_id, created_at, trained_on, "
                "held_out, accepted, epochs, scores, previous_scores) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (version.id, version.folder, version.base, version.content_id, version.base_content_id, created_at,
                 version.trained_on, version.held_out, version.accepted, version.epochs,
                 json.dumps(version.scores), json.dumps(version.previous_scores)),
            )
            if use:
                self.set_setting("model_version", version.id)
        return self.model_version(version.id)

    # ------------------------------------------------------ re-suggesting
    # Pending articles suggested for by ``old`` sources (a model lineage's other versions) whose
    # suggestions all come from the lineage (``old`` and the ``new`` source, whose earlier output
    # may be there too): what ``replace_suggestions`` may replace. One with any other source's
    # suggestion (a file's, patterns', another model's) is left alone.
    @staticmethod
    def _replaceable(new: int, old: Sequence[int]) -> tuple[str, list[int]]:
        """The condition on ``articles`` and its parameters (``old`` is never empty here)."""
        lineage = [*old, new]
        where = (
            f"status = 'pending' AND suggested_by IN ({','.join('?' * len(old))}) AND NOT EXISTS ("
            "SELECT 1 FROM suggestions s WHERE s.article_id = articles.id "
            f"AND s.source_id NOT IN ({','.join('?' * len(lineage))}))"
        )
        return where, [*old, *lineage]

    def count_replaceable(self, new: int, old: Sequence[int]) -> int:
        if not old:
            return 0
        where, params = self._replaceable(new, old)
        return self.conn.execute(f"SELECT count(*) FROM articles WHERE {where}", params).fetchone()[0]

    def replaceable(self, new: int, old: Sequence[int], *, after_id: int = 0, limit: int = 256) -> list[tuple[int, str]]:
        """Pending articles ``new`` may re-suggest (see ``_replaceable``), in id order (resumable)."""
        if not old:
            return []
        where, params = self._replaceable(new, old)
        return self.conn.execute(
            f"SELECT id, text FROM articles WHERE id > ? AND {where} ORDER BY id LIMIT ?", [after_id, *params, limit],
        ).fetchall()

    def replace_suggestions(
        self,
        source_id: int,
        old: Sequence[int],
        results: Iterable[tuple[int, Sequence[tuple[int, int, str, float | None]], Sequence[int] | None]],
    ) -> Changes:
        """Replace the undecided suggestions of ``old`` sources with ``source_id``'s, article by article.

        The one exception to "a source never replaces another" (``save_suggestions``): the user
        trained the project's model, or switched its version, and its older versions'
        suggestions give way to the one in use. Only on an article still pending, suggested for
        by ``old``, whose suggestions all come from the lineage (checked by the claiming statement, in this write
        transaction); its confirmed entities stay, and the new suggestions that overlap them are
        kept in ``suggestions`` but not shown. The old raw output stays in ``suggestions``.
        """
        touched: set[int] = set()
        if not old:
            return Changes()
        where, params = self._replaceable(source_id, old)
        lineage = [*old, source_id]
        marks = ",".join("?" * len(lineage))
        with self.transaction():
            tokenizer = self.source_name(source_id)
            for article_id, spans, tokens, *certainty in results:
                claimed = self.conn.execute(
                    f"UPDATE articles SET suggested_by = ? WHERE id = ? AND {where} RETURNING id",
                    [source_id, article_id, *params],
                ).fetchall()
                if not claimed:
                    continue  # decided meanwhile, or another source's suggestions joined
                touched.add(article_id)
                self.conn.execute(
                    f"DELETE FROM annotations WHERE article_id = ? AND state = 'suggested' AND suggestion_id IN "
                    f"(SELECT id FROM suggestions WHERE article_id = ? AND source_id IN ({marks}))",
                    (article_id, article_id, *lineage),
                )
                if certainty and certainty[0] is not None:
                    self._save_certainties([(article_id, certainty[0])])
                self._store_tokens(article_id, tokens, tokenizer)
                self._add_suggested(article_id, source_id, spans)
        return Changes(article_ids=frozenset(touched))

    def model_sources(self) -> list[tuple[int, str, str]]:
        """(id, name, version) of every model source the project knows."""
        return self.conn.execute("SELECT id, name, version FROM sources WHERE kind = 'model' ORDER BY id").fetchall()
