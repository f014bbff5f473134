"""Review sessions: who reviewed when, and what they decided."""

from __future__ import annotations

from ..errors import AnnotatorError
from .base import now

# The undo log's decision steps, and the status each leaves its article in.
DECISION_STATUS = {
    "accept article": "accepted",
    "reject article": "rejected",
    "skip article": "skipped",
    "reopen article": "pending",
}


class SessionStore:
    # ---------------------------------------------------------------- sessions
    def start_session(self) -> int:
        with self.transaction():
            (self.session_id,) = self.conn.execute(
                "INSERT INTO sessions (annotator, started_at) VALUES (?, ?) RETURNING id", (self.annotator, now())
            ).fetchone()
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
        counts = self._decided_articles(session_id)
        return {
            "id": row[0],
            "annotator": row[1],
            "started_at": row[2],
            "ended_at": row[3],
            **counts,
            "decided": sum(counts.values()),
        }

    def _decided_articles(self, session_id: int) -> dict[str, int]:
        """The articles this session decided, by the status its last standing decision left each in.

        Articles, not key presses: an undone decision does not count, and an article decided
        twice (accepted, then rejected) counts once, as its last decision. One reopened
        at the end is pending again, so not counted. The status bar's pace, the summary at
        quitting, the sessions list and ``annotator stats`` all read this.
        """
        # ``state`` is stored after the (large) ``ops`` JSON: reading it from the table walks every
        # event's overflow pages, a cost that grew with each decision of the session. The
        # annotator index holds it, and ``action`` comes before ``ops``.
        last = dict(self.conn.execute(
            "SELECT action, count(*) FROM events WHERE id IN ("
            " SELECT max(e.id) FROM events e JOIN events d INDEXED BY events_by_annotator"
            " ON d.annotator = e.annotator AND d.state = 'done' AND d.id = e.id"
            " WHERE e.session_id = ? AND e.action IN (?, ?, ?, ?)"  # the four DECISION_STATUS actions
            " GROUP BY e.article_id"
            ") GROUP BY action",
            (session_id, *DECISION_STATUS),
        ).fetchall())
        return {status: last.get(action, 0) for action, status in DECISION_STATUS.items() if status != "pending"}

    def sessions(self, *, limit: int = 50) -> list[dict]:
        ids = [r[0] for r in self.conn.execute("SELECT id FROM sessions ORDER BY id DESC LIMIT ?", (limit,))]
        return [self.session_summary(i) for i in ids]

    def session_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM sessions").fetchone()[0]
