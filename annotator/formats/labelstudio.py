"""Label Studio JSON: an array of tasks, and its JSON-MIN export.

JSON: ``[{"data": {"text": ...}, "annotations": [{"result": [...]}], "predictions": [...]}]``;
each result item of ``type`` "labels" holds ``value.start``, ``value.end``,
``value.labels`` (one span per label) and ``value.text``.

Read: the first annotation that was not cancelled gives the spans and the
decision "accept" (a person completed the task); a task whose annotations were
all cancelled is "ignore" (skipped) with no spans; a task without annotations
takes its first prediction's spans as spans with no decision. A second
annotation or prediction, and results of another type (choices, relations,
text areas), are reported as unknown. ``data`` keys other than "text" and
"title", and the task's ``meta``, become meta; Label Studio's bookkeeping keys
(ids, dates, counts) are passed over. Offsets are code points; a result whose
``value.text`` matches only when its offsets are read as UTF-16 code units (as
a browser counts) is read that way.
JSON-MIN: ``[{"text": ..., "label": [{"start", "end", "text", "labels": [...]}], ...}]``:
the spans of every key holding such items, decision "accept"; other keys are meta.

Write: JSON with ``data.text`` (and ``data.title``), ``meta``, and the spans as
one annotation when the article was accepted, as one prediction otherwise
(``from_name`` "label", ``to_name`` "text"). Rejected, skipped and pending
cannot be told apart in Label Studio: read back, they are undecided.
Annotator names and times are not written. The export writes each task from the
store's JSON pieces (``row_line``), as the JSONL without tokens does.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError
from ..importing import _decode, _kind, _loads, _read_regular
from ..store.span_pieces import LABELSTUDIO_SPANS
from . import Item, ReadOptions

# Label Studio's own keys of a task, annotation and prediction: what it knows, not article content.
TASK_BOOKKEEPING = {
    "id", "created_at", "updated_at", "inner_id", "total_annotations", "cancelled_annotations",
    "total_predictions", "comment_count", "unresolved_comment_count", "last_comment_updated_at",
    "project", "updated_by", "comment_authors", "file_upload", "drafts", "is_labeled", "overlap",
}
MIN_BOOKKEEPING = {"id", "annotator", "annotation_id", "created_at", "updated_at", "lead_time"}


def read(path: Path, name: str, options: ReadOptions) -> Iterator[Item]:
    with _read_regular(path) as f:
        data = f.read()
    value = _loads(_decode(data, str(path)), str(path))
    if not isinstance(value, list):
        raise InputError(f"{path}: expected a JSON array of Label Studio tasks, got {_kind(value)}")
    for number, task in enumerate(value, start=1):
        where = f"{path}:record {number}"
        size = len(data) if number == len(value) else 0
        if not isinstance(task, dict):
            raise InputError(f"{where}: expected a task object, got {_kind(task)}")
        yield _from_task(task, where, size) if "data" in task else _from_min(task, where, size)


def _from_task(task: dict, where: str, size: int) -> Item:
    data = task["data"]
    if not isinstance(data, dict):
        raise InputError(f'{where}: "data" must be an object, got {_kind(data)}')
    text = data.get("text")
    out = {"meta": {k: v for k, v in data.items() if k not in ("text", "title")}}
    if "text" in data:
        out["text"] = text
    if "title" in data:
        out["title"] = data["title"]
    if isinstance(task.get("meta"), dict):
        out["meta"].update(task["meta"])
    unknown = [f'key "{k}"' for k in task if k not in TASK_BOOKKEEPING | {"data", "meta", "annotations", "predictions"}]
    annotations = _list(task, "annotations", where)
    predictions = _list(task, "predictions", where)
    done = [a for a in annotations if not a.get("was_cancelled")]
    if done:
        chosen, out["answer"] = done[0], "accept"
        if len(done) > 1:
            unknown.append("a second annotation of the task (only the first is read)")
    elif annotations:
        chosen, out["answer"] = None, "ignore"
    else:
        chosen = predictions[0] if predictions else None
        if len(predictions) > 1:
            unknown.append("a second prediction of the task (only the first is read)")
    spans = []
    if chosen is not None:
        results = chosen.get("result", [])
        if not isinstance(results, list):
            raise InputError(f'{where}: "result" must be a list, got {_kind(results)}')
        for i, result in enumerate(results, start=1):
            if not isinstance(result, dict):
                raise InputError(f"{where}: result {i} must be an object, got {_kind(result)}")
            if result.get("type", "labels") != "labels":
                unknown.append(f'result of type "{result.get("type")}"')
                continue
            spans += _spans(result.get("value"), text, f"{where}: result {i}")
    out["spans"] = spans
    return Item(where, size, out, tuple(unknown))


def _list(task: dict, key: str, where: str) -> list[dict]:
    items = task.get(key) or []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise InputError(f'{where}: "{key}" must be a list of objects')
    return items


def _from_min(task: dict, where: str, size: int) -> Item:
    text = task.get("text")
    out = {"meta": {}, "spans": [], "answer": "accept"}
    if "text" in task:
        out["text"] = text
    for key, value in task.items():
        if key == "title":
            out["title"] = value
        elif key == "text":
            continue
        elif isinstance(value, list) and value and all(isinstance(v, dict) and "labels" in v for v in value):
            for i, item in enumerate(value, start=1):
                out["spans"] += _spans(item, text, f'{where}: "{key}" item {i}')
        elif key not in MIN_BOOKKEEPING:
            out["meta"][key] = value
    return Item(where, size, out)


def _spans(value: object, text: object, where: str) -> list[dict]:
    if not isinstance(value, dict) or not {"start", "end", "labels"} <= value.keys():
        raise InputError(f'{where}: expected "start", "end" and "labels"')
    labels = value["labels"]
    if not isinstance(labels, list) or not labels:
        raise InputError(f'{where}: "labels" must be a non-empty list of label names')
    start, end = value["start"], value["end"]
    quoted = value.get("text")
    if isinstance(text, str) and isinstance(quoted, str) and _ints(start, end) and text[start:end] != quoted:
        start, end = _from_utf16(text, start, end, quoted, where)
    return [{"start": start, "end": end, "label": label} for label in labels]


def _ints(*values: object) -> bool:
    return all(type(v) is int and v >= 0 for v in values)


def _from_utf16(text: str, start: int, end: int, quoted: str, where: str) -> tuple[int, int]:
    """Code-point offsets for UTF-16 ones, when that makes ``value.text`` match; else refused."""
    units = 0
    points = {}
    for i, char in enumerate(text):
        points[units] = i
        units += 2 if ord(char) > 0xFFFF else 1
    points[units] = len(text)
    s, e = points.get(start), points.get(end)
    if s is None or e is None or text[s:e] != quoted:
        raise InputError(f"{where}: span {start}-{end} reads {text[start:end]!r} but its \"text\" is {quoted!r}")
    return s, e


ROWS = LABELSTUDIO_SPANS  # a task's result items' values, made by SQLite (store.export_rows)
_ITEM_END = b',"from_name":"label","to_name":"text","type":"labels"}'
# Between two values: where one item ends and the next begins (no JSON string holds an unescaped quote).
_BETWEEN = (b'},{"start":', b"}" + _ITEM_END + b',{"value":{"start":')
ARRAY = True  # the tasks are a JSON array, one per line
_TASK = b'{"data":{"text":%b%b},"meta":%b,"%b":[{"result":%b}]}'


def row_line(
    text: bytes, title: bytes, meta: bytes, status: bytes, annotator: bytes, decided_at: bytes, spans: bytes,
) -> bytes:
    """One task of the array from ``store.export_rows``' pieces: an accepted article's spans are its
    annotation, another's a prediction (``task_lines.write_rows``)."""
    from ..task_lines import finite_meta

    result = spans if spans == b"[]" else b'[{"value":%b%b]' % (spans[1:-1].replace(*_BETWEEN), _ITEM_END)
    return _TASK % (
        text, b"" if title == b"null" else b',"title":%b' % title, finite_meta(meta),
        b"annotations" if status == b"accepted" else b"predictions", result,
    )
