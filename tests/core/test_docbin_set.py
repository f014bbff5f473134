"""A DocBin export's train/dev/config set: a tiny export is never split into the same data twice, and a
failure while writing leaves no half set."""

import os

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.errors import AnnotatorError, InputError
from annotator.exporting import export
from annotator.formats import WriteOptions
from annotator.formats import files as export_files
from annotator.store import AnnotationStore


def _project(path, n):
    store = AnnotationStore.open(path, create=True, annotator="tester")
    try:
        ids, _ = store.add_articles([{"text": f"Article number {i} about Paris."} for i in range(n)])
        for article_id in ids:
            store.accept(article_id)
    finally:
        store.close()
    return path


@pytest.fixture
def open_project(tmp_path):
    opened = []

    def make(n):
        opened.append(AnnotationStore.open(_project(tmp_path / f"p{n}.db", n), annotator="tester"))
        return opened[-1]

    yield make
    for store in opened:
        store.close()


def test_one_article_with_a_dev_fraction_is_refused_and_nothing_written(open_project, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    with pytest.raises(InputError, match=r"1 article cannot be split into a training and a dev set; export at least 2, "
                                         r"or pass --dev-fraction 0"):
        export(open_project(1), corpus / "news.spacy", options=WriteOptions(extra={"dev_fraction": 0.2}))
    assert list(corpus.iterdir()) == []


def test_two_articles_are_one_for_training_and_one_for_dev(open_project, tmp_path):
    from spacy.tokens import DocBin
    import spacy

    out = tmp_path / "news.spacy"
    assert export(open_project(2), out, options=WriteOptions(extra={"dev_fraction": 0.2})) == 2
    vocab = spacy.blank("en").vocab
    train = [d.text for d in DocBin().from_disk(out).get_docs(vocab)]
    dev = [d.text for d in DocBin().from_disk(tmp_path / "news-dev.spacy").get_docs(vocab)]
    assert len(train) == len(dev) == 1 and set(train).isdisjoint(dev)


def test_a_dev_fraction_of_0_says_spacy_evaluates_on_the_training_file(tmp_path):
    project = _project(tmp_path / "p.db", 1)
    result = CliRunner().invoke(cli, ["export", str(project), str(tmp_path / "news.spacy"), "--dev-fraction", "0"])
    assert result.exit_code == 0, result.output
    assert "no dev set (--dev-fraction 0): config.cfg evaluates on the training file" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".db") == ["config.cfg", "news.spacy"]
    assert 'dev = "news.spacy"' in (tmp_path / "config.cfg").read_text("utf-8")


def test_the_cli_refuses_one_article_with_the_default_dev_fraction(tmp_path):
    project = _project(tmp_path / "p.db", 1)
    result = CliRunner().invoke(cli, ["export", str(project), str(tmp_path / "news.spacy")])
    assert result.exit_code != 0
    assert "1 article cannot be split into a training and a dev set" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.db"]


def test_a_failure_while_writing_the_set_leaves_the_previous_set_whole(open_project, tmp_path, monkeypatch):
    store = open_project(10)
    out = tmp_path / "news.spacy"
    export(store, out, options=WriteOptions(extra={"dev_fraction": 0.2}))
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if ".db" not in p.name}
    assert sorted(before) == ["config.cfg", "news-dev.spacy", "news.spacy"]
    synced = []
    real_fsync = os.fsync

    def disk_full_on_the_third_file(fd):
        synced.append(fd)
        if len(synced) == 3:  # train and dev are written; config.cfg fails
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(export_files.os, "fsync", disk_full_on_the_third_file)
    with pytest.raises(AnnotatorError, match="the disk is full; nothing was written"):
        export(store, out, options=WriteOptions(extra={"dev_fraction": 0.5, "seed": 7}))
    assert len(synced) == 3
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if ".db" not in p.name} == before  # no temporaries either
