"""CoNLL columns: one token per line, its tag in the last column, blank lines between sentences.

Read: IOB1, IOB2 and BILUO/BIOES tags alike (B-/I-/L-/E-/U-/S-/O; an I- that
does not continue a span of its label starts one, as IOB1 has it). Columns are
separated by spaces or tabs; the first is the token, the last the tag, any in
between are passed over. ``-DOCSTART-`` lines separate articles; a file with no
``-DOCSTART-`` line at its top holds one article per sentence. An article's
text is rebuilt: tokens joined by single spaces, sentences by line breaks, and
offsets are counted on that text (the original whitespace is lost).

Write: the export's tokens (spaCy's, see ``annotator.tokens``), "TOKEN TAG" per
line in IOB2 (default) or BILOU, one sentence per line of the article (a token
holding a line break ends a sentence; whitespace tokens are not written), and
``-DOCSTART- -X- -X- O`` plus a blank line before each article. CoNLL holds no
title, meta, decisions or whitespace. A token has one tag: of overlapping spans
the longest is kept, then the earliest (``alignment.without_overlaps``, the rule
of the DocBin's ``doc.ents``), and the export's summary counts the spans left
out. Spans off token boundaries never get here (the export's ``--align`` rule).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..alignment import TokenIndex, without_overlaps
from ..errors import InputError
from ..importing import _decode, _read_regular
from . import CONLL_SCHEMES, Item, ReadOptions, WriteOptions
from .files import atomic_text

DOCSTART = "-DOCSTART-"
_TAG = re.compile(r"(?:O|([BIELSU])-(.+))")


def _lines(path: Path) -> Iterator[tuple[str, int, str]]:
    with _read_regular(path) as f:
        for number, raw in enumerate(f, start=1):
            where = f"{path}:{number}"
            yield where, len(raw), _decode(raw, where).rstrip("\r\n")


def read(path: Path, name: str, options: ReadOptions) -> Iterator[Item]:
    article = _Article()
    by_document = None  # decided by the first non-blank line
    for where, size, line in _lines(path):
        columns = line.split()
        if not columns:
            article.end_sentence()
            if not by_document and article.tokens:
                yield article.item(name)
                article = _Article()
        elif columns[0] == DOCSTART:
            by_document = True if by_document is None else by_document
            if article.tokens:
                yield article.item(name)
            article = _Article()
        else:
            by_document = False if by_document is None else by_document
            if len(columns) < 2:
                raise InputError(f"{where}: expected a token and its tag, got one column {columns[0]!r}")
            article.add(columns[0], columns[-1], where)
        article.size += size
    if article.tokens:
        yield article.item(name)


class _Article:
    def __init__(self):
        self.where = ""
        self.size = 0
        self.sentences: list[list[str]] = [[]]
        self.tokens = 0
        self.length = 0  # of the text so far
        self.spans: list[dict] = []
        self.open: dict | None = None  # the span the next I-/L-/E- tag continues

    def end_sentence(self) -> None:
        self.open = None
        if self.sentences[-1]:
            self.sentences.append([])

    def add(self, token: str, tag: str, where: str) -> None:
        match = _TAG.fullmatch(tag)
        if not match:
            raise InputError(f"{where}: tag {tag!r} is not O or B-, I-, L-, E-, U-, S- and a label")
        self.where = self.where or where
        sentence = self.sentences[-1]
        if sentence:
            self.length += 1  # the space before it
        elif len(self.sentences) > 1:
            self.length += 1  # the line break before this sentence
        start = self.length
        sentence.append(token)
        self.tokens += 1
        self.length += len(token)
        prefix, label = match.groups()
        if prefix is None:
            self.open = None
            return
        if prefix in "IEL" and self.open is not None and self.open["label"] == label:
            self.open["end"] = self.length
        else:
            self.open = {"start": start, "end": self.length, "label": label}
            self.spans.append(self.open)
        if prefix in "ELSU":
            self.open = None

    def item(self, name: str) -> Item:
        text = "\n".join(" ".join(tokens) for tokens in self.sentences if tokens)
        return Item(self.where, self.size, {"text": text, "meta": {"file": name}, "spans": self.spans})


def sniff(path: Path) -> bool:
    """Whether a .txt file reads as CoNLL: a -DOCSTART- line first, or ten token-and-tag lines."""
    try:
        seen = 0
        for _, _, line in _lines(path):
            columns = line.split()
            if not columns:
                continue
            if columns[0] == DOCSTART and seen == 0:
                return True
            if len(columns) < 2 or not _TAG.fullmatch(columns[-1]):
                return False
            seen += 1
            if seen == 10:
                return True
        return seen > 0
    except InputError:
        return False


def write(out: Path | str, tasks: Iterable[dict], options: WriteOptions) -> int:
    if options.conll_scheme not in CONLL_SCHEMES:
        raise InputError(f"CoNLL scheme {options.conll_scheme!r}: use {' or '.join(CONLL_SCHEMES)}")
    count = dropped = 0
    with atomic_text(out) as f:
        for task in tasks:
            f.write(f"{DOCSTART} -X- -X- O\n\n")
            lines, left_out = task_lines(task, options.conll_scheme)
            f.write(lines)
            dropped += left_out
            count += 1
            options.progress(count)
    if dropped:
        options.notes.append(f"{dropped} overlapping span{'s' * (dropped != 1)} left out of the CoNLL file "
                             "(a token has one tag: the longest span is kept, then the earliest)")
    return count


def task_lines(task: dict, scheme: str) -> tuple[str, int]:
    """One article's sentences ("TOKEN TAG" lines, a blank line after each sentence), and how many
    of its spans were left out because they overlap one kept (``alignment.without_overlaps``,
    the rule of the DocBin's ``doc.ents``)."""
    tokens = task["tokens"]
    index = TokenIndex([(t["start"], t["end"]) for t in tokens])
    spans = [(s["start"], s["end"], s["label"]) for s in task["spans"]]
    for start, end, label in spans:
        if index.indices(start, end) is None:
            raise InputError(f"{_name(task)}: span {start}-{end} {label!r} does not fall on token boundaries; "
                             "CoNLL cannot hold it")
    kept, dropped = without_overlaps(spans, index)
    tags = ["O"] * len(tokens)
    for start, end, label in kept:
        first, last = index.indices(start, end)
        for i in range(first, last + 1):
            tags[i] = f"I-{label}"
        if scheme == "bilou" and first == last:
            tags[first] = f"U-{label}"
        else:
            tags[first] = f"B-{label}"
            if scheme == "bilou":
                tags[last] = f"L-{label}"
    lines, sentence = [], 0
    for token, tag in zip(tokens, tags):
        pieces = token["text"].split()
        if not pieces:  # whitespace: a line break ends the sentence
            if "\n" in token["text"] and sentence:
                lines.append("")
                sentence = 0
            continue
        if len(pieces) > 1 and tag != "O":
            raise InputError(f"{_name(task)}: token {token['text']!r} holds whitespace; CoNLL cannot hold it in a span")
        lines += [f"{piece} {tag}" for piece in pieces]
        sentence += len(pieces)
    if sentence:
        lines.append("")
    return "".join(f"{line}\n" for line in lines), len(dropped)


def _name(task: dict) -> str:
    title = task.get("title") or task["text"][:40]
    return f"article {title!r}"
