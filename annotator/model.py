"""Plain data shared by the core, the CLI and the GUI.

Offsets are Python ``str`` code points into the text exactly as imported,
end exclusive. Nothing here knows about SQL or Qt.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field


class Status(str, enum.Enum):
    """Where an article stands in review."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    SKIPPED = "skipped"


class ReviewOrder(str, enum.Enum):
    """The order the queue goes in (the project's ``review_order`` setting)."""

    IMPORT = "import"  # the default: as the articles were imported
    LEAST_SURE = "least-sure"  # the articles the model was least sure of first (see annotator/uncertainty.py)


class EntityState(str, enum.Enum):
    """A suggestion nobody has decided on yet, or an entity a person confirmed or drew."""

    SUGGESTED = "suggested"
    CONFIRMED = "confirmed"


@dataclass(frozen=True)
class Label:
    name: str
    color: str
    hotkey: str | None = None
    position: int = 0


@dataclass(frozen=True)
class Entity:
    id: int
    article_id: int
    start: int
    end: int
    label: str
    state: EntityState
    annotator: str | None = None
    source: str | None = None  # model name@version or pattern that suggested it
    score: float | None = None

    @property
    def suggested(self) -> bool:
        return self.state is EntityState.SUGGESTED


# An entity's place and label only, what an export writes: (start, end, label). A plain
# tuple straight from the database row, made far faster than an ``Entity`` (two million of
# them in a 50,000-article export).
Span = tuple[int, int, str]


@dataclass(frozen=True)
class Article:
    id: int
    text: str
    title: str | None
    meta: dict
    status: Status
    annotator: str | None = None
    decided_at: str | None = None
    suggested_by: int | None = None  # sources.id of the model run that suggested it


@dataclass(frozen=True)
class Changes:
    """What a write touched, so views redraw only that (Anki's OpChanges)."""

    article_ids: frozenset[int] = field(default_factory=frozenset)
    statuses: bool = False
    labels: bool = False
    articles_added: bool = False
    # The entities an undone or redone step touched, the one it was about first: where the
    # reviewer's focus goes back to.
    entity_ids: tuple[int, ...] = ()

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            self.article_ids | other.article_ids,
            self.statuses or other.statuses,
            self.labels or other.labels,
            self.articles_added or other.articles_added,
            tuple(dict.fromkeys(self.entity_ids + other.entity_ids)),
        )


@dataclass(frozen=True)
class UndoStatus:
    undo: str | None  # description of the step undo would revert, or None
    redo: str | None


@dataclass(frozen=True)
class Pattern:
    """One pattern of a project (``annotator.patterns``): spaCy EntityRuler's label, pattern and id."""

    label: str
    pattern: str | list  # a phrase, or a list of token objects
    pattern_id: str | None = None  # the file's optional "id"
    number: int | None = field(default=None, compare=False)  # its row in the project (None until stored)
    where: str = field(default="", compare=False)  # FILE:LINE it was read from

    @property
    def text(self) -> str:
        """The pattern as canonical JSON: what is stored, and what makes two patterns the same."""
        return canonical(self.pattern)

    def as_json(self) -> dict:
        """The pattern as a line of a patterns file (and of ``patterns list --json``)."""
        line = {"label": self.label, "pattern": self.pattern}
        if self.pattern_id is not None:
            line["id"] = self.pattern_id
        return line


def canonical(pattern: str | list) -> str:
    """A pattern as JSON with sorted keys and no spaces: equal patterns, equal text."""
    return json.dumps(pattern, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class ModelVersion:
    """A suggestion model trained on the project (``annotator train``); its name is ``v{id}``."""

    id: int
    folder: str  # relative to the project's folder
    base: int | None  # the version it was trained from; None: the project's base model
    content_id: str
    base_content_id: str
    created_at: str
    trained_on: int  # accepted articles it was trained on
    held_out: int  # articles it was scored on
    accepted: int  # accepted articles in the project when it was trained
    epochs: int
    scores: dict  # learning.Scores.to_json() on the held-out articles
    previous_scores: dict  # the model then in use, on the same articles

    @property
    def name(self) -> str:
        return f"v{self.id}"
