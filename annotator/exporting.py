"""Writing decided articles out: Prodigy/spaCy-style JSONL tasks, and through them every format.

One function turns an article into a task (``prodigy_task``); ``write_jsonl``
streams tasks into a file atomically (temporary file, then ``os.replace``) or
to stdout. ``export`` hands the same tasks to the writer of another format made of
tokens (``annotator.formats``: DocBin, CoNLL); the formats without tokens
(JSONL ``--no-tokens``, doccano, Label Studio, brat) are written from the
JSON pieces SQLite builds (``task_lines``), with no task dict.

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
from itertools import islice
from pathlib import Path

from . import formats
from .alignment import ALIGN_RULES, TokenIndex
from .errors import InputError
from .formats import WriteOptions
from .formats.files import atomic_text
from .model import Article, Entity, Span, Status
from .offsets import first_overlap
from .progress import OnProgress, Progress, ShouldCancel, check_cancel
from .store import AnnotationStore
from .tokens import Tokens, token_spans, tokenizer_name

TOKEN_FORMATS = ("jsonl", "spacy", "conll")  # what writes token indices or token lines: --align applies
# How each token format writes an article whose spans overlap, for the export's summary. CoNLL
# counts the spans it leaves out in a note of its own (``formats/conll.py``).
OVERLAP_RULES = {
    "jsonl": "written as spans_manual",
    "spacy": "given the longest, then the earliest, as doc.ents (every span is in doc.spans[\"sc\"])",
    "conll": None,
}
ANSWERS = {
    Status.ACCEPTED: "accept",
    Status.REJECTED: "reject",
    Status.SKIPPED: "ignore",
    Status.PENDING: "ignore",
}


PIECE = 1 << 14  # characters of a long string written at once
ROWS = 1000  # token rows made and written at once (about 70 KB of JSON)

# Compact JSON (no spaces after ":" and ","), as Prodigy's db-out and SQLite's JSON functions write it
# (the exports without tokens are made by the latter), without building an encoder per call.
_encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode
# Canonical JSON for the hashes: sorted keys, no spaces (an encoder per call was 5 µs a task).
_canonical = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


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
    return _short(hashlib.sha1(_canonical(value).encode("utf-8")))


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
    overlapping: int = 0  # articles with overlapping spans
    # what the format did with them (``OVERLAP_RULES``; None: the format's own note counts them)
    overlap_rule: str | None = "written as spans_manual"

    def summary(self, align: str) -> str:
        notes = []
        if self.moved:
            notes.append(f"{self.moved} span{'s' * (self.moved != 1)} {align}ed to token boundaries")
        if self.dropped:
            notes.append(f"{self.dropped} span{'s' * (self.dropped != 1)} dropped, no whole token inside")
        if self.overlapping and self.overlap_rule:
            notes.append(f"{self.overlapping} article{'s' * (self.overlapping != 1)} with overlapping spans "
                         f"{self.overlap_rule}")
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
    entities: Sequence[Entity | Span],
    tokens: Sequence[tuple[int, int]] | None,
    *,
    align: str | None = "strict",
    notes: ExportNotes | None = None,
    with_tokens: bool = True,
) -> dict:
    """The ``ner_manual`` task of one article: its current entities, tokens and the decision.

    Tokens not given (None) are computed. Its ``tokens`` is a ``TokenRows`` (a sequence of
    the row dicts); ``write_task`` writes it as a list. Every span's ``token_start``/
    ``token_end`` cover exactly its characters: a span off token boundaries is refused
    (``align="strict"``) or moved by the rule (see ``alignment``). ``align=None`` keeps
    every span as it is, without token indices when it is off token boundaries.
    ``with_tokens=False`` (``--no-tokens``, and the formats that write no tokens) leaves
    out ``tokens`` and every token index, and runs no tokenizer. An article whose spans
    overlap is a ``spans_manual`` task, Prodigy's view for overlapping spans
    (``ner_manual`` and spaCy's ``doc.ents`` cannot hold them).
    """
    text = article.text
    places = [(e.start, e.end, e.label) for e in entities] if entities and isinstance(entities[0], Entity) else entities
    index = None
    if with_tokens:
        tokens = token_spans(text) if tokens is None else Tokens.from_pairs(tokens)
        index = TokenIndex(tokens)
    spans = []
    for start, end, label in places:
        if index is None or align is None:
            span = {"start": start, "end": end, "label": label}
            aligned = None if index is None else index.indices(start, end)
            if aligned is not None:
                span.update(token_start=aligned[0], token_end=aligned[1])
            spans.append(span)
            continue
        placed = index.align(start, end, align)
        if placed is None and align == "strict":
            touched = index.expand(start, end)
            inside = f" (in {text[touched[0]:touched[1]]!r})" if touched else ""
            raise InputError(
                f"{_article_name(article)}: span {text[start:end]!r} at {start}-{end}"
                f"{inside} does not fall on token boundaries; export with --align contract (shrink to the whole "
                "tokens inside) or --align expand (grow to the tokens it touches), or fix it in the project"
            )
        if notes is not None and placed != (start, end):
            if placed is None:
                notes.dropped += 1
            else:
                notes.moved += 1
        if placed is None:
            continue
        first, last = index.indices(*placed)
        spans.append({"start": placed[0], "end": placed[1], "label": label, "token_start": first, "token_end": last})
    overlapping = first_overlap([(s["start"], s["end"]) for s in spans]) is not None
    if overlapping and notes is not None and align is not None:  # character formats carry overlaps as they are
        notes.overlapping += 1
    text_hash = input_hash(text)
    task = {"text": text, "meta": article.meta}
    if article.title is not None:
        task["title"] = article.title
    task["spans"] = spans
    if index is not None:
        task["tokens"] = TokenRows(text, tokens)
    task.update({
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
TaskMaker = Callable[[Article, Sequence[Entity | Span], "Sequence[tuple[int, int]] | None"], dict]

STORE_EVERY = 500_000  # computed tokens held before they are stored (4 MB of arrays)


def tasks(
    store: AnnotationStore,
    statuses: Sequence[Status] | None = (Status.ACCEPTED,),
    *,
    annotator: str | None = None,
    make_task: TaskMaker | None = None,
    align: str | None = "strict",
    notes: ExportNotes | None = None,
    with_tokens: bool = True,
    spans_only: bool = False,
) -> Iterator[dict]:
    """Stream tasks for the articles with these statuses (None: every article).

    ``align``, ``notes`` and ``with_tokens`` go to ``prodigy_task`` (the default ``make_task``).

    ``spans_only``: ``make_task`` gets each entity as a ``Span``, a (start, end, label) tuple,
    not a whole ``Entity`` with its id, state and source: what a format that writes no more
    should ask for, as building two million ``Entity`` objects is most of a large export.

    ``with_tokens``: each article's stored tokens are passed to ``make_task``; an article
    with none (never suggested) is tokenized here once, and the tokens stored when the
    store can write, so the next export reads them. Without, the tokens table is not
    read and ``make_task`` gets None.
    """
    if align is not None and align not in ALIGN_RULES:
        raise InputError(f"spans can be aligned {', '.join(ALIGN_RULES)}, not {align!r}")
    make_task = make_task or partial(prodigy_task, align=align, notes=notes, with_tokens=with_tokens)
    computed: list[tuple[int, Tokens]] = []
    held = 0
    keep = with_tokens and store.can_write()
    for article, entities, tokens in store.iter_articles(
        statuses, annotator=annotator, tokens=with_tokens, spans_only=spans_only
    ):
        if with_tokens and tokens is None:
            tokens = token_spans(article.text)
            if keep:
                computed.append((article.id, tokens))
                held += len(tokens)
                if held >= STORE_EVERY:
                    store.save_tokens(computed, tokenizer_name())
                    computed, held = [], 0
        yield make_task(article, entities, tokens)
    if computed:
        store.save_tokens(computed, tokenizer_name())


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
    """Write ``_dumps(task)`` (compact JSON) to ``f`` in pieces of bounded size.

    A long string goes a slice at a time and a ``TokenRows`` a slice of rows at
    a time, so memory stays a small multiple of the article however long it is.
    A task with neither goes in one piece: one encoder call instead of one per key.
    """
    if not any(isinstance(value, TokenRows) or (isinstance(value, str) and len(value) > PIECE) for value in task.values()):
        f.write(_dumps(task))
        return
    f.write("{")
    for i, (key, value) in enumerate(task.items()):
        f.write(f"{',' if i else ''}{_dumps(key)}:")
        if isinstance(value, TokenRows):
            f.write("[")
            for start in range(0, len(value), ROWS):
                f.write(("," if start else "") + ",".join(map(_encode, value[start:start + ROWS])))
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
    with_tokens: bool = True,
) -> int:
    """Export articles of these statuses (None: all) as JSONL tasks; returns how many were written.

    ``with_tokens=False`` (``--no-tokens``) leaves out ``tokens`` and the spans' token indices
    (written by ``task_lines``, the same bytes without a task dict).
    """
    counts = store.counts()
    total = sum(counts.get(Status(s).value, 0) for s in statuses) if statuses else sum(counts.values())
    if not with_tokens:
        from .task_lines import write_task_lines

        return write_task_lines(store, out, statuses, annotator=annotator, align=align, notes=notes,
                                on_progress=on_progress, should_cancel=should_cancel, total=total)
    return write_jsonl(
        out, tasks(store, statuses, annotator=annotator, align=align, notes=notes, with_tokens=with_tokens, spans_only=True),
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
    with_tokens: bool = True,
    limit: int | None = None,
) -> int:
    """Export articles of these statuses (None: all) in format ``form`` (None: the one ``out``'s
    extension means, see ``formats.for_export``); returns how many were written.

    ``align``: the rule for spans off token boundaries (``alignment``) in the formats
    built on tokens, whose effects are counted in ``notes``; the others (doccano,
    Label Studio, brat) carry every span's characters as they are, and never run the
    tokenizer. ``with_tokens=False`` (``--no-tokens``) leaves the tokens out of JSONL;
    DocBin and CoNLL are made of tokens and keep them. ``limit``: the first that many
    articles only (the export dialog's preview)."""
    chosen = formats.for_export(out, form)
    writer = chosen.load()
    if chosen.name not in TOKEN_FORMATS:
        if align not in ALIGN_RULES:
            raise InputError(f"spans can be aligned {', '.join(ALIGN_RULES)}, not {align!r}")
        align, with_tokens = None, False
    elif chosen.name != "jsonl":
        with_tokens = True
    if notes is not None and chosen.name in OVERLAP_RULES:
        notes.overlap_rule = OVERLAP_RULES[chosen.name]
    options = options or WriteOptions()
    counts = store.counts()
    options.total = sum(counts.get(Status(s).value, 0) for s in statuses) if statuses else sum(counts.values())
    if chosen.name == "jsonl" and not with_tokens:
        from .task_lines import write_task_lines

        return write_task_lines(store, out, statuses, annotator=annotator, align=align, notes=notes, limit=limit,
                                on_progress=options.on_progress, should_cancel=options.should_cancel, total=options.total)
    if hasattr(writer, "row_line"):  # a format written from the store's JSON pieces, no task dicts
        from .task_lines import write_rows

        return write_rows(store, out, statuses, writer.row_line, annotator=annotator, pieces=writer.ROWS,
                          array=getattr(writer, "ARRAY", False), limit=limit,
                          on_progress=options.on_progress, should_cancel=options.should_cancel, total=options.total)
    if hasattr(writer, "write_batches"):  # files made from the store's texts and pieces (brat)
        batches = store.export_text_batches(statuses, annotator=annotator, spans=writer.SPANS, limit=limit)
        return writer.write_batches(out, batches, options)
    made = tasks(store, statuses, annotator=annotator, align=align, notes=notes, with_tokens=with_tokens, spans_only=True)
    return writer.write(out, made if limit is None else islice(made, limit), options)
