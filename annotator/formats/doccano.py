"""doccano JSONL (sequence labeling): ``{"text": ..., "label": [[0, 5, "PER"], ...]}``.

Read: the ``label`` form and doccano 1.8's ``entities`` form
(``[{"start_offset", "end_offset", "label"}]``); every other key is metadata, as
doccano itself keeps extra columns (``id``, ``Comments`` included), except "title"
(ours). Write: the ``label`` form, with the article's meta keys beside "text"
and "label" (a meta key named "text", "label" or "entities" goes under "meta").
doccano has no decisions: they are lost. An export writes its lines with
``row_line`` from the store's JSON pieces (as the JSONL without tokens,
``annotator.task_lines``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError
from ..importing import _kind, json_lines
from ..store.span_pieces import SPAN_LISTS
from . import Item, ReadOptions

RESERVED = ("text", "label", "entities")


def read(path: Path, name: str, options: ReadOptions) -> Iterator[Item]:
    for where, size, value in json_lines(path):
        yield Item(where, size, None if value is None else to_task(value, where))


def to_task(value: object, where: str) -> object:
    if not isinstance(value, dict):
        return value  # the importer says what it is
    meta = {k: v for k, v in value.items() if k not in RESERVED and k not in ("title", "meta")}
    if isinstance(value.get("meta"), dict):
        meta.update(value["meta"])
    elif "meta" in value:
        meta["meta"] = value["meta"]
    task = {"text": value.get("text"), "meta": meta, "spans": _spans(value, where)}
    if "title" in value:
        task["title"] = value["title"]
    if "text" not in value:
        del task["text"]  # the importer reports it missing
    return task


def _spans(value: dict, where: str) -> list[dict]:
    if "label" in value and "entities" in value:
        raise InputError(f'{where}: both "label" and "entities"; doccano writes one of them')
    if "entities" in value:
        entities = value["entities"]
        if not isinstance(entities, list):
            raise InputError(f'{where}: "entities" must be a list, got {_kind(entities)}')
        out = []
        for i, e in enumerate(entities, start=1):
            if not isinstance(e, dict) or not {"start_offset", "end_offset", "label"} <= e.keys():
                raise InputError(f'{where}: entity {i} must be an object with "start_offset", "end_offset" and "label"')
            out.append({"start": e["start_offset"], "end": e["end_offset"], "label": e["label"]})
        return out
    labels = value.get("label", [])
    if not isinstance(labels, list):
        raise InputError(f'{where}: "label" must be a list of [start, end, "LABEL"], got {_kind(labels)}')
    out = []
    for i, item in enumerate(labels, start=1):
        if not isinstance(item, list) or len(item) != 3:
            raise InputError(f'{where}: label {i} must be [start, end, "LABEL"], got {json.dumps(item, ensure_ascii=False)[:60]}')
        out.append({"start": item[0], "end": item[1], "label": item[2]})
    return out


ROWS = SPAN_LISTS  # a line's "label" list, made by SQLite (store.export_rows)


# A top-level key of compact JSON meta that must go under "meta" starts with one of these (a string
# holding them has its quotes escaped; a nested key matches too, and then the line is made the long way).
_CLASHING = tuple(opening + b'"%s":' % key.encode() for key in (*RESERVED, "title", "meta") for opening in (b"{", b","))


def row_line(
    text: bytes, title: bytes, meta: bytes, status: bytes, annotator: bytes, decided_at: bytes, spans: bytes,
) -> bytes:
    """One line from ``store.export_rows``' pieces (``task_lines.write_rows``): the text, "label", then
    "title" and the meta keys, a meta key named "text", "label", "entities", "title" or "meta" under "meta"."""
    from ..exporting import _dumps
    from ..task_lines import finite_meta

    meta = finite_meta(meta)
    if not any(key in meta for key in _CLASHING):  # the meta's keys go beside "text" and "label" as they are
        tail = meta[1:] if title == b"null" else b'"title":%b%b%b' % (title, b"" if meta == b"{}" else b",", meta[1:])
        return b'{"text":%b,"label":%b%b\n' % (text, spans, b"}" if tail == b"}" else b"," + tail)
    rest = {} if title == b"null" else {"title": json.loads(title)}
    meta_keys = json.loads(meta)
    rest.update((k, v) for k, v in meta_keys.items() if k not in RESERVED and k not in ("title", "meta"))
    clashing = {k: v for k, v in meta_keys.items() if k in RESERVED or k in ("title", "meta")}
    if clashing:
        rest["meta"] = clashing
    tail = b"," + _dumps(rest)[1:].encode() if rest else b"}"
    return b'{"text":%b,"label":%b%b\n' % (text, spans, tail)


def sniff(path: Path) -> bool:
    """Whether the first non-blank line is an object with "label" or "entities" and no "spans"."""
    try:
        for _, _, value in json_lines(path):
            if value is not None:
                return isinstance(value, dict) and "spans" not in value and ("label" in value or "entities" in value)
    except InputError:
        return False  # the import reads it as JSONL and reports what is wrong where
    return False
