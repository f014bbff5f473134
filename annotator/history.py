"""The shape of the undo log, kept apart from the SQL that writes it.

An event's ``ops`` is a list of ``[table, row_id, before, after]``: ``before``
is None for an inserted row, ``after`` is None for a deleted row, and for an
update both hold only the columns that changed. ``row_id`` may also be a list
of ids whose rows changed alike (accepting an article confirms thousands of
suggestions from the same values to the same values: one op, not thousands).
Undo replays the list backwards writing ``before``; redo replays it forwards
writing ``after``.
"""

from __future__ import annotations

from collections.abc import Iterator

# The only tables and columns history may write: also a whitelist for SQL names.
COLUMNS: dict[str, tuple[str, ...]] = {
    "annotations": ("id", "article_id", "start", "end", "label", "state", "suggestion_id", "annotator", "decided_at"),
    "articles": ("id", "status", "annotator", "decided_at"),
    # what a source said, added and removed with the entity shown for it (propagation's suggestions)
    "suggestions": ("id", "article_id", "start", "end", "label", "source_id", "score"),
}


def steps(ops: list, *, backward: bool) -> Iterator[tuple[str, int, dict | None, dict | None]]:
    """Yield (table, row_id, from, to) in the order that undoes or redoes ``ops``."""
    if backward:
        for table, row_ids, before, after in reversed(ops):
            for row_id in reversed(row_ids) if isinstance(row_ids, list) else (row_ids,):
                yield table, row_id, after, before
    else:
        for table, row_ids, before, after in ops:
            for row_id in row_ids if isinstance(row_ids, list) else (row_ids,):
                yield table, row_id, before, after


def touched_entities(ops: list) -> tuple[int, ...]:
    """The annotation rows a step changed, the one it was about first.

    Every edit records the rows it cleared out of its way (overlapped
    suggestions) before the entity it added, moved, relabelled or removed, so
    that entity is the step's last annotation op; accepting an article touches
    many alike in one op.
    """
    ids: list[int] = []
    for table, row_ids, _, _ in reversed(ops):
        if table == "annotations":
            ids.extend(row_ids if isinstance(row_ids, list) else [row_ids])
    return tuple(dict.fromkeys(ids))


def describe(action: str, article_id: int | None) -> str:
    return action if article_id is None else f"{action} (article {article_id})"
