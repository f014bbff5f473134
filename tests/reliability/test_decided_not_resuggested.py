"""A decided article is never re-suggested: the store checks, in the transaction that writes.

Found (issue 9, item 2): `annotator suggest` running while someone reviewed gave 184
of 300 articles accepted with no entities the model's spans afterwards, and export
wrote them as accepted. The model reads pending articles, works on them for a while,
then saves; a decision taken by another connection in between must win. Both orders
of the race are played deterministically here, then with a second process deciding
between two batches of ``suggest_project``.
"""

from __future__ import annotations

import pytest

from annotator.exporting import tasks
from annotator.model import EntityState, Status
from annotator.store import AnnotationStore
from annotator.suggest import suggest_project

from ._support import make_project, run_python

SOURCE = ("model", "racer", "1")
DECIDED = {"accept": Status.ACCEPTED, "reject": Status.REJECTED, "skip": Status.SKIPPED}


def model_output(store: AnnotationStore, article_id: int) -> list:
    """What a model says about an article: two people, on the text as it is now."""
    text = store.article(article_id).text
    ada, charles = text.index("Ada Lovelace"), text.index("Charles Babbage")
    return [(ada, ada + 12, "PERSON", None), (charles, charles + 15, "PERSON", None)]


@pytest.fixture
def two_connections(tmp_path):
    """The suggesting connection and a reviewer's, on one project file."""
    path = tmp_path / "race.db"
    ids = make_project(path, 3)
    model = AnnotationStore.open(path, annotator="model-run")
    reviewer = AnnotationStore.open(path, annotator="reviewer")
    try:
        yield path, ids, model, reviewer
    finally:
        model.close()
        reviewer.close()


@pytest.mark.parametrize("decide", list(DECIDED))
def test_suggestions_computed_before_a_decision_and_saved_after_are_dropped(two_connections, decide):
    """(a) the model reads the article, the reviewer decides it, the model saves."""
    path, (first, second, _), model, reviewer = two_connections
    source = model.source_id(*SOURCE)
    results = [(first, model_output(model, first), None), (second, model_output(model, second), None)]
    getattr(reviewer, decide)(first)  # another connection decides while the model works
    changes = model.save_suggestions(source, results)
    assert changes.article_ids == {second}
    assert reviewer.article(first).status is DECIDED[decide]
    assert reviewer.entities(first) == []
    assert reviewer.article(first).suggested_by is None  # nothing about it was written
    assert model.conn.execute("SELECT count(*) FROM suggestions WHERE article_id = ?", (first,)).fetchone()[0] == 0
    assert [(e.start, e.end, e.state) for e in reviewer.entities(second)] == [
        (s, e, EntityState.SUGGESTED) for s, e, _, _ in results[1][1]
    ]


def test_suggestions_saved_before_a_decision_are_accepted_with_it(two_connections):
    """(b) the model saves, then the reviewer accepts: the suggestions become the accepted entities."""
    path, (first, *_), model, reviewer = two_connections
    source = model.source_id(*SOURCE)
    spans = model_output(model, first)
    assert model.save_suggestions(source, [(first, spans, None)]).article_ids == {first}
    reviewer.accept(first)
    assert reviewer.article(first).status is Status.ACCEPTED
    assert [(e.start, e.end, e.label, e.state) for e in reviewer.entities(first)] == [
        (s, e, label, EntityState.CONFIRMED) for s, e, label, _ in spans
    ]


def test_accepted_with_no_entities_exports_with_none_after_a_late_save(two_connections):
    path, (first, *_), model, reviewer = two_connections
    source = model.source_id(*SOURCE)
    late = [(first, model_output(model, first), None)]
    reviewer.accept(first)  # accepted as shown: no entities
    model.save_suggestions(source, late)
    (record,) = tasks(reviewer, [Status.ACCEPTED])  # what export writes
    assert record["answer"] == "accept" and record["spans"] == []


class NamesModel:
    """A stand-in pipeline for ``suggest_project``: marks the two names in every text."""

    name, version, labels = "racer", "1", ("PERSON",)

    def __init__(self):
        self.nlp = self

    def source_id(self, store):
        return store.source_id(*SOURCE)

    def pipe(self, stream, as_tuples, batch_size):
        for text, article_id in stream:
            yield _Doc(text), article_id


class _Doc:
    def __init__(self, text):
        self.ents = [_Ent(text, name) for name in ("Ada Lovelace", "Charles Babbage")]
        self.tokens = []

    def __iter__(self):
        return iter(self.tokens)


class _Ent:
    label_ = "PERSON"

    def __init__(self, text, name):
        self.start_char = text.index(name)
        self.end_char = self.start_char + len(name)


ACCEPT_IN_ANOTHER_PROCESS = """
import sys
from annotator.store import AnnotationStore
store = AnnotationStore.open(sys.argv[1], annotator="reviewer")
try:
    for article_id in sys.argv[2:]:
        store.accept(int(article_id))
finally:
    store.close()
"""


def test_a_second_process_accepting_between_batches_keeps_its_articles_unsuggested(tmp_path):
    """suggest_project has read the pending articles (page of 256) and saved the first batch
    when another process accepts two articles of later batches: those stay as accepted."""
    path = tmp_path / "run.db"
    ids = make_project(path, 6)
    late = [ids[3], ids[5]]
    store = AnnotationStore.open(path, annotator="model-run")
    accepted_by_the_other = []

    def between_batches(progress):
        if progress.done == 2 and not accepted_by_the_other:
            done = run_python(["-c", ACCEPT_IN_ANOTHER_PROCESS, str(path), *map(str, late)])
            assert done.returncode == 0, done.stderr
            accepted_by_the_other.extend(late)

    try:
        assert suggest_project(store, NamesModel(), batch_size=2, on_progress=between_batches) == 4  # 6 read, 4 saved
        assert accepted_by_the_other == late
        for article_id in ids:
            entities = store.entities(article_id)
            if article_id in late:
                assert store.article(article_id).status is Status.ACCEPTED
                assert entities == []
            else:
                assert [e.state for e in entities] == [EntityState.SUGGESTED] * 2
    finally:
        store.close()
