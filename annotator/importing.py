"""Reading articles into a project: .txt files, folders of them, and JSONL.

An import is all-or-nothing: every file is read and checked inside one
transaction, so the first bad line (reported as ``FILE:LINE: what is wrong``)
leaves the project exactly as it was. Files are streamed line by line and
written in batches, so memory stays flat however large the input.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import json
import os
import stat
import sys
from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, NoReturn

from . import formats
from . import labels as label_set
from . import schema
from .alignment import ALIGN_RULES, TokenIndex
from .characters import code_name, first_invisible, is_blank
from .errors import AnnotatorError, InputError, UnknownLabels, is_disk_full
from .model import Status
from .formats import Format, ReadOptions
from .offsets import check_span, first_overlap
from .progress import OnProgress, Progress, ShouldCancel, check_cancel
from .store import AnnotationStore
from .tokens import tokenize
from .wording import plural

# What a folder walk picks up (and a file given by name may end with, unless --format says).
SUFFIXES = (".txt", ".jsonl", ".json", ".conll", ".iob", ".bio", ".bilou", ".spacy")
SPANS_AS = ("suggestions", "annotations")
DECISIONS = ("restore", "ignore")
# A task's "answer" as a status. "ignore" is Prodigy's skip: with a _timestamp someone
# decided it (skipped); without one it is what this project exports for a pending article.
_ANSWERS = {"accept": Status.ACCEPTED, "reject": Status.REJECTED, "ignore": Status.SKIPPED}
MISALIGNED_SHOWN = 10  # spans named in the refusal; the count says how many more
MAX_TITLE_LENGTH = 200  # a longer first line is a paragraph, not a headline
# json and the code reading meta back recurse once per level: far below Python's recursion limit
# (about 1,000, less whatever the reader's stack already holds), and far above any real metadata.
MAX_NESTING = 100
_TOO_DEEP = f"nested too deeply (more than {MAX_NESTING} levels of lists and objects)"
# One article (a .txt file, or a JSONL line with its spans and meta) may be this big. Export, import
# and the window each hold a few copies of an article; above this the window takes seconds to show it.
MAX_ARTICLE_MB = 10
MAX_ARTICLE_BYTES = MAX_ARTICLE_MB * 2**20
BATCH_SIZE = 500


@dataclass
class ImportReport:
    files: int = 0
    added: int = 0
    duplicates: int = 0
    spans: int = 0
    spans_as: str = "suggestions"
    labels_added: list[str] = field(default_factory=list)
    not_files: list[str] = field(default_factory=list)  # "a.fifo (FIFO)": folder entries skipped, see collect_files
    decisions: int = 0  # articles whose accept/reject/ignore was restored
    decided_spans: int = 0  # their spans, stored as confirmed annotations
    align: str = "strict"
    misaligned: list[str] = field(default_factory=list)  # "FILE:LINE: 'E.U.' at 6-10 (in 'E.U.-backed')"
    moved: list[str] = field(default_factory=list)  # the same, for spans moved by --align contract|expand
    dropped: list[str] = field(default_factory=list)  # spans --align left without a token
    ignored: str = ""  # what readers could not carry, imported without by --ignore-unknown

    def summary(self) -> str:
        notes = [f"{plural(self.duplicates, 'duplicate')} skipped"]
        if self.decisions:
            notes.append(f"{plural(self.decisions, 'decision')} restored, with {plural(self.decided_spans, 'span')} as annotations")
        if self.spans:
            notes.append(f"{plural(self.spans, 'span')} as {self.spans_as}")
        if self.moved:
            notes.append(f"{plural(len(self.moved), 'span')} {self.align}ed to token boundaries ({_shown(self.moved)})")
        if self.dropped:
            notes.append(f"{plural(len(self.dropped), 'span')} dropped, no whole token inside ({_shown(self.dropped)})")
        if self.labels_added:
            notes.append(f"labels added: {', '.join(self.labels_added)}")
        if self.not_files:
            shown = ", ".join(self.not_files[:5]) + (f" and {len(self.not_files) - 5} more" if len(self.not_files) > 5 else "")
            notes.append(f"{plural(len(self.not_files), 'entry', 'entries')} skipped, not regular files: {shown}")
        if self.ignored:
            notes.append(f"ignored: {self.ignored}")
        return f"imported {plural(self.added, 'article')} from {plural(self.files, 'file')} ({'; '.join(notes)})"


def _shown(items: list[str]) -> str:
    shown = ", ".join(items[:MISALIGNED_SHOWN])
    return shown + (f" and {len(items) - MISALIGNED_SHOWN} more" if len(items) > MISALIGNED_SHOWN else "")


@dataclass
class _Record:
    text: str
    title: str | None
    meta: dict
    spans: list[tuple[int, int, str]]
    meta_json: str | None = None  # meta as stored, when already serialised
    hash: str | None = None  # store.content_hash(text), when already computed
    # A task's decision as written: "answer", "_annotator_id", "_timestamp" (checked only when restored)
    answer: object = None
    annotator: object = None
    timestamp: object = None


class _NotJson(ValueError):
    """A value json.loads would take that JSON has not, or that cannot be stored; its text is the message."""


def _refuse_constant(name: str) -> NoReturn:
    raise _NotJson(f"{name} is not valid JSON (write null, or the value as a string \"{name}\")")


@dataclass(frozen=True)
class _LongInteger:
    """Stands for an integer with more digits than int() reads (sys.get_int_max_str_digits)."""

    digits: int

    def __repr__(self) -> str:
        return f"a number of {self.digits:,} digits"


def _read_int(digits: str) -> int | _LongInteger:
    length = len(digits.lstrip("-"))
    limit = sys.get_int_max_str_digits()
    return _LongInteger(length) if limit and length > limit else int(digits)


def _unstorable(value: object) -> NoReturn:
    raise _NotJson(f"holds {value!r}, too long to store")


# Python's json reads NaN, Infinity and -Infinity (and 1e999 as infinity), which other JSON readers refuse.
_DECODE = json.JSONDecoder(parse_constant=_refuse_constant).decode
# Read again with this one only when int() refused a number: a hook on every integer costs time.
_DECODE_MARKING_LONG = json.JSONDecoder(parse_constant=_refuse_constant, parse_int=_read_int).decode
# What the store keeps in articles.meta; one encoder, not one per call as json.dumps(..., ensure_ascii=False) makes.
_META_JSON = json.JSONEncoder(ensure_ascii=False, allow_nan=False, default=_unstorable).encode


# ------------------------------------------------------------------ files
# What a path that is neither a regular file nor a folder is: (the refusal when it is given
# by name, the note when a folder walk skips it). Keyed by the stat.S_IS* test or errno.
_NOT_FILES = {
    "fifo": ("is a FIFO (named pipe), not a file", "FIFO"),
    "socket": ("is a socket, not a file", "socket"),
    "device": ("is a device, not a file", "device"),
    "loop": ("symbolic link loop", "link loop"),
    "dangling": ("dangling symbolic link (what it points to does not exist)", "dangling link"),
    "folder": ("is a folder, not a file", ""),  # a file replaced by a folder after collect_files looked
    "folder link": ("", "link to a folder, not followed"),  # only met inside folders: a folder given by link is read
}


def _file_kind(path: Path) -> str:
    """"file", "folder", "missing" or a key of _NOT_FILES; stat errors other than these are raised."""
    try:
        mode = path.stat().st_mode
    except OSError as e:
        if e.errno == errno.ELOOP:
            return "loop"
        if e.errno == errno.ENOENT:
            return "dangling" if path.is_symlink() else "missing"
        raise
    return _mode_kind(mode)


def _mode_kind(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISFIFO(mode):
        return "fifo"
    return "socket" if stat.S_ISSOCK(mode) else "device"


def collect_files(
    paths: Sequence[str | Path], not_files: list[str] | None = None, form: str | None = None
) -> list[tuple[Path, str, Format | None]]:
    """(input, name to show and store, its format; None for plain text) for every input, sorted.

    ``form`` (a format name) reads every input in that format; otherwise each is
    recognised by ``formats.detect`` (extension, then content). Folders are searched
    recursively; one holding brat ``.ann`` files (given, or met in the search) is one brat input.
    Inside folders, hidden entries and files of other kinds are passed over; entries that are
    not regular files (FIFOs, sockets, devices, link loops, dangling links, links to folders)
    are passed over too, and noted in ``not_files`` as "NAME (KIND)" so the summary can say so.
    A path given by name that is not a regular file or folder is refused, naming what it is.
    """
    forced = formats.get(form) if form else None
    wanted = forced.suffixes if forced else SUFFIXES  # what a folder walk picks up
    found = []
    for given in map(Path, paths):
        kind = _file_kind(given)
        if kind == "folder" and forced and forced.folder:
            found.append((given, _as_text(given.name), forced))
        elif kind == "folder":
            brat = set() if forced else _brat_folders(given)  # each is one input: its .txt files are brat's
            inside = [(given, _as_text(given.name), formats.get("brat"))] if given in brat else []
            for p in sorted(given.rglob("*"), key=lambda p: p.relative_to(given).as_posix()):
                relative = p.relative_to(given)
                if any(part.startswith(".") for part in relative.parts):
                    continue
                name = _as_text(relative.as_posix())
                entry = _file_kind(p)
                if entry == "folder" and p.is_symlink():
                    entry = "folder link"  # rglob does not follow it
                if entry == "folder" and p in brat:
                    inside.append((p, name, formats.get("brat")))
                elif entry == "file" and p.parent in brat:
                    continue
                elif entry == "file":
                    if p.suffix.lower() in wanted:
                        inside.append((p, name, forced or formats.detect(p)))
                elif entry not in ("folder", "missing") and not_files is not None:  # missing: gone since rglob saw it
                    not_files.append(f"{name} ({_NOT_FILES[entry][1]})")
            if not inside:
                raise InputError(f"{given}: no {' or '.join(', '.join(wanted).rsplit(', ', 1))} files in this folder")
            found += inside
        elif kind == "file":
            if forced and forced.folder:
                raise InputError(f"{given}: format {forced.name} reads a folder of .txt and .ann files, not a file")
            if not forced and given.suffix.lower() not in SUFFIXES:
                raise InputError(
                    f"{given}: cannot import this kind of file (expected {', '.join(SUFFIXES)} or a folder; "
                    "--format reads it as one of the formats)"
                )
            found.append((given, _as_text(given.name), forced or formats.detect(given)))
        elif kind == "missing":
            raise InputError(f"{given}: no such file or folder")
        else:
            raise InputError(f"{given}: {_NOT_FILES[kind][0]}")
    for path, _, _ in found:
        if schema.held(path):  # reading it would drop this process's SQLite locks on it (see schema.hold)
            raise InputError(f"{path}: is a project open here, not articles to import")
    return found


def _brat_folders(folder: Path) -> set[Path]:
    """The folders at or under ``folder`` (hidden ones passed over) holding brat .ann files."""
    return {
        p.parent for p in folder.rglob("*.ann")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    }


def _as_text(name: str) -> str:
    """A file name fit to store: bytes that are not UTF-8 (which Python keeps as lone surrogates) become U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _read_regular(path: Path) -> BinaryIO:
    """``path`` opened for reading, refused unless it is (still) a regular file.

    Opened non-blocking, so a FIFO put in a file's place after collect_files looked
    is refused instead of waiting for a writer forever; reads are blocking again after.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        kind = _mode_kind(os.fstat(fd).st_mode)
        if kind != "file":
            raise InputError(f"{path}: {_NOT_FILES[kind][0]}")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


# UTF-32 first: its little-endian mark begins with UTF-16's.
_FOREIGN_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"),
)


def _decode(data: bytes, where: str) -> str:
    """UTF-8 text with a leading byte-order mark dropped; anything else is refused by name."""
    for bom, encoding in _FOREIGN_BOMS:
        if data.startswith(bom):
            raise InputError(f"{where}: {encoding} text (it starts with a {encoding} byte-order mark); save it as UTF-8")
    if b"\x00" in data:
        raise InputError(f"{where}: binary data (NUL bytes), expected UTF-8 text")
    try:
        return data.decode("utf-8-sig") if data.startswith(b"\xef\xbb\xbf") else data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(
            f"{where}: not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start}); save it as UTF-8"
        ) from None


def guess_title(text: str) -> str | None:
    """The first line when it reads like a headline: short, no final period, more text below."""
    first, newline, rest = text.partition("\n")
    first = first.strip()
    if not newline or not rest.strip() or not first:
        return None
    if len(first) > MAX_TITLE_LENGTH or first.endswith("."):
        return None
    return first


def _too_big(where: str, size: int) -> InputError:
    return InputError(
        f"{where}: article is {size / 2**20:.1f} MB; the limit is {MAX_ARTICLE_MB} MB per article "
        "(split it into smaller articles)"
    )


def read_txt(path: Path, name: str) -> _Record:
    where = str(path)
    with _read_regular(path) as f:
        size = os.fstat(f.fileno()).st_size
        if size > MAX_ARTICLE_BYTES:
            raise _too_big(where, size)
        text = _decode(f.read(), where)  # bytes, so "\r\n" stays as it is in the file
    if is_blank(text):
        if first_invisible(text):
            raise InputError(f"{where}: no visible text to import{_only_invisible(text)}")
        raise InputError(f"{where}: empty file, no text to import")
    return _Record(text, guess_title(text), {"file": name}, [])


def json_lines(path: Path) -> Iterator[tuple[str, int, object]]:
    """(FILE:LINE, bytes read, parsed JSON value or None for a blank line) per line, read as needed."""
    with _read_regular(path) as f:
        # readline with a limit: a line over it is measured and refused without being held whole
        for number, raw in enumerate(iter(lambda: f.readline(MAX_ARTICLE_BYTES + 2), b""), start=1):
            where = f"{path}:{number}"
            if len(raw.rstrip(b"\r\n")) > MAX_ARTICLE_BYTES:
                raise _too_big(where, len(raw) + _rest_of_line(f))
            line = _decode(raw, where)
            yield where, len(raw), _loads(line.rstrip("\r\n"), where) if line.strip() else None


def read_jsonl(path: Path) -> Iterator[tuple[int, int, _Record]]:
    """(line number, bytes read, record) per non-blank line, checked as it is read."""
    for number, (where, size, value) in enumerate(json_lines(path), start=1):
        yield number, size, None if value is None else check_task(value, where)


def _only_invisible(text: str) -> str:
    """The note for a blank text that is not only whitespace: it names one of its invisible characters."""
    invisible = first_invisible(text)
    return f" (only invisible characters, such as {code_name(invisible)})" if invisible else ""


def _rest_of_line(f) -> int:
    """Read past the rest of the current line a megabyte at a time; returns its length in bytes."""
    length = 0
    while chunk := f.readline(2**20):
        length += len(chunk)
        if chunk.endswith(b"\n"):
            break
    return length


def _loads(line: str, where: str) -> object:
    try:
        try:
            return _DECODE(line)
        except ValueError as e:
            if type(e) is not ValueError:  # JSONDecodeError, _NotJson
                raise
            return _DECODE_MARKING_LONG(line)  # int() refused a number with too many digits
    except json.JSONDecodeError as e:
        raise InputError(f"{where}: malformed JSON ({e.msg}; column {e.colno})") from None
    except _NotJson as e:
        raise InputError(f"{where}: {e}") from None
    except RecursionError:
        raise InputError(f"{where}: {_TOO_DEEP}") from None


def check_task(obj: object, where: str) -> _Record:
    """A record in the project's JSONL shape, checked: every format's records come through here."""
    if not isinstance(obj, dict):
        raise InputError(f"{where}: expected a JSON object, got {_kind(obj)}")
    text = obj.get("text")
    if "text" not in obj:
        raise InputError(f"{where}: missing \"text\"")
    if not isinstance(text, str):
        raise InputError(f"{where}: \"text\" must be a string, got {_kind(text)}")
    if is_blank(text):
        raise InputError(f"{where}: \"text\" is empty{_only_invisible(text)}")
    meta = obj.get("meta", {})
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise InputError(f"{where}: \"meta\" must be an object, got {_kind(meta)}")
    title = obj.get("title")
    if title is not None and not isinstance(title, str):
        raise InputError(f"{where}: \"title\" must be a string, got {_kind(title)}")
    # The text's UTF-8 bytes are needed for its hash anyway: checking them costs nothing extra.
    text_hash = hashlib.sha1(_utf8(text, "text", where)).hexdigest()  # = store.content_hash(text)
    if title:
        _utf8(title, "title", where)
    try:
        meta_json = _META_JSON(meta)
    except _NotJson as e:
        raise InputError(f"{where}: \"meta\" {e}") from None
    except ValueError:  # allow_nan=False: a number like 1e999 that read as infinity
        raise InputError(f"{where}: \"meta\" holds a number too large for JSON (like 1e999)") from None
    if meta_json.count("[") + meta_json.count("{") > MAX_NESTING and _depth(meta) > MAX_NESTING:  # count first: cheap
        raise InputError(f"{where}: \"meta\" is {_TOO_DEEP}")
    _utf8(meta_json, "meta", where)
    spans = _parse_spans(obj.get("spans"), len(text), where)
    return _Record(
        text, title or None, meta, spans, meta_json, text_hash,
        obj.get("answer"), obj.get("_annotator_id"), obj.get("_timestamp"),
    )


def _decision(record: _Record, where: str) -> tuple[Status, str | None, str | None] | None:
    """(status, annotator, decided_at) from a task's answer, or None when it has none (or a pending one)."""
    if record.answer is None:
        return None
    status = _ANSWERS.get(record.answer) if isinstance(record.answer, str) else None
    if status is None:
        raise InputError(f"{where}: \"answer\" must be \"accept\", \"reject\" or \"ignore\", got {record.answer!r}")
    if record.annotator is not None and not isinstance(record.annotator, str):
        raise InputError(f"{where}: \"_annotator_id\" must be a string, got {_kind(record.annotator)}")
    stamp = record.timestamp
    if stamp is not None and (not isinstance(stamp, int) or isinstance(stamp, bool)):
        raise InputError(f"{where}: \"_timestamp\" must be whole seconds since 1970 (a number), got {stamp!r}")
    if stamp is None and status is Status.SKIPPED:
        return None  # "ignore" with no time: a pending article, as this project exports them
    try:
        decided_at = None if stamp is None else datetime.fromtimestamp(stamp, timezone.utc).isoformat(timespec="milliseconds")
    except (OverflowError, OSError, ValueError):
        raise InputError(f"{where}: \"_timestamp\" {stamp} is not a time this can store (seconds since 1970)") from None
    return status, record.annotator, decided_at


