"""Decisions and the undo log: each decision one step of row changes, replayed by undo and redo."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from .. import history
from ..errors import EditError
from ..model import Article, Changes, Entity, EntityState, Status, UndoStatus
from ..offsets import check_span, overlapping
from .base import now


class DecisionStore:
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
        ``UPDATE``, logged as one op per set of rows that had the same values (see ``history``):
        an article of 2,500 suggestions is accepted in a few ms."""
        values = {"state": EntityState.CONFIRMED.value, "annotator": self.annotator, "decided_at": now()}
        columns, where = tuple(values), "WHERE article_id = ? AND state = 'suggested'"
        alike = self.conn.execute(
            f"SELECT {', '.join(columns)}, json_group_array(id) FROM annotations {where} GROUP BY {', '.join(columns)}",
            (article_id,),
        ).fetchall()
        if not alike:
            return
        assignments = ", ".join(f"{c} = ?" for c in columns)
        self.conn.execute(f"UPDATE annotations SET {assignments} {where}", (*values.values(), article_id))
        self._group.extend(["annotations", json.loads(row[-1]), dict(zip(columns, row)), values] for row in alike)

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
            ops = json.loads(ops)
            steps = list(history.steps(ops, backward=backward))
            conflict = self._conflict(steps)
            if conflict is None:
                for table, row_id, before, after in steps:
                    self._apply(table, row_id, after, update=before is not None)
                self.conn.execute("UPDATE events SET state = ? WHERE id = ?", (to_state, event_id))
            else:
                self.conn.execute("UPDATE events SET state = 'dropped' WHERE id = ?", (event_id,))
        if conflict is not None:
            raise EditError(f"cannot {verb} {history.describe(action, article_id)}: {conflict}; it was left out of the history")
        # a step over many articles (a propagation to the pending ones) names them in its rows
        ids = frozenset({article_id}) if article_id is not None else frozenset(
            values["article_id"] for _, _, before, after in steps for values in (before, after)
            if values is not None and "article_id" in values
        )
        statuses = any(step[0] == "articles" for step in steps)
        # A decision's focus is the window's to remember (accepting touches every suggestion alike).
        entities = () if statuses else history.touched_entities(ops)
        return Changes(article_ids=ids, statuses=statuses, entity_ids=entities)

    def _conflict(self, steps: list) -> str | None:
        """Why these steps can no longer be replayed, or None.

        Only entities (``annotations``) can overlap: the rows a step adds or moves are checked
        against the rest of their own article, for a step over one article or many alike.
        """
        removed: set[int] = set()
        added: dict[int, list[tuple[int, int]]] = {}
        for table, row_id, before, after in steps:
            current = self._row(table, row_id)
            if before is None:
                if current is not None:
                    return "that entity's place was taken since"
                if table == "annotations":
                    added.setdefault(after["article_id"], []).append((after["start"], after["end"]))
            elif current is None or any(current[k] != v for k, v in before.items()):
                who = (current or {}).get("annotator")
                return f"{who} changed it since" if who and who != self.annotator else "it was changed since"
            elif table != "annotations":
                continue
            elif after is None:
                removed.add(row_id)
            elif "start" in after or "end" in after:
                removed.add(row_id)
                added.setdefault(current["article_id"], []).append(
                    (after.get("start", current["start"]), after.get("end", current["end"]))
                )
        if added and not self.setting("allow_overlap", False):
            for article_id, spans in added.items():
                others = [
                    (s, e) for i, s, e in self.conn.execute(
                        "SELECT id, start, end FROM annotations WHERE article_id = ?", (article_id,)
                    ) if i not in removed
                ]
                if any(overlapping(s, e, others) for s, e in spans):
                    return "it would overlap an entity drawn since"
        return None

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
        if self._row("articles", article_id)["status"] == status.value:
            return  # deciding again what the article already is (a second press, a held key) is no step
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
