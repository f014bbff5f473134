"""Renaming and removing a project's labels: every row that names the label, in one transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass

from .. import labels as label_set
from ..errors import EditError
from ..model import Changes
from ..wording import plural
from .base import now

# An event in this state is a record of who changed the label set, not a step of anyone's undo
# history (undo and redo walk 'done' and 'undone' events only).
LOGGED = "logged"


@dataclass(frozen=True)
class LabelEdit:
    """What a rename or removal changed."""

    entities: int  # rows of ``annotations`` (confirmed and suggested) relabelled or removed
    suggestions: int  # rows of ``suggestions`` (what sources said) relabelled
    history_dropped: int  # undo/redo steps left out of the history: they would write the old name back
    changes: Changes


class LabelEditStore:
    def label_usage(self, name: str) -> tuple[int, int]:
        """(confirmed, suggested) entities that carry label ``name``."""
        counts = dict(self.conn.execute(
            "SELECT state, count(*) FROM annotations WHERE label = ? GROUP BY state", (name,)
        ).fetchall())
        return counts.get("confirmed", 0), counts.get("suggested", 0)

    def rename_label(self, old: str, new: str) -> LabelEdit:
        """``old`` becomes ``new`` everywhere: the label (colour, hotkey, place), its entities, the
        suggestions that carry it, its patterns, and the label map (see ``labels.follow``)."""
        new = label_set.check_name(new)
        with self.transaction():
            names = self.label_names()
            if old not in names:
                raise EditError(f"unknown label {old!r}")
            if new in names:
                raise EditError(
                    f"there is a label {new!r} already; to merge the two, remove {old!r} and relabel its entities to {new!r}"
                )
            self.conn.execute("UPDATE labels SET name = ? WHERE name = ?", (new, old))
            return self._carry(old, new, names, f"rename label {old} to {new}")

    def remove_label(self, name: str, *, to: str | None = None, drop_entities: bool = False) -> LabelEdit:
        """Remove a label. Entities that carry it are refused unless ``to`` (another label: they, the
        suggestions and patterns carrying it are relabelled, and the label map follows) or
        ``drop_entities``. Without ``to``, its patterns go with it."""
        with self.transaction():
            names = self.label_names()
            if name not in names:
                raise EditError(f"unknown label {name!r}")
            if to is not None and (to == name or to not in names):
                raise EditError(f"{to!r} is not another of the project's labels")
            confirmed, suggested = self.label_usage(name)
            if (confirmed or suggested) and to is None and not drop_entities:
                raise EditError(
                    f"label {name!r} is used by {confirmed} confirmed and {suggested} suggested "
                    "entities; say whether to relabel them or remove them"
                )
            self.conn.execute("DELETE FROM labels WHERE name = ?", (name,))
            if to is not None:
                return self._carry(name, to, names, f"remove label {name}, relabelling to {to}")
            removed = self.conn.execute("DELETE FROM annotations WHERE label = ?", (name,)).rowcount
            self.conn.execute("DELETE FROM patterns WHERE label = ?", (name,))  # they could never match again
            self._set_label_map(label_set.follow(self.setting("label_map", {}), names, name, None))
            dropped = self._drop_history_naming(name)
            self._record(f"remove label {name} and {plural(removed, 'entity', 'entities')}")
            return LabelEdit(removed, 0, dropped, Changes(labels=True, statuses=True))

    # ---------------------------------------------------------------- internal
    def _carry(self, old: str, new: str, names: set[str], action: str) -> LabelEdit:
        entities = self.conn.execute("UPDATE annotations SET label = ? WHERE label = ?", (new, old)).rowcount
        suggestions = self.conn.execute("UPDATE suggestions SET label = ? WHERE label = ?", (new, old)).rowcount
        # the project's patterns follow too; one that ``new`` has already is not kept twice
        self.conn.execute("DELETE FROM patterns WHERE label = ? AND pattern IN (SELECT pattern FROM patterns WHERE label = ?)",
                          (old, new))
        self.conn.execute("UPDATE patterns SET label = ? WHERE label = ?", (new, old))
        self._set_label_map(label_set.follow(self.setting("label_map", {}), names, old, new))
        dropped = self._drop_history_naming(old)
        self._record(f"{action} ({plural(entities, 'entity', 'entities')}, {plural(suggestions, 'suggestion')})")
        return LabelEdit(entities, suggestions, dropped, Changes(labels=True, statuses=True))

    def _set_label_map(self, label_map: dict) -> None:
        if label_map != self.setting("label_map", {}):
            self.set_setting("label_map", label_map)

    def _drop_history_naming(self, label: str) -> int:
        """Leave out of every annotator's history the steps that would write ``label`` back
        (an undo of a relabel from it, a redo of an entity drawn with it): it is gone."""
        needle = json.dumps({"label": label}, ensure_ascii=False)[1:-1]  # '"label": "MISC"', as _log writes it
        pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        candidates = self.conn.execute(
            "SELECT id, ops FROM events WHERE state IN ('done', 'undone') AND ops LIKE ? ESCAPE '\\'", (pattern,)
        ).fetchall()
        ids = [event_id for event_id, ops in candidates if _names_label(json.loads(ops), label)]
        self.conn.executemany("UPDATE events SET state = 'dropped' WHERE id = ?", [(i,) for i in ids])
        return len(ids)

    def _record(self, action: str) -> None:
        """Who changed the label set, when and how, in the events log (no row changes to replay)."""
        self.conn.execute(
            "INSERT INTO events (session_id, annotator, at, action, article_id, ops, state) VALUES (?, ?, ?, ?, NULL, '[]', ?)",
            (self.session_id, self.annotator, now(), action, LOGGED),
        )


def _names_label(ops: list, label: str) -> bool:
    return any(
        isinstance(values, dict) and values.get("label") == label
        for _, _, before, after in ops for values in (before, after)
    )
