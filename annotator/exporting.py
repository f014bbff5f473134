"""Writing decided articles out: Prodigy/spaCy-style JSONL tasks, and through them every format.

One function turns an article into a task (``prodigy_task``); ``write_jsonl``
streams tasks into a file atomically (temporary file, then ``os.replace``) or
to stdout. ``export`` hands the same tasks to the writer of another format
(``annotator.formats``: doccano, Label Studio, DocBin, CoNLL, brat).

A task's line is written piece by piece (``write_task``): a long text in
slices, its tokens a slice of rows at a time, made as they are written. The
whole line of a 47 MB article built as one dict and one string took 9 GB.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

from . import formats
from .alignment import ALIGN_RULES, TokenIndex
from .errors import InputError
from .formats import WriteOptions
from .formats.files import atomic_text
from .model import Article, Entity, Status
from .offsets import first_overlap
from .progress import OnProgress, Progress, ShouldCancel, check_cancel
from .store import AnnotationStore
from .tokens import Tokens, token_spans

TOKEN_FORMATS = ("jsonl", "spacy", "conll")  # what writes token indices or token lines: --align applies
ANSWERS = {
    Status.ACCEPTED: "accept",
    Status.REJECTED: "reject",
    Status.SKIPPED: "ignore",
    Status.PENDING: "ignore",
}


PIECE = 1 << 14  # characters of a long string written at once
ROWS = 1000  # token rows made and written at once (about 70 KB of JSON)

# json.dumps(value, ensure_ascii=False), without building an encoder per call.
_encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode


def _dumps(value: object) -> str:
    """``value`` as standard JSON, which has no NaN or Infinity.

    Import refuses them, but a project imported before it did may hold them in
    meta: they are written as the strings "NaN", "Infinity" and "-Infinity",
    which the import's message asks for too.
    """
    try:
        return _encode(value)
    except ValueError:
        return _encode(_finite(value))


def stable_hash(value: object) -> int:
    """A signed 32-bit int from the SHA-1 of canonical JSON (the range of Prodigy's hashes).

    Python's ``hash()`` changes between runs, so it cannot be used here.
    """
    data = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return _short(hashlib.sha1(data))


def input_hash(text: str) -> int:
    """``stable_hash({"text": text})``, hashed a slice of the text at a time (no copy of a long text)."""
    sha = hashlib.sha1(b'{"text":"')
    for piece in _string_pieces(text):
        sha.update(piece.encode("utf-8"))
    sha.update(b'"}')
    return _short(sha)


def _short(sha) -> int:
    return int.from_bytes(sha.digest()[:4], "big", signed=True)


def _string_pieces(text: str) -> Iterator[str]:
    """``_dumps(text)`` without its quotes, a slice at a time (JSON escapes each character on its own)."""
    for i in range(0, len(text), PIECE):
        yield _dumps(text[i:i + PIECE])[1:-1]


def _timestamp(decided_at: str | None) -> int | None:
    return None if decided_at is None else int(datetime.fromisoformat(decided_at).timestamp())


@dataclass
class ExportNotes:
    """What an export changed so that its spans fit the tokens, for the summary."""

    moved: int = 0  # spans --align contract|expand moved onto token boundaries
    dropped: int = 0  # spans it left with no token
    overlapping: int = 0  # articles with overlapping spans, written as spans_manual

    def summary(self, align: str) -> str:
        notes = []
        if self.moved:
            notes.append(f"{self.moved} span{'s' * (self.moved != 1)} {align}ed to token boundaries")
        if self.dropped:
            notes.append(f"{self.dropped} span{'s' * (self.dropped != 1)} dropped, no whole token inside")
        if self.overlapping:
            notes.append(f"{self.overlapping} article{'s' * (self.overlapping != 1)} with overlapping spans "
                         "written as spans_manual (token formats keep the longest, then the earliest)")
        return "; ".join(notes)


class TokenRows(Sequence[dict]):
    """A task's ``tokens``: each row made when it is read or written, none kept."""

    def __init__(self, text: str, tokens: Tokens):
        self.text, self.starts, self.ends = text, tokens.starts, tokens.ends

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        s, e = self.starts[i], self.ends[i]
        after = self.starts[i + 1] if i + 1 < len(self.starts) else len(self.text)
        return {"text": self.text[s:e], "start": s, "end": e, "id": i, "ws": after > e}


def prodigy_task(
    article: Article,
    entities: Sequence[Entity],
    tokens: Sequence[tuple[int, int]] | None,
    *,
    align: str | None = "strict",
    notes: ExportNotes | None = None,
) -> dict:
    """The ``ner_manual`` task of one article: its current entities, tokens and the decision.

    Every span's ``token_start``/``token_end`` cover exactly its characters: a span off
    token boundaries is refused (``align="strict"``) or moved by the rule (see
    ``alignment``). ``align=None`` (for character formats, which write no tokens) keeps
    every span as it is, without token indices when it is off token boundaries. An article whose spans overlap is a ``spans_manual`` task, Prodigy's
    view for overlapping spans (``ner_manual`` and spaCy's ``doc.ents`` cannot hold them).
    """
    text = article.text
    tokens = token_spans(text) if tokens is None else Tokens.from_pairs(tokens)
    index = TokenIndex(tokens)
    spans = []
    for entity in entities:
        if align is None:
            span = {"start": entity.start, "end": entity.end, "label": entity.label}
            aligned = index.indices(entity.start, entity.end)
            if aligned is not None:
                span.update(token_start=aligned[0], token_end=aligned[1])
            spans.append(span)
            continue
        placed = index.align(entity.start, entity.end, align)
        if placed is None and align == "strict":
            touched = index.expand(entity.start, entity.end)
            inside = f" (in {text[touched[0]:touched[1]]!r})" if touched else ""
            raise InputError(
                f"{_article_name(article)}: span {text[entity.start:entity.end]!r} at {entity.start}-{entity.end}"
                f"{inside} does not fall on token boundaries; export with --align contract (shrink to the whole "
                "tokens inside) or --align expand (grow to the tokens it touches), or fix it in the project"
            )
        if notes is not None and placed != (entity.start, entity.end):
            if placed is None:
                notes.dropped += 1
            else:
                notes.moved += 1
        if placed is None:
            continue
        first, last = index.indices(*placed)
        spans.append({
            "start": placed[0], "end": placed[1], "label": entity.label,
            "token_start": first, "token_end": last,
        })
    overlapping = first_overlap([(s["start"], s["end"]) for s in spans]) is not None
    if overlapping and notes is not None and align is not None:  # character formats carry overlaps as they are
        notes.overlapping += 1
    text_hash = input_hash(text)
    task = {"text": text, "meta": article.meta}
    if article.title is not None:
        task["title"] = article.title
    task.update({
        "spans": spans,
        "tokens": TokenRows(text, tokens),
        "answer": ANSWERS[article.status],
        "_input_hash": text_hash,
        "_task_hash": stable_hash([text_hash, [[s["start"], s["end"], s["label"]] for s in spans]]),
        "_view_id": "spans_manual" if overlapping else "ner_manual",
        "_annotator_id": article.annotator,
        "_timestamp": _timestamp(article.decided_at),
    })
    return task


def _article_name(article: Article) -> str:
    return f"article {article.id}" + (f" ({article.title!r})" if article.title else "")


# Another format's per-article function has this shape and plugs into tasks().
TaskMaker = Callable[[Article, Sequence[Entity], "Sequence[tuple[int, int]] | None"], dict]


def tasks(
    store: AnnotationStore,
    statuses: Sequence[Status] | None = (Status.ACCEPTED,),
    *,
    annotator: str | None = None,
    make_task: TaskMaker | None = None,
    align: str | None = "strict",
    notes: ExportNotes | None = None,
) -> Iterator[dict]:
    """Stream tasks for the articles with these statuses (None: every article).

    ``align`` and ``notes`` go to ``prodigy_task`` (the default ``make_task``).
    """
    if align is not None and align not in ALIGN_RULES:
        raise InputError(f"spans can be aligned {', '.join(ALIGN_RULES)}, not {align!r}")
    make_task = make_task or partial(prodigy_task, align=align, notes=notes)
    for article, entities, tokens in store.iter_articles(statuses, annotator=annotator):
        yield make_task(article, entities, tokens)


def write_jsonl(
    out: str | Path,
    records: Iterable[dict],
    *,
    on_progress: OnProgress | None = None,
    should_cancel: ShouldCancel | None = None,
    total: int = 0,
) -> int:
    """Write one JSON object per line; ``"-"`` is stdout. Returns the number of lines.

    A file appears complete or not at all: lines go to a temporary file beside
    it, which replaces the target only when everything was written.
    """
    with atomic_text(out) as f:
        return _write_lines(f, records, on_progress, should_cancel, total)


def write_task(f, task: dict) -> None:
    """Write ``json.dumps(task, ensure_ascii=False)`` to ``f`` in pieces of bounded size.

    A long string goes a slice at a time and a ``TokenRows`` a slice of rows at
    a time, so memory stays a small multiple of the article however long it is.
    """
    f.write("{")
    for i, (key, value) in enumerate(task.items()):
        f.write(f"{', ' if i else ''}{_dumps(key)}: ")
        if isinstance(value, TokenRows):
            f.write("[")
            for start in range(0, len(value), ROWS):
                f.write((", " if start else "") + ", ".join(map(_encode, value[start:start + ROWS])))
            f.write("]")
        elif isinstance(value, str) and len(value) > PIECE:
            f.write('"')
            for piece in _string_pieces(value):
                f.write(piece)
            f.write('"')
        else:
            f.write(_dumps(value))
    f.write("}")


def _write_lines(f, records, on_progress, should_cancel, total) -> int:
    count = 0
    for record in records:
        write_task(f, record)
        f.write("\n")
        count += 1
        if count % 100 == 0:
            if on_progress:
                on_progress(Progress(count, total, "Exporting"))
            check_cancel(should_cancel, "export")
    return count


def _finite(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


def export_jsonl(
    store: AnnotationStore,
    out: str | Path,
    statuses: Sequence[Status] | None = (Status.ACCEPTED,),
    *,
    annotator: str | None = None,
    align: str = "strict",
    notes: ExportNotes | None = None,
    on_progress: OnProgress | None = None,
    should_cancel: ShouldCancel | None = None,
) -> int:
    """Export articles of these statuses (None: all) as JSONL tasks; returns how many were written."""
    counts = store.counts()
    total = sum(counts.get(Status(s).value, 0) for s in statuses) if statuses else sum(counts.values())
    return write_jsonl(
        out, tasks(store, statuses, annotator=annotator, align=align, notes=notes),
        on_progress=on_progress, should_cancel=should_cancel, total=total,
    )


def export(
    store: AnnotationStore,
    out: str | Path,
    statuses: Sequence[Status] | None = (Status.ACCEPTED,),
    *,
    form: str | None = None,
    annotator: str | None = None,
    options: WriteOptions | None = None,
    align: str = "strict",
    notes: ExportNotes | None = None,
) -> int:
    """Export articles of these statuses (None: all) in format ``form`` (None: the one ``out``'s
    extension means, see ``formats.for_export``); returns how many were written.

    ``align``: the rule for spans off token boundaries (``alignment``) in the formats
    built on tokens, whose effects are counted in ``notes``; the others (doccano,
    Label Studio, brat) carry every span's characters as they are."""
    chosen = formats.for_export(out, form)
    writer = chosen.load()
    if chosen.name not in TOKEN_FORMATS:
        if align not in ALIGN_RULES:
            raise InputError(f"spans can be aligned {', '.join(ALIGN_RULES)}, not {align!r}")
        align = None
    options = options or WriteOptions()
    counts = store.counts()
    options.total = sum(counts.get(Status(s).value, 0) for s in statuses) if statuses else sum(counts.values())
    return writer.write(out, tasks(store, statuses, annotator=annotator, align=align, notes=notes), options)
