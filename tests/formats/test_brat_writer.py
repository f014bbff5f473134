"""brat's writer where the reference tests (tests/core/test_task_lines.py) do not reach: file names,
many spans in one article, labels first used in later batches, and labels only a damaged project holds."""

from __future__ import annotations

import time

import pytest

from annotator.errors import AnnotatorError, Cancelled, InputError
from annotator.exporting import export
from annotator.formats import WriteOptions, brat
from annotator.labels import make_labels
from annotator.store import AnnotationStore


@pytest.fixture
def store(tmp_path):
    store = AnnotationStore.open(tmp_path / "p.db", create=True, annotator="tester")
    store.add_labels(make_labels(["PER", "LOC", "ORG"]))
    yield store
    store.close()


def _accepted(store, texts_and_spans) -> None:
    ids, _ = store.add_articles([{"text": text} for text, _ in texts_and_spans])
    for article_id, (_, spans) in zip(ids, texts_and_spans):
        store.add_confirmed(article_id, spans)
        store.accept(article_id)


@pytest.mark.parametrize("head, name", [
    ("Angela Merkel visits Paris", "000007-angela-merkel-visits-paris"),
    ("ZÜRICH, 19 August — Médecins Sans Frontières warned", "000007-zurich-19-august-medecins-sans"),  # whole words
    ("Straße des 17. Juni", "000007-strasse-des-17-juni"),
    ("ﬁnal Ｆｕｌｌ-width", "000007-final-full-width"),  # compatibility forms, as NFKD reads them
    ("北京 Москва", "000007"),  # no ASCII letter: the number alone
    ("", "000007"),
    ("...  ---\t\n", "000007"),
    ("x" * 45 + " more", "000007-" + "x" * 40),  # a first word too long for the name is cut
    ("CON", "000007-con"),  # a device name on Windows, never alone: the number goes first
    ("../../etc/passwd", "000007-etc-passwd"),  # no path separator survives
])
def test_a_file_is_named_by_its_number_then_the_first_words_of_its_title(head, name):
    assert brat.document_names(7, [head]) == [name]


def test_names_in_a_batch_are_numbered_in_order_and_unique_for_the_same_words():
    assert brat.document_names(9, ["Same words", "Same words", "", "Third"]) == [
        "000009-same-words", "000010-same-words", "000011", "000012-third"]


def test_files_are_named_after_the_title_else_the_start_of_the_text(store, tmp_path):
    ids, _ = store.add_articles([{"text": "Ada met Charles in London.", "title": "Ada's day\x1fout"},
                                 {"text": "The Analytical Engine was never built."}])
    for article_id in ids:
        store.accept(article_id)
    assert export(store, tmp_path / "out", None, form="brat") == 2
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "000001-ada-s-day-out.ann", "000001-ada-s-day-out.txt",
        "000002-the-analytical-engine-was-never-built.ann", "000002-the-analytical-engine-was-never-built.txt",
        "annotation.conf"]


def test_an_article_with_more_spans_than_the_numbers_made_ahead(store, tmp_path):
    words = [f"Wörd{n}" for n in range(2500)]
    text = " ".join(words)
    spans, at = [], 0
    for word in words:
        spans.append((at, at + len(word), "PER"))
        at += len(word) + 1
    _accepted(store, [(text, spans)])
    assert export(store, tmp_path / "out", None, form="brat") == 1
    lines = (tmp_path / "out" / "000001-word0-word1-word2-word3-word4-word5.ann").read_text("utf-8").splitlines()
    assert len(lines) == 2500
    assert lines[0] == "T1\tPER 0 5\tWörd0"
    assert lines[2499] == f"T2500\tPER {spans[-1][0]} {spans[-1][1]}\tWörd2499"


def test_labels_are_listed_in_the_order_they_are_first_used_across_batches(store, tmp_path):
    _accepted(store, [("Ada.", [(0, 3, "PER")]), ("Rome.", [(0, 4, "LOC")]), ("Rome and Ada.", [(9, 12, "PER"), (0, 4, "LOC")]),
                      ("IBM in Rome.", [(7, 11, "LOC"), (0, 3, "ORG")])])
    batches = store.export_text_batches(None, spans=brat.SPANS, batch=2)
    assert brat.write_batches(tmp_path / "out", batches, WriteOptions()) == 4
    out = tmp_path / "out"
    assert (out / "annotation.conf").read_text("utf-8") == "[entities]\nPER\nLOC\nORG\n[relations]\n[events]\n[attributes]\n"
    assert (out / "000003-rome-and-ada.ann").read_text("utf-8") == "T1\tLOC 0 4\tRome\nT2\tPER 9 12\tAda\n"
    assert (out / "000004-ibm-in-rome.ann").read_text("utf-8") == "T1\tORG 0 3\tIBM\nT2\tLOC 7 11\tRome\n"


@pytest.mark.parametrize("label", ["PER\nLOC", "PER\x1eX", "PER\x1dX", "PER\tX"])
def test_a_label_only_a_damaged_project_holds_is_refused_and_nothing_is_written(store, tmp_path, label):
    """Labels are checked names (no control characters) wherever they are made; a project edited by
    hand can still hold one, and it must not shift the pieces the writer reads."""
    _accepted(store, [("Ada met Bob.", [(0, 3, "PER")]), ("Rome.", [(0, 4, "LOC")])])
    with store.conn:
        store.conn.execute("UPDATE annotations SET label = ? WHERE label = 'PER'", (label,))
    with pytest.raises(InputError, match="which brat labels cannot"):
        export(store, tmp_path / "out", None, form="brat")
    assert not (tmp_path / "out").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_a_full_disk_while_the_files_are_made_says_so_and_leaves_nothing(store, tmp_path, monkeypatch):
    """The child making the files reports the disk's error by its number; the export says the disk is
    full, as every export does, and removes what was made (a child that ran out of room for real: the
    EEXIST case of tests/formats/test_file_maker.py shows the number crossing)."""
    _accepted(store, [("Ada met Bob.", [(0, 3, "PER")])])
    full = tmp_path / "python"
    full.write_text("#!/bin/sh\ncat > /dev/null\nprintf '28\\tNo space left on device\\t000001.txt\\n' >&2\nexit 1\n")
    full.chmod(0o755)
    monkeypatch.setattr("sys.executable", str(full))
    with pytest.raises(AnnotatorError, match="the disk is full; nothing was written"):
        export(store, tmp_path / "out", None, form="brat")
    assert not (tmp_path / "out").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_a_cancelled_export_stops_the_file_maker_and_leaves_nothing(store, tmp_path):
    """Cancel (the export dialog's button) arrives between articles; the child making the files is
    stopped before the half-made folder is removed, so nothing reappears after."""
    _accepted(store, [(f"Article {i}: Ada met Bob.", [(13, 16, "PER")]) for i in range(2500)])
    asked = []

    def cancel_after_the_first_batch() -> bool:
        asked.append(1)
        return len(asked) > 12  # progress is checked every 100 articles: stops in the second batch

    options = WriteOptions(should_cancel=cancel_after_the_first_batch)
    with pytest.raises(Cancelled):
        export(store, tmp_path / "out", None, form="brat", options=options)
    assert not (tmp_path / "out").exists()
    time.sleep(0.3)  # nothing still running puts anything back
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]
