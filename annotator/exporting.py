"""Writing decided articles out as Prodigy/spaCy-style JSONL tasks.

One function turns an article into a task (``prodigy_task``); writers stream
tasks into a file atomically (temporary file, then ``os.replace``) or to
stdout. Another format (doccano, Label Studio, DocBin, CoNLL, brat) is one
more ``*_task`` function (passed to ``tasks``) or writer beside these.

A task's line is written piece by piece (``write_task``): a long text in
slices, its tokens a slice of rows at a time, made as they are written. The
whole line of a 47 MB article built as one dict and one string took 9 GB.
"""

from __future__ import annotations

import glob
import hashlib
import json
import math
import os
import re
import secrets
import sys
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path

from .errors import AnnotatorError, InputError, is_disk_full
from .model import Article, Entity, Span, Status
from .progress import OnProgress, Progress, ShouldCancel, check_cancel
from .store import AnnotationStore
from .targets import refuse_data_file
from .tokens import Tokens, token_spans, tokenizer_name

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


def token_range(start: int, end: int, starts: Sequence[int], ends: Sequence[int]) -> tuple[int, int]:
    """Indices of the first and last token (inclusive, as in Prodigy) that [start, end) touches."""
    first = bisect_right(ends, start)  # first token ending after start
    last = bisect_left(starts, end) - 1  # last token starting before end
    return first, max(first, last)


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


def prodigy_task(article: Article, entities: Sequence[Entity | Span], tokens: Sequence[tuple[int, int]] | None) -> dict:
    """The ``ner_manual`` task of one article: its current entities, tokens and the decision.

    Tokens not given (None) are computed. Its ``tokens`` is a ``TokenRows`` (a sequence of the
    row dicts); ``write_task`` writes it as a list.
    """
    return _task(article, entities, token_spans(article.text) if tokens is None else Tokens.from_pairs(tokens))


def prodigy_task_without_tokens(article: Article, entities: Sequence[Entity | Span], tokens=None) -> dict:
    """``prodigy_task`` without ``tokens`` and without the spans' ``token_start``/``token_end``
    (``--no-tokens``): the same texts, spans, answers and hashes, and no tokenizer run."""
    return _task(article, entities, None)


def _task(article: Article, entities: Sequence[Entity | Span], tokens: Tokens | None) -> dict:
    text = article.text
    places = [(e.start, e.end, e.label) for e in entities] if entities and isinstance(entities[0], Entity) else entities
    if tokens is None:
        spans = [{"start": start, "end": end, "label": label} for start, end, label in places]
    else:
        spans = []
        for start, end, label in places:
            first, last = token_range(start, end, tokens.starts, tokens.ends)
            spans.append({"start": start, "end": end, "label": label, "token_start": first, "token_end": last})
    text_hash = input_hash(text)
    task = {"text": text, "meta": article.meta}
    if article.title is not None:
        task["title"] = article.title
    task["spans"] = spans
    if tokens is not None:
        task["tokens"] = TokenRows(text, tokens)
    task.update({
        "answer": ANSWERS[article.status],
        "_input_hash": text_hash,
        "_task_hash": stable_hash([text_hash, places]),
        "_view_id": "ner_manual",
        "_annotator_id": article.annotator,
        "_timestamp": _timestamp(article.decided_at),
    })
    return task


# Another format's per-article function has this shape and plugs into tasks().
TaskMaker = Callable[[Article, Sequence[Entity | Span], "Sequence[tuple[int, int]] | None"], dict]

STORE_EVERY = 500_000  # computed tokens held before they are stored (4 MB of arrays)


def tasks(
    store: AnnotationStore,
    statuses: Sequence[Status] | None = (Status.ACCEPTED,),
    *,
    annotator: str | None = None,
    make_task: TaskMaker = prodigy_task,
    with_tokens: bool = True,
    spans_only: bool = False,
) -> Iterator[dict]:
    """Stream tasks for the articles with these statuses (None: every article).

    ``spans_only``: ``make_task`` gets each entity as a ``Span``, a (start, end, label) tuple,
    not a whole ``Entity`` with its id, state and source: what a format that writes no more
    should ask for, as building two million ``Entity`` objects is most of a large export.

    ``with_tokens``: each article's stored tokens are passed to ``make_task``; an article
    with none (never suggested) is tokenized here once, and the tokens stored when the
    store can write, so the next export reads them. Without, the tokens table is not
    read and ``make_task`` gets None.
    """
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
    if str(out) == "-":
        return _write_lines(sys.stdout, records, on_progress, should_cancel, total)
    out = Path(out)
    if out.is_dir():
        raise InputError(f"{out}: is a folder; give a file name to export to")
    if not out.parent.is_dir():
        raise InputError(f"{out}: folder {out.parent} does not exist")
    refuse_data_file(out)
    remove_stale_temps(out)
    # Not mkstemp: its files are private (0600); this one gets the usual mode from the umask.
    temp = out.parent / f".{out.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        with open(temp, "x", encoding="utf-8", newline="\n") as f:
            count = _write_lines(f, records, on_progress, should_cancel, total)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, out)
    except BaseException as e:
        temp.unlink(missing_ok=True)
        if is_disk_full(e):
            raise AnnotatorError(f"{out}: the disk is full; nothing was written (free some space and export again)") from None
        raise
    return count


def remove_stale_temps(out: Path) -> list[Path]:
    """Delete the temporary files that killed exports to ``out`` left beside it; returns them.

    A temporary file is ``.NAME.PID.HEX.tmp``; one whose process no longer runs
    is stale (a running export's, here or in another process, is left alone).
    """
    pattern = re.compile(rf"\.{re.escape(out.name)}\.(\d+)\.[0-9a-f]{{8}}\.tmp")
    removed = []
    for path in out.parent.glob(f".{glob.escape(out.name)}.*.tmp"):
        found = pattern.fullmatch(path.name)
        if found and not _running(int(found.group(1))):
            try:
                path.unlink(missing_ok=True)
            except OSError:
                continue  # not ours to remove (another user's, in a sticky folder): it does not stop this export
            removed.append(path)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # someone else's process (or not a pid at all): leave its file alone
    return True


def write_task(f, task: dict) -> None:
    """Write ``json.dumps(task, ensure_ascii=False)`` to ``f`` in pieces of bounded size.

    A long string goes a slice at a time and a ``TokenRows`` a slice of rows at
    a time, so memory stays a small multiple of the article however long it is.
    A task with neither (an ordinary article exported ``--no-tokens``) goes in one
    piece: one encoder call instead of one per key.
    """
    if not any(isinstance(value, TokenRows) or (isinstance(value, str) and len(value) > PIECE) for value in task.values()):
        f.write(_dumps(task))
        return
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
    on_progress: OnProgress | None = None,
    should_cancel: ShouldCancel | None = None,
    with_tokens: bool = True,
) -> int:
    """Export articles of these statuses (None: all) as JSONL tasks; returns how many were written.

    ``with_tokens=False`` (``--no-tokens``) leaves out ``tokens`` and the spans' token indices.
    """
    counts = store.counts()
    total = sum(counts.get(Status(s).value, 0) for s in statuses) if statuses else sum(counts.values())
    make_task = prodigy_task if with_tokens else prodigy_task_without_tokens
    return write_jsonl(
        out, tasks(store, statuses, annotator=annotator, make_task=make_task, with_tokens=with_tokens, spans_only=True),
        on_progress=on_progress, should_cancel=should_cancel, total=total,
    )
