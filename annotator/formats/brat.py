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
Write: ``000001-angela-merkel-visits-paris.txt`` and ``.ann``... (export order, then the
first words of the title, or of the text when there is none: ``document_names``), and an
``annotation.conf`` naming the labels. brat holds no decisions, title or meta.
The export writes the files from the store's texts and pieces (``write_batches``), no task dicts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import InputError
from ..importing import _decode, _read_regular, guess_title
from ..store.span_pieces import BRAT_SPANS, TextBatch
from . import DISCONTINUOUS, Item, ReadOptions, WriteOptions
from .file_maker import FileMaker
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


SPANS = BRAT_SPANS  # each article's labels, starts and ends (store.export_text_batches)
_NUMBERS = tuple(str(n) for n in range(1, 2001))  # the lines' numbers, made once: enough for most articles
_FLAT = bytes.maketrans(b"\r\n\t", b"   ")
_DAMAGED = "a label holds a line break or a control character, which brat labels cannot (the project is damaged)"


def write_batches(out: Path | str, batches: Iterable[TextBatch], options: WriteOptions) -> int:
    """The .txt and .ann of each of ``store.export_text_batches``' articles (made with ``SPANS``),
    numbered in export order, and the ``annotation.conf`` of the labels in order of first use. A child
    process makes the files (``file_maker``) while this one reads and formats the next batch."""
    count = 0
    labels: dict[str, None] = {}
    with atomic_folder(out) as folder:
        with FileMaker(folder) as files:
            for batch in batches:
                if len(batch.spans) != len(batch.sizes):  # a label held the pieces' separator
                    raise InputError(_DAMAGED)
                names, contents, start = [], [], 0
                for size, spans, name in zip(batch.sizes, batch.spans, document_names(count + 1, batch.heads), strict=True):
                    count += 1
                    text = batch.texts[start:start + size]
                    start += size
                    names += [name + ".txt", name + ".ann"]
                    contents += [text, _ann(text, spans, labels) if spans else b""]
                    options.progress(count)
                files.write(names, contents)
        conf = "[entities]\n" + "".join(f"{label}\n" for label in labels) + "[relations]\n[events]\n[attributes]\n"
        (folder / "annotation.conf").write_text(conf, "utf-8")
    return count


# The bytes a name keeps of a head in ASCII: letters and digits, and x'1f' between heads; the rest
# separate words.
_NAME_BYTES = bytes(byte if (chr(byte).isalnum() and byte < 128) or byte == 0x1F else 32 for byte in range(256)).lower()
NAME_WORDS_CHARS = 40


def document_names(first: int, heads: list[str]) -> list[str]:
    """``000001-angela-merkel-visits-paris``...: each article's number in export order, from ``first``
    (names sort as the export), then the first words of its head (its title, or the start of its text:
    ``TextBatch``) as ASCII letters and digits in lower case, accents dropped, at most
    ``NAME_WORDS_CHARS`` characters of whole words (a longer first word is cut). brat lists a
    collection by file name: the words say which article each is. They also make the export faster:
    ext4 scans a directory block to look up and to add each name, and a block holds a third as many
    names of this length as of six digits (100,001 files: a fifth less system time, README Speed).
    The heads are made ASCII together, in one call each (x'1f' keeps them apart)."""
    joined = "\x1f".join(heads).replace("ß", "ss").replace("ẞ", "SS")  # what NFKD leaves as it is (casefold took longer)
    ascii_heads = unicodedata.normalize("NFKD", joined).encode("ascii", "ignore")
    names = []
    for number, head in enumerate(ascii_heads.translate(_NAME_BYTES).split(b"\x1f"), start=first):
        words = b"-".join(head.split())
        if len(words) > NAME_WORDS_CHARS:
            cut = words[:NAME_WORDS_CHARS + 1]
            words = cut.rsplit(b"-", 1)[0] if b"-" in cut else cut[:NAME_WORDS_CHARS]
        names.append(f"{number:06d}-{words.decode()}" if words else f"{number:06d}")
    return names


def _ann(text: bytes, spans: str, labels: dict[str, None]) -> bytes:
    """The .ann of a text (UTF-8) from its spans' pieces (``SPANS``): each line numbered, with the
    text it covers. Labels not yet in ``labels`` are checked and added. One f-string per span in a
    list comprehension took a fifth less time than zipping the pieces into one join in C, or than
    ``%`` per span (1.9 million spans: 1.2 s against 1.5-1.7 s)."""
    pieces = spans.split("\x1e")
    if len(pieces) != 3:
        raise InputError(_DAMAGED)
    names, starts, ends = pieces[0].split("\n"), pieces[1].split(","), pieces[2].split(",")
    if len(names) != len(starts):
        raise InputError(_DAMAGED)
    if not labels.keys() >= set(names):
        for label in names:
            if label not in labels:
                if label.split() != [label]:
                    raise InputError(f"label {label!r} holds whitespace, which brat labels cannot")
                labels[label] = None
    numbers = _NUMBERS if len(names) <= len(_NUMBERS) else [str(n) for n in range(1, len(names) + 1)]
    flat = text.translate(_FLAT).decode()  # as _flat: brat's .ann lines (bytes that UTF-8 never uses inside a character)
    return "".join([
        f"T{number}\t{label} {start} {end}\t{flat[int(start):int(end)]}\n"
        for number, label, start, end in zip(numbers, names, starts, ends)
    ]).encode()
