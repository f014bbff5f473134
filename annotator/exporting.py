"""Writing decided articles out: Prodigy/spaCy-style JSONL tasks, and through them every format.

One function turns an article into a task (``prodigy_task``); ``write_jsonl``
streams tasks into a file atomically (temporary file, then ``os.replace``) or
to stdout. ``export`` hands the same tasks to the writer of another format
(``annotator.formats``: doccano, Label Studio, DocBin, CoNLL, brat).
"""

from __future__ import annotations

import hashlib
import json
import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path

from . import formats
from .formats import WriteOptions
from .model import Article, Entity, Status
from .progress import OnProgress, Progress, ShouldCancel, check_cancel
from .store import AnnotationStore
from .formats.files import atomic_text
from .tokens import tokenize

ANSWERS = {
    Status.ACCEPTED: "accept",
    Status.REJECTED: "reject",
    Status.SKIPPED: "ignore",
    Status.PENDING: "ignore",
}


def stable_hash(value: object) -> int:
    """A signed 32-bit int from the SHA-1 of canonical JSON (the range of Prodigy's hashes).

    Python's ``hash()`` changes between runs, so it cannot be used here.
    """
    data = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return int.from_bytes(hashlib.sha1(data).digest()[:4], "big", signed=True)


def _timestamp(decided_at: str | None) -> int | None:
    return None if decided_at is None else int(datetime.fromisoformat(decided_at).timestamp())


def token_range(start: int, end: int, starts: Sequence[int], ends: Sequence[int]) -> tuple[int, int]:
    """Indices of the first and last token (inclusive, as in Prodigy) that [start, end) touches."""
    first = bisect_right(ends, start)  # first token ending after start
    last = bisect_left(starts, end) - 1  # last token starting before end
    return first, max(first, last)


def prodigy_task(article: Article, entities: Sequence[Entity], tokens: Sequence[tuple[int, int]] | None) -> dict:
    """The ``ner_manual`` task of one article: its current entities, tokens and the decision."""
    text = article.text
    tokens = tokens if tokens is not None else tokenize(text)
    starts = [s for s, _ in tokens]
    ends = [e for _, e in tokens]
    token_rows = []
    for i, (s, e) in enumerate(tokens):
        after = starts[i + 1] if i + 1 < len(tokens) else len(text)
        token_rows.append({"text": text[s:e], "start": s, "end": e, "id": i, "ws": after > e})
    spans = []
    for entity in entities:
        first, last = token_range(entity.start, entity.end, starts, ends)
        spans.append({
            "start": entity.start, "end": entity.end, "label": entity.label,
            "token_start": first, "token_end": last,
        })
    input_hash = stable_hash({"text": text})
    task = {"text": text, "meta": article.meta}
    if article.title is not None:
        task["title"] = article.title
    task.update({
        "spans": spans,
        "tokens": token_rows,
        "answer": ANSWERS[article.status],
        "_input_hash": input_hash,
        "_task_hash": stable_hash([input_hash, [[s["start"], s["end"], s["label"]] for s in spans]]),
        "_view_id": "ner_manual",
        "_annotator_id": article.annotator,
        "_timestamp": _timestamp(article.decided_at),
    })
    return task


# Another format's per-article function has this shape and plugs into tasks().
TaskMaker = Callable[[Article, Sequence[Entity], "Sequence[tuple[int, int]] | None"], dict]


def tasks(
    store: AnnotationStore,
    statuses: Sequence[Status] | None = (Status.ACCEPTED,),
    *,
    annotator: str | None = None,
    make_task: TaskMaker = prodigy_task,
) -> Iterator[dict]:
    """Stream tasks for the articles with these statuses (None: every article)."""
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


def _write_lines(f, records, on_progress, should_cancel, total) -> int:
    count = 0
    for record in records:
        f.write(_json_line(record))
        f.write("\n")
        count += 1
        if count % 100 == 0:
            if on_progress:
                on_progress(Progress(count, total, "Exporting"))
            check_cancel(should_cancel, "export")
    return count


def _json_line(record: dict) -> str:
    """``record`` as standard JSON, which has no NaN or Infinity.

    Import refuses them, but a project imported before it did may hold them in
    meta: they are written as the strings "NaN", "Infinity" and "-Infinity",
    which the import's message asks for too.
    """
    try:
        return json.dumps(record, ensure_ascii=False, allow_nan=False)
    except ValueError:
        return json.dumps(_finite(record), ensure_ascii=False, allow_nan=False)


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
    on_progress: OnProgress | None = None,
    should_cancel: ShouldCancel | None = None,
) -> int:
    """Export articles of these statuses (None: all) as JSONL tasks; returns how many were written."""
    counts = store.counts()
    total = sum(counts.get(Status(s).value, 0) for s in statuses) if statuses else sum(counts.values())
    return write_jsonl(
        out, tasks(store, statuses, annotator=annotator),
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
) -> int:
    """Export articles of these statuses (None: all) in format ``form`` (None: the one ``out``'s
    extension means, see ``formats.for_export``); returns how many were written."""
    writer = formats.for_export(out, form).load()
    options = options or WriteOptions()
    counts = store.counts()
    options.total = sum(counts.get(Status(s).value, 0) for s in statuses) if statuses else sum(counts.values())
    return writer.write(out, tasks(store, statuses, annotator=annotator), options)
