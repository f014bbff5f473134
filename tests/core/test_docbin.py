"""spaCy DocBin export and import (annotator/formats/docbin.py), and spaCy's own trainer on it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

from annotator.exporting import ExportNotes, export
from annotator.formats import WriteOptions
from annotator.formats.docbin import split
from annotator.importing import import_into_project
from annotator.labels import make_labels
from annotator.store import AnnotationStore

REPO = Path(__file__).resolve().parents[2]
# CI puts shared/ beside the clone; a worktree may sit deeper (the same search as tests/formats/test_wikigold.py)
WIKIGOLD = next((p / "shared/data/wikigold/wikigold.jsonl" for p in REPO.parents
                 if (p / "shared/data/wikigold/wikigold.jsonl").is_file()), REPO.parent / "shared/data/wikigold/wikigold.jsonl")
TEXT = "Kim Jong Un met 🙂 Moon in Seoul."


def docs(path):
    return list(DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))


def mark(store, article_id, needle, label):
    start = store.article(article_id).text.index(needle)
    store.add_entity(article_id, start, start + len(needle), label)


@pytest.fixture
def overlapping(store):
    """One accepted article whose spans overlap (the project allows it)."""
    store.add_labels(make_labels(["PERSON", "GPE"]))
    store.set_setting("allow_overlap", True)
    [article_id], _ = store.add_articles([{"text": TEXT, "title": "Summit", "meta": {"n": 1}}])
    mark(store, article_id, "Kim Jong Un", "PERSON")
    mark(store, article_id, "Kim Jong", "PERSON")  # shorter: not an ent
    mark(store, article_id, "Seoul", "GPE")
    store.accept(article_id)
    return store


def test_overlapping_spans_go_to_span_group_and_ents_never_raise(overlapping, tmp_path):
    out = tmp_path / "news.spacy"
    notes = ExportNotes()
    assert export(overlapping, out, notes=notes, options=WriteOptions(extra={"dev_fraction": 0})) == 1
    assert notes.overlapping == 1
    [doc] = docs(out)
    assert doc.text == TEXT
    assert [(e.text, e.label_) for e in doc.ents] == [("Kim Jong Un", "PERSON"), ("Seoul", "GPE")]
    assert [(s.text, s.label_) for s in doc.spans["sc"]] == [("Kim Jong", "PERSON"), ("Kim Jong Un", "PERSON"), ("Seoul", "GPE")]
    doc.ents = list(doc.ents)  # what spaCy's trainer does: E1010 would be raised here for overlaps
    assert doc.user_data["answer"] == "accept" and doc.user_data["title"] == "Summit"
    assert not (tmp_path / "news-dev.spacy").exists()
    config = (tmp_path / "config.cfg").read_text("utf-8")
    assert 'train = "news.spacy"' in config and 'dev = "news.spacy"' in config  # no dev articles: evaluate on train


def test_a_docbin_reads_back_with_its_spans_and_decisions(overlapping, tmp_path):
    out = tmp_path / "news.spacy"
    export(overlapping, out, options=WriteOptions(extra={"dev_fraction": 0}))
    first = tmp_path / "first.jsonl"
    export(overlapping, first)
    project = tmp_path / "again.db"
    store = AnnotationStore.open(project, create=True)
    try:
        store.set_setting("allow_overlap", True)
    finally:
        store.close()
    import_into_project(project, [out], labels=["PERSON", "GPE"])
    again = AnnotationStore.open(project)
    try:
        second = tmp_path / "second.jsonl"
        export(again, second)
        assert second.read_text("utf-8") == first.read_text("utf-8")  # title, meta, spans, decision, hashes
    finally:
        again.close()


def test_a_file_that_is_not_a_docbin_is_refused(tmp_path):
    bad = tmp_path / "bad.spacy"
    bad.write_bytes(b"not a docbin at all")
    with pytest.raises(Exception) as caught:
        import_into_project(tmp_path / "p.db", [bad], labels=["PER"])
    assert str(caught.value).startswith(f"{bad}: not a spaCy DocBin (")
    assert not (tmp_path / "p.db").exists()


def test_the_split_is_seeded_and_by_article():
    assert split(10, 0.2, 0) == split(10, 0.2, 0)
    assert len(split(10, 0.2, 0)) == 2 and len(split(10, 0.2, 1)) == 2
    assert split(1, 0.5, 0) == set() and len(split(2, 0.01, 0)) == 1 and len(split(3, 0.99, 0)) == 2


@pytest.fixture
def wikigold_project(tmp_path):
    """25 WikiGold documents, their gold spans as annotations, accepted."""
    if not WIKIGOLD.exists():
        pytest.skip(f"WikiGold is not beside the repository ({WIKIGOLD}); CI puts shared/ there")
    data = tmp_path / "wikigold-25.jsonl"
    with WIKIGOLD.open(encoding="utf-8") as f:
        data.write_text("".join(next(f) for _ in range(25)), "utf-8")
    project = tmp_path / "wikigold.db"
    import_into_project(project, [data], labels=["PER", "LOC", "ORG", "MISC"], spans_as="annotations", align="expand")
    store = AnnotationStore.open(project)
    try:
        for article_id, _, _ in store.queue():
            store.accept(article_id)
    finally:
        store.close()
    return project


def test_spacy_trains_on_the_export_with_the_written_config(wikigold_project, tmp_path):
    from click.testing import CliRunner

    from annotator.cli import cli

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    result = CliRunner().invoke(cli, ["export", str(wikigold_project), str(corpus / "wikigold.spacy"), "--dev-fraction", "0.2"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in corpus.iterdir()) == ["config.cfg", "wikigold-dev.spacy", "wikigold.spacy"]
    assert (len(docs(corpus / "wikigold.spacy")), len(docs(corpus / "wikigold-dev.spacy"))) == (20, 5)
    # exactly the documented command, from the folder exported to, cut to a few steps
    trained = subprocess.run(
        [sys.executable, "-m", "spacy", "train", "config.cfg", "--output", "model",
         "--training.max_steps", "20", "--training.eval_frequency", "10"],
        cwd=corpus, capture_output=True, text=True,
    )
    assert trained.returncode == 0, trained.stdout + trained.stderr
    nlp = spacy.load(corpus / "model" / "model-last")
    assert set(nlp.get_pipe("ner").labels) == {"PER", "LOC", "ORG", "MISC"}
    text = json.loads(WIKIGOLD.read_text("utf-8").splitlines()[30])["text"]
    doc = nlp(text)
    assert doc.text == text and all(e.label_ in {"PER", "LOC", "ORG", "MISC"} for e in doc.ents)
