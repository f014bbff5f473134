"""brat standoff: a folder of ``NAME.txt`` (the text) and ``NAME.ann`` (its annotations).

``.ann`` lines: ``T1<TAB>PER 0 5<TAB>Putin`` is an entity (code-point offsets, as
brat counts them); its text must be what the offsets cover in the ``.txt``.
Read: every ``.txt`` in the folder (not its subfolders) is an article, with the
spans of the ``.ann`` beside it (none without one); a ``.ann`` with no ``.txt``
is refused. A discontinuous entity (``T1<TAB>LOC 0 5;10 15<TAB>...``) is
refused, naming how many the file holds, unless ``--discontinuous cover``
(one span from its first start to its last end) or ``split`` (one span per
piece). Relation (R), event (E), attribute (A, M), normalisation (N),
equivalence (*) and note (#) lines are reported as unknown. The title is
guessed from the text as for a .txt file; meta is ``{"file": "NAME.txt"}``.
Write: ``000001.txt``/``000001.ann``... in export order, and an
``annotation.conf`` naming the labels. brat holds no decisions, title or meta.
The export writes the files from the store's pieces (``write_rows``), no task dicts.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import InputError
from ..importing import _decode, _read_regular, guess_title
from ..store.span_pieces import SPAN_LISTS
from . import DISCONTINUOUS, Item, ReadOptions, WriteOptions
from .files import atomic_folder

_OTHER_LINES = {"R": "relation", "E": "event", "A": "attribute", "M": "attribute", "N": "normalisation",
                "*": "equivalence", "#": "note"}
_ENTITY = re.compile(r"T\S*\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t(.*)")


def _text(path: Path) -> str:
    with _read_regular(path) as f:
        return _decode(f.read(), str(path))


def read(path: Path, name: str, options: ReadOptions) -> Iterator[Item]:
    if options.discontinuous not in DISCONTINUOUS:
        raise InputError(f"--discontinuous {options.discontinuous!r}: use {', '.join(DISCONTINUOUS)}")
    files = {p.name: p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")}
    for ann in sorted(n for n in files if n.endswith(".ann")):
        if ann[:-4] + ".txt" not in files:
            raise InputError(f"{files[ann]}: no {ann[:-4]}.txt beside it (brat keeps the text in a .txt of the same name)")
    for txt in sorted(n for n in files if n.endswith(".txt")):
        text = _text(files[txt])
        ann = files.get(txt[:-4] + ".ann")
        spans, unknown, size = (_entities(ann, text, options.discontinuous) if ann else ([], (), 0))
        task = {"text": text, "title": guess_title(text), "meta": {"file": f"{name}/{txt}"}, "spans": spans}
        yield Item(str(ann or files[txt]), files[txt].stat().st_size + size, task, unknown)


def _entities(ann: Path, text: str, discontinuous: str) -> tuple[list[dict], tuple[str, ...], int]:
    content = _text(ann)
    spans, unknown, pieces = [], [], []
    for number, line in enumerate(content.splitlines(), start=1):
        where = f"{ann}:{number}"
        if not line.strip():
            continue
        if not line.startswith("T"):
            kind = _OTHER_LINES.get(line[0])
            if kind is None:
                raise InputError(f"{where}: not a brat annotation line (T, R, E, A, M, N, * or #): {line[:40]!r}")
            unknown.append(f"{kind} line ({line[0]})")
            continue
        match = _ENTITY.fullmatch(line)
        if not match:
            raise InputError(f"{where}: expected 'T1<TAB>LABEL START END<TAB>TEXT', got {line[:60]!r}")
        label, ranges, quoted = match.groups()
        fragments = [tuple(map(int, r.split())) for r in ranges.split(";")]
        covered = " ".join(text[s:e] for s, e in fragments)
        if _flat(covered) != _flat(quoted):
            raise InputError(f"{where}: offsets {ranges} cover {covered[:40]!r} in the .txt, not {quoted[:40]!r}")
        if len(fragments) > 1:
            pieces.append(where)
            if discontinuous == "cover":
                fragments = [(fragments[0][0], fragments[-1][1])]
        spans += [{"start": s, "end": e, "label": label} for s, e in fragments]
    if pieces and discontinuous == "refuse":
        raise InputError(
            f"{pieces[0]}: discontinuous span ({len(pieces)} in this file); "
            "choose --discontinuous cover (one span over the pieces) or split (a span per piece)"
        )
    return spans, tuple(unknown), len(content.encode("utf-8"))


def _flat(value: str) -> str:
    """brat writes a span's line breaks and tabs as spaces in the .ann."""
    return re.sub(r"[\r\n\t]", " ", value)


ROWS = SPAN_LISTS  # each span as [start, end, "LABEL"] (store.export_rows)
_json = json.JSONDecoder().decode
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL  # as open(..., "x")


def write_rows(out: Path | str, rows: Iterable[list[bytes]], options: WriteOptions) -> int:
    """The .txt and .ann of each of ``store.export_rows``' articles (made with ``ROWS``), numbered in
    export order, and the ``annotation.conf`` of the labels in order of first use."""
    count = 0
    labels: dict[str, None] = {}
    with atomic_folder(out) as folder:
        where = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)  # files made relative to it: no path lookups
        try:
            for text, _title, _meta, _status, _annotator, _decided_at, spans in rows:
                count += 1
                text = _json(text.decode())
                _write_new(f"{count:06d}.txt", text.encode(), where)
                _write_new(f"{count:06d}.ann", _ann(text, _json(spans.decode()), labels).encode(), where)
                options.progress(count)
        finally:
            os.close(where)
        conf = "[entities]\n" + "".join(f"{label}\n" for label in labels) + "[relations]\n[events]\n[attributes]\n"
        (folder / "annotation.conf").write_text(conf, "utf-8")
    return count


def _ann(text: str, spans: list[list], labels: dict[str, None]) -> str:
    """The .ann of a text and its spans ``[start, end, label]``; each new label is checked and added to
    ``labels``."""
    for _, _, label in spans:
        if label not in labels:
            if label.split() != [label]:
                raise InputError(f"label {label!r} holds whitespace, which brat labels cannot")
            labels[label] = None
    flat = text.replace("\r", " ").replace("\n", " ").replace("\t", " ")  # as _flat: brat's .ann lines
    return "".join([f"T{n}\t{label} {start} {end}\t{flat[start:end]}\n" for n, (start, end, label) in enumerate(spans, start=1)])


def _write_new(name: str, data: bytes, folder: int) -> None:
    """A new file ``name`` in the open folder ``folder`` holding ``data`` (refused if it exists)."""
    fd = os.open(name, _NEW_FILE, 0o666, dir_fd=folder)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
