"""The JSONL export without tokens (``--no-tokens``), written from JSON pieces SQLite hands over.

Byte for byte what ``write_jsonl(out, tasks(store, ..., with_tokens=False))``
writes (``prodigy_task``'s tasks; a test holds them together), without a Python
dict, tuple or string per entity: ``store.export_rows`` gives each article's
text already JSON-quoted, its meta and its spans as compact JSON and whether two
spans overlap, and a line is one ``%`` format of those bytes. The hashes are taken
from the same pieces: ``_input_hash`` over ``{"text":TEXT}`` and ``_task_hash``
over the canonical spans (``[[S,E,"L"],...]``, also made by SQLite).
Building every task as a dict and encoding it with ``json`` took 7.6 s for
50,000 articles of 2,000 characters and 38 entities; doccano takes 11.7 s.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from functools import lru_cache
from operator import le
from pathlib import Path

from .alignment import ALIGN_RULES
from .errors import InputError
from .exporting import ANSWERS, ExportNotes, _dumps, _short, _timestamp
from .formats.files import atomic_bytes
from .model import Status
from .progress import OnProgress, Progress, ShouldCancel, check_cancel
from .store import AnnotationStore
from .store.span_pieces import TASK_SPANS, RowPieces

_ANSWERS = {status.value.encode(): _dumps(answer).encode() for status, answer in ANSWERS.items()}
_VIEW = {False: b'"ner_manual"', True: b'"spans_manual"'}
_LINE = (b'{"text":%b,"meta":%b%b,"spans":%b,"answer":%b,"_input_hash":%d,"_task_hash":%d,'
         b'"_view_id":%b,"_annotator_id":%b,"_timestamp":%b}\n')
BATCH = 1000  # lines joined into one write
_decode = json.JSONDecoder().decode


def write_task_lines(
    store: AnnotationStore,
    out: str | Path,
    statuses: Sequence[Status] | None = (Status.ACCEPTED,),
    *,
    annotator: str | None = None,
    align: str | None = "strict",
    notes: ExportNotes | None = None,
    limit: int | None = None,
    on_progress: OnProgress | None = None,
    should_cancel: ShouldCancel | None = None,
    total: int = 0,
) -> int:
    """Write the tasks of the articles with these statuses (None: all), without tokens; returns how
    many. ``align`` only decides, as in ``prodigy_task``, whether ``notes`` counts the articles with
    overlapping spans (no span moves: there are no tokens to move it onto)."""
    if align is not None and align not in ALIGN_RULES:
        raise InputError(f"spans can be aligned {', '.join(ALIGN_RULES)}, not {align!r}")
    counting = notes is not None and align is not None

    def line(*row) -> bytes:
        made, overlapping = task_line(*row)
        if overlapping and counting:
            notes.overlapping += 1
        return made

    return write_rows(store, out, statuses, line, annotator=annotator, limit=limit, on_progress=on_progress,
                      should_cancel=should_cancel, total=total)


RowLine = Callable[..., bytes]  # the pieces of store.export_rows' rows -> a line


def write_rows(
    store: AnnotationStore,
    out: str | Path,
    statuses: Sequence[Status] | None,
    line: RowLine,
    *,
    annotator: str | None = None,
    pieces: RowPieces = TASK_SPANS,
    array: bool = False,
    limit: int | None = None,
    on_progress: OnProgress | None = None,
    should_cancel: ShouldCancel | None = None,
    total: int = 0,
) -> int:
    """Write ``line(*row)`` for each of ``store.export_rows(..., pieces=pieces)``' articles (a format's
    writer without a task dict: ``task_line``, ``formats.doccano.row_line``...), atomically; returns
    how many. ``array``: the lines are the items of a JSON array, one per line (Label Studio's
    layout); ``limit``: at most that many articles (the export dialog's preview)."""
    count = 0
    lines: list[bytes] = []
    with atomic_bytes(out) as f:
        f.write(b"[" if array else b"")
        for row in store.export_rows(statuses, annotator=annotator, pieces=pieces, limit=limit):
            lines.append((b",\n" if count else b"\n") + line(*row) if array else line(*row))
            count += 1
            if count % 100 == 0:
                if on_progress:
                    on_progress(Progress(count, total, "Exporting"))
                check_cancel(should_cancel, "export")
            if len(lines) == BATCH:
                f.write(b"".join(lines))
                lines.clear()
        f.write(b"".join(lines) + (b"\n]\n" if array else b""))
    return count


def task_line(
    text: bytes, title: bytes, meta: bytes, status: bytes, annotator: bytes, decided_at: bytes, spans: bytes,
    bounds: bytes, canonical: bytes,
) -> tuple[bytes, bool]:
    """One task's line from ``store.export_rows``' pieces, and whether its spans overlap."""
    input_hash = _short(hashlib.sha1(b'{"text":%b}' % text))
    task_hash = _short(hashlib.sha1(b"[%d,%b]" % (input_hash, canonical)))
    overlaps = overlapping(bounds)
    return _LINE % (
        text, finite_meta(meta), b"" if title == b"null" else b',"title":%b' % title, spans,
        _ANSWERS[status], input_hash, task_hash, _VIEW[overlaps], annotator, timestamp_bytes(decided_at),
    ), overlaps


def overlapping(bounds: bytes) -> bool:
    """Whether two of the spans overlap, from their starts and ends ``[[S,S...],[E,E...]]`` in the order
    start, end, id: exactly when one starts before the one before it ends (``offsets.first_overlap``)."""
    starts, ends = _decode(bounds.decode())
    return not all(map(le, ends, starts[1:]))


def finite_meta(meta: bytes) -> bytes:
    """Meta as the task writers write it: NaN and Infinity, which a release let in, as strings
    (``exporting._dumps``); else as ``store.export_rows`` gives it (compact JSON)."""
    if b"NaN" in meta or b"Infinity" in meta:
        return _dumps(json.loads(meta)).encode()
    return meta


@lru_cache(maxsize=1024)
def timestamp_bytes(decided_at: bytes) -> bytes:
    """``_timestamp`` of a stored decided_at (empty: none) as JSON (many articles share one, as
    when a batch was accepted at once)."""
    timestamp = _timestamp(decided_at.decode()) if decided_at else None
    return b"null" if timestamp is None else b"%d" % timestamp