def _depth(value: object) -> int:
    """Levels of lists and objects in ``value`` (a JSON value), counted without recursing."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _utf8(value: str, what: str, where: str) -> bytes:
    """``value`` as UTF-8; a \\uD800-\\uDFFF escape with no partner decodes to a lone surrogate that UTF-8 cannot hold."""
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(f"{where}: \"{what}\" contains an unpaired surrogate escape (\\ud800-\\udfff)") from None


def _parse_spans(spans: object, length: int, where: str) -> list[tuple[int, int, str]]:
    if spans is None:
        return []
    if not isinstance(spans, list):
        raise InputError(f"{where}: \"spans\" must be a list of {{start, end, label}} objects, got {_kind(spans)}")
    out = []
    for i, span in enumerate(spans, start=1):
        if not isinstance(span, dict):
            raise InputError(f"{where}: span {i} must be an object with start, end and label, got {_kind(span)}")
        missing = [key for key in ("start", "end", "label") if key not in span]
        if missing:
            raise InputError(f"{where}: span {i} is missing {', '.join(repr(k) for k in missing)}")
        for key in ("start", "end"):
            if isinstance(span[key], _LongInteger):
                raise InputError(f"{where}: span {i} \"{key}\" is not a valid offset ({span[key]!r})")
        try:
            check_span(span["start"], span["end"], length)
            label = label_set.check_name(span["label"])
        except AnnotatorError as e:
            raise InputError(f"{where}: span {i}: {e}") from None
        out.append((span["start"], span["end"], label))
    return out


def _kind(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}
    return names.get(type(value), "a number")


# ----------------------------------------------------------------- import
class _Importer:
    """One import run: checks records against the project and writes them batch by batch."""

    def __init__(self, store: AnnotationStore, spans_as: str, add_labels: bool, decisions: str, align: str):
        if spans_as not in SPANS_AS:
            raise InputError(f"spans can be imported as {' or '.join(SPANS_AS)}, not {spans_as!r}")
        if decisions not in DECISIONS:
            raise InputError(f"decisions can be {' or '.join(DECISIONS)}d, not {decisions!r}")
        if align not in ALIGN_RULES:
            raise InputError(f"spans can be aligned {', '.join(ALIGN_RULES)}, not {align!r}")
        self.store = store
        self.add_labels = add_labels
        self.restore = decisions == "restore"
        self.labels = store.label_names()
        self.allow_overlap = bool(store.setting("allow_overlap", False))
        self.report = ImportReport(spans_as=spans_as, align=align)
        self.batch: list[tuple[_Record, tuple | None]] = []
        self.source: int | None = None

    def add(self, record: _Record, where: str) -> None:
        decision = _decision(record, where) if self.restore else None
        if record.spans:
            record.spans = self._aligned(record, where)
            self._check_spans(record.spans, where)
        self.batch.append((record, decision))
        if len(self.batch) >= BATCH_SIZE:
            self.flush()

    def _aligned(self, record: _Record, where: str) -> list[tuple[int, int, str]]:
        """The record's spans on token boundaries by the import's rule; the others are noted in the report
        (under ``strict`` the import is refused at the end, naming them all)."""
        text, rule = record.text, self.report.align
        index = TokenIndex(tokenize(text))
        out = []
        for start, end, label in record.spans:
            if index.indices(start, end) is not None:
                out.append((start, end, label))
                continue
            touched = index.expand(start, end)
            inside = f" (in {text[touched[0]:touched[1]]!r})" if touched else ""
            note = f"{where}: {text[start:end]!r} at {start}-{end}{inside}"
            if rule == "strict":
                self.report.misaligned.append(note)
                out.append((start, end, label))
                continue
            moved = index.align(start, end, rule)
            if moved is None:
                self.report.dropped.append(note)
            else:
                self.report.moved.append(f"{note} -> {text[moved[0]:moved[1]]!r}")
                out.append((*moved, label))
        return out

    def _check_spans(self, spans: list[tuple[int, int, str]], where: str) -> None:
        if not self.allow_overlap:
            clash = first_overlap([(s, e) for s, e, _ in spans])
            if clash:
                (a, b), (c, d) = clash
                raise InputError(f"{where}: spans {a}-{b} and {c}-{d} overlap")
        for _, _, label in spans:
            if label in self.labels:
                continue
            if not self.add_labels:
                known = ", ".join(label_set.sort_names(self.labels)) or "none"
                raise UnknownLabels(
                    f"{where}: unknown label {label!r} (the project has: {known}); "
                    "pass --add-labels to add it",
                    (label,),
                )
            self.store.add_labels(label_set.make_labels([label], start=len(self.labels)))
            self.labels.add(label)
            self.report.labels_added.append(label)

    def flush(self) -> None:
        if not self.batch:
            return
        records = [
            {"text": r.text, "title": r.title, "meta": r.meta} if r.meta_json is None
            else {"text": r.text, "title": r.title, "meta_json": r.meta_json, "hash": r.hash}
            for r, _ in self.batch
        ]
        needs_ids = any(r.spans or decision for r, decision in self.batch)
        ids, duplicates = self.store.add_articles(records, ids=needs_ids)  # no ids needed: one executemany
        self.report.added += len(records) - duplicates
        self.report.duplicates += duplicates
        if not needs_ids:
            self.batch = []
            return
        suggestions, decided = [], []
        for article_id, (record, decision) in zip(ids, self.batch):
            if article_id is None:
                continue  # a duplicate keeps what the project already has
            if decision is not None:
                status, annotator, decided_at = decision
                # an accepted or rejected task's spans are what its annotator decided on; a skipped one's were not
                spans = record.spans if status in (Status.ACCEPTED, Status.REJECTED) else []
                decided.append((article_id, status, annotator, decided_at, spans))
                self.report.decided_spans += len(spans)
                if spans:
                    continue
            if not record.spans:
                continue
            self.report.spans += len(record.spans)
            if self.report.spans_as == "annotations":
                self.store.add_confirmed(article_id, record.spans)
            else:
                suggestions.append((article_id, [(s, e, label, None) for s, e, label in record.spans], None))
        if suggestions:
            self.store.save_suggestions(self.source, suggestions)
        if decided:
            self.store.add_decided(self.source, decided)
            self.report.decisions += len(decided)
        self.batch = []


def import_files(
    store: AnnotationStore,
    paths: Sequence[str | Path],
    *,
    spans_as: str = "suggestions",
    add_labels: bool = False,
    decisions: str = "restore",
    align: str = "strict",
    form: str | None = None,
    options: ReadOptions | None = None,
    on_progress: OnProgress | None = None,
    should_cancel: ShouldCancel | None = None,
) -> ImportReport:
    """Import every input (``form``: read them all in that format), or (on any error or cancel) nothing at all.

    ``decisions``: "restore" a task's answer (accept, reject, ignore) with its annotator
    and time, or "ignore" it. ``align``: the rule for spans off token boundaries
    (``alignment.ALIGN_RULES``); under "strict" such spans refuse the import, all named.
    """
    options = options or ReadOptions()
    not_files: list[str] = []
    inputs = collect_files(paths, not_files, form)
    total = sum(_size(path) for path, _, _ in inputs)
    done = 0
    importer = _Importer(store, spans_as, add_labels, decisions, align)
    importer.report.not_files = not_files
    unknown = _Unknown()
    with store.transaction():
        for path, name, form_of in inputs:
            if form_of is None:
                importer.add(read_txt(path, name), str(path))
                done += path.stat().st_size
            else:
                # Spans from a file are suggestions "by" that file, like a model's.
                importer.source = store.source_id("import", name)
                for number, item in enumerate(form_of.load().read(path, name, options), start=1):
                    if item.unknown:
                        unknown.add(item)
                    if item.task is not None:
                        importer.add(check_task(item.task, item.where), item.where)
                    done += item.size
                    if number % 1000 == 0:
                        _report(on_progress, done, total)
                        check_cancel(should_cancel, "import")
                importer.flush()  # before the next file changes the source
            importer.report.files += 1
            _report(on_progress, done, total)
            check_cancel(should_cancel, "import")
        importer.flush()
        if unknown.seen and not options.ignore_unknown:
            raise InputError(f"{unknown.describe()}; nothing imported (pass --ignore-unknown to import without them)")
        importer.report.ignored = unknown.describe() if unknown.seen else ""
        _refuse_misaligned(importer.report.misaligned)
    return importer.report


def _refuse_misaligned(misaligned: list[str]) -> None:
    if misaligned:
        articles = len({note.split(": ", 1)[0] for note in misaligned})
        raise InputError(
            f"{plural(len(misaligned), 'span')} in {plural(articles, 'article')} do not fall on token boundaries: "
            f"{_shown(misaligned)}. Choose a rule: --align contract (shrink each to the whole tokens inside it, "
            "dropping those with none) or --align expand (grow each to the tokens it touches)"
        )


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


class _Unknown:
    """What readers could not carry, counted per kind with where each was first seen."""

    def __init__(self):
        self.seen: dict[str, list] = {}  # phrase -> [first where, records]

    def add(self, item) -> None:
        for phrase in item.unknown:
            first = self.seen.setdefault(phrase, [item.where, 0])
            first[1] += 1

    def describe(self) -> str:
        parts = [
            f"{where}: {phrase} not understood" + (f" (in {plural(n, 'record')}, first here)" if n > 1 else "")
            for phrase, (where, n) in self.seen.items()
        ]
        shown = "; ".join(parts[:5]) + (f"; and {len(parts) - 5} more kinds" if len(parts) > 5 else "")
        return shown


def unknown_labels(
    store: AnnotationStore, paths: Sequence[str | Path], *, form: str | None = None,
    should_cancel: ShouldCancel | None = None,
) -> list[str]:
    """Every span label in the files that the project lacks, in order of appearance.

    Lets a GUI name them all before asking to add them (the import stops at the
    first). Reading stops quietly at a bad record: the import itself reports it.
    """
    known, found = store.label_names(), {}
    try:
        for path, name, form_of in collect_files(paths, form=form):
            if form_of is None:
                continue
            for number, item in enumerate(form_of.load().read(path, name, ReadOptions(ignore_unknown=True)), start=1):
                record = None if item.task is None else check_task(item.task, item.where)
                for _, _, label in record.spans if record else ():
                    if label not in known:
                        found[label] = None
                if number % 1000 == 0:
                    check_cancel(should_cancel, "import")
    except InputError:
        pass
    return list(found)


def _report(on_progress: OnProgress | None, done: int, total: int) -> None:
    if on_progress:
        on_progress(Progress(done, total, "Importing"))


def import_into_project(
    project: str | Path,
    paths: Sequence[str | Path],
    *,
    labels: Sequence[str] | None = None,
    model: str | None = None,
    spans_as: str = "suggestions",
    add_labels: bool = False,
    decisions: str = "restore",
    align: str = "strict",
    form: str | None = None,
    options: ReadOptions | None = None,
    on_progress: OnProgress | None = None,
    should_cancel: ShouldCancel | None = None,
) -> ImportReport:
    """Import into a project file, creating it when missing (and removing it again if the import fails).

    A new project's labels are ``labels``, else the model's entity labels;
    ``labels`` given for an existing project are added to its set.
    """
    project = Path(project)
    created = not project.exists()
    names = [label_set.check_name(name) for name in labels or ()]
    if created and not names:
        names = _model_label_names(model)
    store = AnnotationStore.open(project, create=True)
    try:
        # A file just made is nobody else's yet: fill it through a rollback journal, WAL after.
        with store.filling_new_file() if created else nullcontext(), store.transaction():
            existing = store.label_names()
            missing = [name for name in dict.fromkeys(names) if name not in existing]
            store.add_labels(label_set.make_labels(missing, start=len(existing)))
            if created and model:
                store.set_setting("model", model)  # what `suggest` uses by default
            report = import_files(
                store, paths, spans_as=spans_as, add_labels=add_labels, decisions=decisions, align=align,
                form=form, options=options,
                on_progress=on_progress, should_cancel=should_cancel,
            )
    except BaseException as e:
        store.close()
        if created:
            for leftover in (project, Path(f"{project}-wal"), Path(f"{project}-shm"), Path(f"{project}-journal")):
                leftover.unlink(missing_ok=True)
        if is_disk_full(e):
            raise AnnotatorError(f"{project}: the disk is full; the import changed nothing (free some space and import again)") from None
        raise
    store.close()
    return report


def _model_label_names(model: str | None) -> list[str]:
    """The model's entity labels, from its meta.json when possible (loading a model takes seconds)."""
    from .suggest import load_pipeline, model_labels

    return model_labels(model) or list(load_pipeline(model).labels)
