"""Patterns: a project's terminology, matched before the model in every suggestion run.

The file format is spaCy's EntityRuler / Prodigy patterns JSONL, one object a line:
``{"label": "ORG", "pattern": "Pacific Fleet"}`` (a phrase, matched on the tokens' exact
text) or ``{"label": "ORG", "pattern": [{"lower": "kremlin"}]}`` (a token pattern, as spaCy's
``Matcher`` takes it), with an optional ``"id"``. A file is checked whole before anything is
stored (``read_patterns``), so a bad line changes nothing.

How pattern matches and the model's entities combine within one run (``PatternMatcher.combine``):
overlapping matches are narrowed to the longest (the first of equal ones, ``spacy.util.filter_spans``),
then the model's entities that overlap none of them fill the rest; the model's that overlap one are
not shown. That is spaCy's rule for an ``entity_ruler`` that overwrites entities; spaCy's other way,
the ruler placed before ``ner``, lets the recognizer predict around the matches instead, which may
move its other entities, where here they stay as the model gave them. spaCy is imported on first use.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import labels as label_set
from .errors import AnnotatorError, InputError, UnknownLabels
from .importing import _kind, json_lines
from .model import Pattern
from .wording import plural

if TYPE_CHECKING:
    from .store import AnnotationStore

KEYS = ("label", "pattern", "id")
PATTERNS_SOURCE = "patterns"  # sources.kind (and name) of pattern matches; the version names the set


def set_version(patterns: Iterable[Pattern]) -> str:
    """"sha1:" and 16 hex digits over the labels and patterns of a set, in any order: what the
    source of its matches is called, so a changed set is a new source (ids do not match anything)."""
    digest = hashlib.sha1()
    for line in sorted(f"{p.label}\0{p.text}" for p in patterns):
        digest.update(line.encode("utf-8") + b"\n")
    return f"sha1:{digest.hexdigest()[:16]}"


# ----------------------------------------------------------------- reading
def read_patterns(paths: Iterable[str | Path]) -> list[Pattern]:
    """Every pattern of the files, each line checked; the first bad one is refused as FILE:LINE."""
    found = []
    for path in paths:
        for where, _, value in json_lines(Path(path)):
            if value is not None:
                found.append(check_pattern(value, where))
    return found


def check_pattern(value: object, where: str) -> Pattern:
    if not isinstance(value, dict):
        raise InputError(f"{where}: expected a JSON object, got {_kind(value)}")
    unknown = [key for key in value if key not in KEYS]
    if unknown:
        raise InputError(f"{where}: unknown key {unknown[0]!r} (a pattern has \"label\", \"pattern\" and an optional \"id\")")
    if "label" not in value:
        raise InputError(f"{where}: missing \"label\"")
    if "pattern" not in value:
        raise InputError(f"{where}: missing \"pattern\"")
    try:
        label = label_set.check_name(value["label"])
    except AnnotatorError as e:
        raise InputError(f"{where}: {e}") from None
    pattern_id = value.get("id")
    if pattern_id is not None and not isinstance(pattern_id, str):
        raise InputError(f"{where}: \"id\" must be a string, got {_kind(pattern_id)}")
    pattern = value["pattern"]
    if isinstance(pattern, str):
        if not pattern.strip():
            raise InputError(f"{where}: empty pattern")
    elif isinstance(pattern, list):
        if not pattern:
            raise InputError(f"{where}: empty pattern (a token pattern needs at least one token)")
        problem = _matcher_refuses(pattern)
        if problem:
            raise InputError(f"{where}: spaCy's Matcher refuses this token pattern ({problem})")
    else:
        raise InputError(f"{where}: \"pattern\" must be a string (a phrase) or a list of token objects, got {_kind(pattern)}")
    return Pattern(label, pattern, pattern_id, where=where)


def _matcher_refuses(pattern: list) -> str | None:
    """What spaCy's Matcher says of a token pattern (None: it takes it), found by adding it to one."""
    from spacy.matcher import Matcher

    try:
        Matcher(_blank().vocab, validate=True).add("pattern", [pattern])
    except Exception as e:  # MatchPatternError, ValueError (E012...), TypeError for odd values
        return _first_problem(str(e))
    return None


def _first_problem(message: str) -> str:
    """spaCy's validation message, cut to its first finding: "- [pattern -> 0 -> LOWERX] Extra
    inputs are not permitted" becomes "token 1, LOWERX: extra inputs are not permitted"."""
    for line in message.splitlines():
        line = line.strip()
        if line.startswith("- ["):
            path, _, what = line[3:].partition("] ")
            steps = path.split(" -> ")[1:]
            place = f"token {int(steps[0]) + 1}" if steps and steps[0].isdigit() else "pattern"
            detail = ", ".join([place, *steps[1:2]])
            return f"{detail}: {what[:1].lower()}{what[1:]}"
    first = next((line.strip() for line in message.splitlines() if line.strip()), "refused")
    return first.split("] ", 1)[-1] if first.startswith("[E") else first


