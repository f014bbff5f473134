"""Review sessions: who reviewed when, and what they decided."""

from __future__ import annotations

from ..errors import AnnotatorError
from .base import now


class SessionStore:
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
