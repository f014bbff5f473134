"""spaCy ``DocBin`` (``.spacy``): training data for ``python -m spacy train``, with its config.

Write: ``OUT.spacy`` holds the training articles and ``OUT-dev.spacy`` beside it
the dev articles (a seeded split by article, ``dev_fraction`` of them, at least
one on each side; fewer than two articles with a dev fraction are refused, and
``--dev-fraction 0`` writes no dev file, evaluates on the training file and
says so), and ``config.cfg`` beside them is
spaCy's own ``init config`` for an English ``ner`` pipeline with ``paths.train``
and ``paths.dev`` naming those two files relative to their folder, so that
``cd FOLDER && python -m spacy train config.cfg --output model`` runs as
written. The three are written as one set (``files.write_together``): a
failure leaves none of them changed. Each Doc is built from the task's tokens, so its token indices are the
export's (``prodigy_task`` already put every span on token boundaries).
``doc.ents`` holds the spans after the overlap rule (``alignment.without_overlaps``:
the longest, then the earliest), and ``doc.spans["sc"]`` all of them.
Title, meta and the decision ride in ``doc.user_data``.

Read: ``doc.text`` is the text; the spans are ``doc.spans["sc"]`` when present,
else ``doc.ents``; the user data this writer stores (title, meta, decision) is
read back, so our own DocBins round-trip their decisions. A DocBin from
elsewhere carries no decision: its spans come in as ``--spans-as`` says
(suggestions by default), like any file's. Other span groups and ``doc.cats``
are reported as unknown.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..alignment import TokenIndex, without_overlaps
from ..errors import InputError
from . import Item, ReadOptions, WriteOptions
from .files import write_together

DEV_FRACTION = 0.2
MIN_TO_SPLIT = 2  # articles a dev fraction needs: at least one on each side, never the same data in both
SEED = 0
CONFIG = "config.cfg"
SPAN_GROUP = "sc"  # spaCy's default spans_key (spancat)
# What a task carries besides text and spans, kept in doc.user_data (and read back).
USER_KEYS = ("title", "meta", "answer", "_annotator_id", "_timestamp")


def dev_path(out: Path) -> Path:
    return out.with_name(f"{out.stem}-dev{out.suffix}")


def check_fraction(fraction: float) -> None:
    if not 0 <= fraction < 1:
        raise InputError(f"the dev fraction must be at least 0 and below 1, got {fraction}")


def split(count: int, fraction: float, seed: int) -> set[int]:
    """Indices of the dev articles: ``fraction`` of ``count``, drawn with ``seed``; at least one
    article on each side when there are two or more, none when the fraction is 0."""
    check_fraction(fraction)
    if fraction == 0 or count < 2:
        return set()
    size = min(max(round(count * fraction), 1), count - 1)
    return set(random.Random(seed).sample(range(count), size))


def task_doc(vocab, task: dict):
    """The Doc of one exported task: its tokens, its spans as ents (no overlaps) and in doc.spans["sc"]."""
    from spacy.tokens import Doc

    tokens = task["tokens"]
    doc = Doc(vocab, words=[t["text"] for t in tokens], spaces=[t["ws"] for t in tokens])
    if doc.text != task["text"]:  # tokens from a tokenizer that skipped characters other than one space
        raise InputError(f"article {task.get('title') or task['text'][:40]!r}: its tokens do not spell its text; "
                         "a DocBin cannot hold it")
    spans = [(s["start"], s["end"], s["label"]) for s in task["spans"]]
    kept, _ = without_overlaps(spans, TokenIndex([(t["start"], t["end"]) for t in tokens]))
    doc.ents = [doc.char_span(start, end, label=label) for start, end, label in kept]
    doc.spans[SPAN_GROUP] = [doc.char_span(start, end, label=label) for start, end, label in spans]
    doc.user_data.update({key: task[key] for key in USER_KEYS if key in task})
    return doc


def write(out: Path | str, tasks: Iterable[dict], options: WriteOptions) -> int:
    import spacy
    from spacy.cli.init_config import init_config
    from spacy.tokens import DocBin

    if str(out) == "-":
        raise InputError("a DocBin is written to files (OUT.spacy, OUT-dev.spacy and config.cfg), not to - (stdout)")
    out = Path(out)
    fraction = options.extra.get("dev_fraction", DEV_FRACTION)
    seed = options.extra.get("seed", SEED)
    check_fraction(fraction)
    if fraction and options.total < MIN_TO_SPLIT:  # before reading: a refused export changes nothing (stores no tokens)
        _refuse_split(out, options.total)
    vocab = spacy.blank("en").vocab
    docs = []
    for count, task in enumerate(tasks, start=1):
        docs.append(task_doc(vocab, task))
        options.progress(count)
    if fraction and len(docs) < MIN_TO_SPLIT:  # fewer than the total said (an --annotator filter)
        _refuse_split(out, len(docs))
    dev = split(len(docs), fraction, seed)
    train_bin = DocBin(store_user_data=True, docs=[d for i, d in enumerate(docs) if i not in dev])
    config = init_config(lang="en", pipeline=["ner"], optimize="efficiency")
    config["paths"]["train"] = out.name
    config["paths"]["dev"] = dev_path(out).name if dev else out.name
    if not dev:  # --dev-fraction 0: asked for, and said
        options.notes.append(f"no dev set (--dev-fraction 0): {CONFIG} evaluates on the training file")
    files = {out: train_bin.to_bytes()}
    if dev:
        files[dev_path(out)] = DocBin(store_user_data=True, docs=[d for i, d in enumerate(docs) if i in dev]).to_bytes()
    files[out.with_name(CONFIG)] = config.to_str().encode("utf-8")
    write_together(files)  # the set is written whole or not at all
    return len(docs)


def _refuse_split(out: Path, count: int) -> None:
    raise InputError(
        f"{out}: {count} article{'' if count == 1 else 's'} cannot be split into a training and a dev set; "
        f"export at least {MIN_TO_SPLIT}, or pass --dev-fraction 0 (spaCy then evaluates on the training file)"
    )


def read(path: Path, name: str, options: ReadOptions) -> Iterator[Item]:
    import spacy
    from spacy.tokens import DocBin

    try:
        docs = DocBin().from_bytes(path.read_bytes()).get_docs(spacy.blank("en").vocab)
        for number, doc in enumerate(docs, start=1):
            yield Item(f"{path}:doc {number}", 0, _task(doc), _unknown(doc))
    except (ValueError, KeyError, TypeError, zlib.error) as e:  # what zlib and msgpack raise for bytes that are not a DocBin
        raise InputError(f"{path}: not a spaCy DocBin ({type(e).__name__}: {e})") from None
    yield Item(f"{path}", path.stat().st_size, None)  # the file's size, for progress


def _task(doc) -> dict:
    spans = doc.spans[SPAN_GROUP] if SPAN_GROUP in doc.spans else doc.ents
    task = {key: doc.user_data[key] for key in USER_KEYS if key in doc.user_data}
    task["text"] = doc.text
    task["spans"] = [{"start": s.start_char, "end": s.end_char, "label": s.label_} for s in spans]
    return task


def _unknown(doc) -> tuple[str, ...]:
    found = [f'span group "{key}"' for key in doc.spans if key != SPAN_GROUP]
    if doc.cats:
        found.append("doc.cats")
    return tuple(found)
