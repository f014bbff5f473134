"""Import and export formats: one module per format, registered here by name.

Format names: ``jsonl`` (the project's own Prodigy ``ner_manual`` tasks, the
default), ``doccano``, ``labelstudio``, ``spacy`` (DocBin, module ``docbin``),
``conll`` and ``brat``; each is ``FORMATS[name]``, a ``Format`` naming its module. A module is imported only when its format is used, so a format whose
module (or dependency) is missing fails with "format X is not available in this
build" instead of breaking the others.

The interface every format module provides
------------------------------------------
Reading (import)::

    def read(path: Path, name: str, options: ReadOptions) -> Iterator[Item]

``path`` is a file (or, for ``brat``, a folder), ``name`` the name shown and
stored for it (``meta["file"]`` of plain text). Each ``Item`` holds:

- ``where``: where the record came from, for messages: ``FILE:LINE`` for line
  formats, ``FILE:record N`` for others (``FILE.ann`` for brat);
- ``size``: input bytes this item accounts for (progress; the sum over a file
  should be its size, 0 is fine);
- ``task``: the record in the project's own JSONL shape, or None (a blank line):
  ``{"text": str, "title"?: str, "meta"?: dict, "spans"?: [{"start", "end",
  "label"}], "answer"?, "_annotator_id"?, "_timestamp"?}``. The reader only
  translates: the importer checks every task the same way whatever its format
  (text rules, span offsets, label names, overlaps, unknown labels), inside the
  one all-or-nothing transaction (see ``annotator.importing``);
- ``unknown``: what the reader saw and could not carry into ``task``, one short
  phrase per kind (``'key "relations"'``, ``'relation line (R)'``). The importer
  counts them over the whole import and refuses it, naming file, line and how
  many, unless the user chose ``ignore_unknown``. Nothing is dropped silently:
  a reader either carries a thing, reports it here, or raises InputError.

Readers raise ``InputError("WHERE: what is wrong")`` for input they cannot read.

Writing (export), for the formats made of tokens (JSONL with tokens, DocBin, CoNLL)::

    def write(out: Path | str, tasks: Iterable[dict], options: WriteOptions) -> int

``tasks`` are the export's task dicts (``annotator.exporting.prodigy_task``:
text, meta, title, spans with token indices, tokens, answer, hashes,
``_annotator_id``, ``_timestamp``). It returns how many tasks it wrote. A
writer writes atomically and never onto a project: use ``atomic_text`` (a text
file, or ``"-"`` for stdout), ``atomic_bytes`` (a binary file) or ``atomic_folder``
(a folder; files beside it such as a ``config.cfg`` go in one) from ``annotator.formats.files``,
which call ``targets.refuse_data_file`` and clean up their temporary files. It
reports progress and honours cancel through ``options.progress(count)``.

A format written from characters only (no tokens) provides instead, so that an export
builds no task dict and no Python object per entity::

    ROWS: store.span_pieces.RowPieces   # what store.export_rows makes of each article in SQL
    def row_line(text, title, meta, status, annotator, decided_at, *aggregates) -> bytes  # JSON bytes
    ARRAY = True                         # optional: the lines are the items of a JSON array

``row_line`` makes one output line (or array item) from ``store.export_rows``' pieces and
``task_lines.write_rows`` writes them (``doccano``, ``labelstudio``; the JSONL without
tokens is ``task_lines.task_line``); or, for a folder of files holding the text as it is::

    SPANS: str   # an SQL aggregate over an article's annotations (store.export_text_batches)
    def write_batches(out, batches: Iterable[store.span_pieces.TextBatch], options: WriteOptions) -> int

(``brat``, whose files a child process makes: ``file_maker``). Each writes what the task-dict
writer it replaced wrote, byte for byte (tests/core/test_task_lines.py keeps those writers as the
reference), as compact JSON. The export dialog's preview is the export itself, limited to one
article.

Detection: ``sniff(path: Path) -> bool`` (optional) says whether a file with
one of the format's suffixes holds this format rather than another sharing the
suffix (``.jsonl`` is ``jsonl`` or ``doccano``; ``.txt`` is plain text or CoNLL).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

from ..errors import InputError
from ..progress import OnProgress, Progress, ShouldCancel, check_cancel


class Item(NamedTuple):
    """One record read from an input: see the module docstring."""

    where: str
    size: int
    task: dict | None
    unknown: tuple[str, ...] = ()


DISCONTINUOUS = ("refuse", "cover", "split")
CONLL_SCHEMES = ("iob2", "bilou")


@dataclass
class ReadOptions:
    """What the user chose for input a format cannot carry as it is."""

    ignore_unknown: bool = False  # import without what readers report as unknown (keys, brat R/E/A lines)
    discontinuous: str = "refuse"  # brat "T1\tLOC 0 5;10 15": refuse, cover (one span 0-15), split (0-5 and 10-15)


@dataclass
class WriteOptions:
    """A writer's settings; a format's own settings are fields named after it."""

    on_progress: OnProgress | None = None
    should_cancel: ShouldCancel | None = None
    total: int = 0  # tasks expected, for progress
    conll_scheme: str = "iob2"  # or "bilou"
    extra: dict = field(default_factory=dict)  # settings of formats added later, until they get a field
    notes: list[str] = field(default_factory=list)  # what the writer says beside the count (the export's summary)

    def progress(self, count: int) -> None:
        """Call after each task written: reports every 100 and stops the export when cancelled."""
        if count % 100 == 0:
            if self.on_progress:
                self.on_progress(Progress(count, self.total, "Exporting"))
            check_cancel(self.should_cancel, "export")


@dataclass(frozen=True)
class Format:
    name: str
    module: str  # under annotator.formats
    suffixes: tuple[str, ...]  # lower case; the first is what an export is named with
    folder: bool = False  # reads and writes a folder (brat)
    description: str = ""

    def load(self) -> ModuleType:
        try:
            return importlib.import_module(f"{__name__}.{self.module}")
        except ImportError as e:
            raise InputError(f"format {self.name} is not available in this build ({e})") from None


FORMATS = {
    f.name: f
    for f in (
        Format("jsonl", "jsonl", (".jsonl",), description="JSONL tasks (Prodigy ner_manual)"),
        Format("doccano", "doccano", (".jsonl",), description="doccano JSONL"),
        Format("labelstudio", "labelstudio", (".json",), description="Label Studio JSON (and JSON-MIN)"),
        Format("spacy", "docbin", (".spacy",), description="spaCy DocBin"),
        Format("conll", "conll", (".conll", ".iob", ".bio", ".bilou", ".txt"), description="CoNLL-2003 / IOB / BILUO columns"),
        Format("brat", "brat", (), folder=True, description="brat standoff (.txt + .ann)"),
    )
}
NAMES = tuple(FORMATS)


def get(name: str) -> Format:
    try:
        return FORMATS[name]
    except KeyError:
        raise InputError(f"unknown format {name!r} (formats: {', '.join(NAMES)})") from None


# Export names an output may end with, and the format each means ("-" and other names: jsonl).
# .txt is not among them: an export named .txt has always been JSONL.
EXPORT_SUFFIXES = {".jsonl": "jsonl", ".json": "labelstudio", ".spacy": "spacy",
                   ".conll": "conll", ".iob": "conll", ".bio": "conll", ".bilou": "conll"}


def detect(path: Path) -> Format | None:
    """The format of an input file by its extension, then its first bytes; None: plain text (.txt)."""
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return get("doccano") if get("doccano").load().sniff(path) else get("jsonl")
    if suffix == ".txt":
        return get("conll") if get("conll").load().sniff(path) else None
    for form in FORMATS.values():
        if suffix in form.suffixes:
            return form
    raise InputError(f"{path}: cannot tell the format from the name; pass --format {'|'.join(NAMES)}")


def for_export(out: str | Path, name: str | None) -> Format:
    """The format to write ``out`` in: ``name``, else the one its extension means (default jsonl).

    An extension that means another format than ``name`` is refused: a file is
    never written in one format under another's name.
    """
    if str(out) == "-":
        meant = None
    else:
        meant = EXPORT_SUFFIXES.get(Path(out).suffix.lower())
    if name is None:
        return get(meant or "jsonl")
    chosen = get(name)
    if meant and meant != chosen.name and not (Path(out).suffix.lower() in chosen.suffixes):
        raise InputError(
            f"{out}: a {Path(out).suffix} name means format {meant}, not {chosen.name}; "
            f"name it {chosen.suffixes[0] if chosen.suffixes else 'as a folder (no extension)'} or pass --format {meant}"
        )
    if chosen.folder and meant:
        raise InputError(f"{out}: format {chosen.name} writes a folder; give a folder name without an extension")
    return chosen