@cache
def _blank():
    import spacy

    return spacy.blank("en")


def check_labels(patterns: Sequence[Pattern], project_labels: set[str]) -> None:
    """Refuse patterns whose label is not one of the project's, naming each with where it is first used."""
    unknown: dict[str, str] = {}
    for p in patterns:
        if p.label not in project_labels:
            unknown.setdefault(p.label, p.where)
    if unknown:
        named = ", ".join(f"{label!r} ({where})" for label, where in unknown.items())
        has = ", ".join(label_set.sort_names(project_labels)) or "none"
        raise UnknownLabels(
            f"{plural(len(unknown), 'pattern label')} the project does not have: {named} (the project has: {has}); "
            f"pass --add-labels to add {'it' if len(unknown) == 1 else 'them'}",
            tuple(unknown),
        )


def duplicates_within(patterns: Sequence[Pattern]) -> tuple[list[Pattern], list[Pattern]]:
    """(the first of each label and pattern, the later repeats)."""
    seen: set[tuple[str, str]] = set()
    first, again = [], []
    for p in patterns:
        key = (p.label, p.text)
        (again if key in seen else first).append(p)
        seen.add(key)
    return first, again


# ------------------------------------------------------------- the project
@dataclass(frozen=True)
class AddReport:
    added: int
    duplicates: tuple[Pattern, ...]  # repeats within the files, and patterns the project held already
    labels_added: tuple[str, ...]

    def summary(self) -> str:
        parts = [f"added {plural(self.added, 'pattern')}"]
        if self.duplicates:
            where = ", ".join(p.where for p in self.duplicates[:5]) + (", ..." if len(self.duplicates) > 5 else "")
            parts.append(f"{plural(len(self.duplicates), 'duplicate')} not stored again ({where})")
        if self.labels_added:
            parts.append(f"labels added: {', '.join(self.labels_added)}")
        return "; ".join(parts)


def read_for_project(store: AnnotationStore, paths: Sequence[str | Path], *, add_labels: bool = False) -> list[Pattern]:
    """The files' patterns, every line checked and (unless ``add_labels``) every label one of the
    project's: what ``add_to_project`` stores. Nothing is written."""
    patterns = read_patterns(paths)
    if not patterns:
        raise InputError(f"{', '.join(map(str, paths))}: no patterns (a patterns file has one JSON object a line)")
    if not add_labels:
        check_labels(patterns, store.label_names())
    return patterns


def add_to_project(store: AnnotationStore, patterns: Sequence[Pattern]) -> AddReport:
    """Store checked patterns, and the labels they name that the project lacks, in one transaction;
    a pattern the files repeat or the project holds is not stored again, and is reported."""
    first, again = duplicates_within(patterns)
    with store.transaction():
        existing = store.label_names()
        missing = label_set.sort_names({p.label for p in first} - existing)
        if missing:
            current = store.labels()
            store.add_labels(label_set.make_labels(
                missing, start=max((label.position + 1 for label in current), default=0),
                taken_keys=[label.hotkey for label in current],
            ))
        held = store.add_patterns(first)
    order = {id(p): i for i, p in enumerate(patterns)}  # the same objects come back: report them in file order
    duplicates = sorted(again + held, key=lambda p: order[id(p)])
    return AddReport(len(first) - len(held), tuple(duplicates), tuple(missing))


def add_pattern_files(store: AnnotationStore, paths: Sequence[str | Path], *, add_labels: bool = False) -> AddReport:
    """``annotator patterns add`` and the Patterns dialog: read, check and store, or change nothing."""
    return add_to_project(store, read_for_project(store, paths, add_labels=add_labels))


# ---------------------------------------------------------------- matching
class PatternMatcher:
    """A set of patterns ready to match docs of one pipeline, and the project source of its matches."""

    def __init__(self, nlp, patterns: Sequence[Pattern], source_id: int | None = None):
        from spacy.pipeline import SpanRuler

        self.version = set_version(patterns)
        self.source_id = source_id
        # Not added to the pipeline: the matches are kept apart from the model's entities, to tell them apart.
        self._ruler = SpanRuler(nlp, name="annotator_patterns", spans_key=None, validate=True)
        self._ruler.add_patterns([
            {"label": p.label, "pattern": p.pattern, **({"id": p.pattern_id} if p.pattern_id else {})}
            for p in patterns
        ])

    def combine(self, doc, model_entities: Iterable[Any]) -> tuple[list, list]:
        """(pattern matches, the model's entities that overlap none of them), spaCy spans of ``doc``."""
        from spacy.util import filter_spans

        matches = filter_spans(self._ruler.match(doc))
        covered = {i for m in matches for i in range(m.start, m.end)}  # token indices: linear in the tokens
        kept = [e for e in model_entities if covered.isdisjoint(range(e.start, e.end))]
        return matches, kept
