"""The project's patterns (``annotator.patterns``): stored once each, listed, removed."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from ..errors import EditError
from ..model import Pattern
from .base import now


class PatternStore:
    def patterns(self) -> list[Pattern]:
        """Every stored pattern, in the order added (``number`` is its row id)."""
        return [
            Pattern(label, json.loads(text), pattern_id, number)
            for number, label, text, pattern_id in self.conn.execute(
                "SELECT id, label, pattern, pattern_id FROM patterns ORDER BY id"
            )
        ]

    def add_patterns(self, patterns: Iterable[Pattern]) -> list[Pattern]:
        """Store the patterns the project does not hold yet (by label and pattern), in one
        transaction; returns those it held already, which are left as they were."""
        held = []
        with self.transaction():
            created = now()
            for p in patterns:
                added = self.conn.execute(
                    "INSERT INTO patterns (label, pattern, pattern_id, created_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (label, pattern) DO NOTHING RETURNING id",
                    (p.label, p.text, p.pattern_id, created),
                ).fetchall()
                if not added:
                    held.append(p)
        return held

    def remove_patterns(self, numbers: Sequence[int] = (), *, label: str | None = None, everything: bool = False) -> int:
        """Remove patterns by number, every one of a label, or all; how many went. A number the
        project does not hold is refused, and nothing is removed."""
        with self.transaction():
            if everything:
                return self.conn.execute("DELETE FROM patterns").rowcount
            if label is not None:
                return self.conn.execute("DELETE FROM patterns WHERE label = ?", (label,)).rowcount
            held = {row[0] for row in self.conn.execute("SELECT id FROM patterns")}
            missing = [n for n in dict.fromkeys(numbers) if n not in held]
            if missing:
                raise EditError(f"no pattern numbered {', '.join(map(str, missing))} in the project "
                                "(see 'annotator patterns list'); nothing was removed")
            self.conn.executemany("DELETE FROM patterns WHERE id = ?", [(n,) for n in set(numbers)])
            return len(set(numbers))

