"""The least-sure-first review order: the scores a model run leaves, and every walk of the queue
(neighbour, next to review, position, pages) following them."""

import shutil
from pathlib import Path

import pytest

from annotator.labels import make_labels
from annotator.model import ReviewOrder, Status
from annotator.store import AnnotationStore
from annotator.suggest import load_pipeline, suggest_project, suggest_texts

V1_PROJECT = Path(__file__).resolve().parents[1] / "data" / "v1_project.db"
NEWS = [
    "Vladimir Putin met Kim Jong Un in Vladivostok on Wednesday, the Kremlin said.",
    "Apple and Microsoft reported earnings in New York on Tuesday.",
    "Nothing to see here, just a quiet afternoon by the sea.",
    "Jordan spoke with Paris about the Amazon deal in Georgia.",
]


def _scored(store, certainties: dict[int, float]) -> None:
    """A source's run that scored these articles (no entities needed for the order)."""
    source = store.source_id("model", "fake", "1")
    store.save_suggestions(source, [(i, [], None, sure) for i, sure in certainties.items()])


def _ids(rows):
    return [row[0] for row in rows]


@pytest.fixture
def eight(store):
    ids, _ = store.add_articles([{"text": f"Article {i}.", "title": f"A{i}"} for i in range(1, 9)])
    assert ids == list(range(1, 9))
    _scored(store, {2: 0.5, 3: 0.2, 5: 0.9, 7: 0.1})
    return store


def test_the_default_order_stays_the_import_order(eight):
    assert eight.review_order() is ReviewOrder.IMPORT
    assert _ids(eight.queue()) == list(range(1, 9))
    assert eight.next_to_review(None) == 1 and eight.next_to_review(3) == 4


def test_least_sure_first_walks_scored_articles_by_certainty_then_the_rest_in_import_order(eight):
    store = eight
    store.set_review_order(ReviewOrder.LEAST_SURE)
    order = [7, 3, 2, 5, 1, 4, 6, 8]
    assert _ids(store.queue()) == order
    assert store.next_to_review(None) == 7 and store.next_to_review(5) == 1 and store.next_to_review(8) == 7  # wraps round
    assert store.neighbour(2, forward=False) == 3 and store.neighbour(5) == 1
    assert store.position(2) == (3, 8) and store.position(8) == (8, 8)
    assert _ids(store.queue(from_id=5, limit=3)) == [5, 1, 4] and _ids(store.queue(after_id=5, limit=2)) == [1, 4]
    assert _ids(store.queue_before(before_id=5)) == [7, 3, 2]
    assert store.count_between(3, 5) == 2
    assert store.order_key(7) < store.order_key(3) < store.order_key(1) < store.order_key(4)
    assert (store.certainty(7), store.certainty(1)) == (pytest.approx(0.1), None)

    store.accept(3)
    assert _ids(store.queue(Status.PENDING)) == [7, 2, 5, 1, 4, 6, 8]
    assert store.next_to_review(7) == 2 and store.position(2, Status.PENDING) == (2, 7)
    assert _ids(store.queue(Status.ACCEPTED)) == [3]

    new, _ = store.add_articles([{"text": "Imported later."}])
    assert _ids(store.queue())[-1] == new[0]  # no score yet: last
    store.set_review_order(ReviewOrder.IMPORT)
    assert _ids(store.queue()) == list(range(1, 10))


def test_a_score_arrives_only_with_the_suggestions_the_article_takes(eight):
    """An article decided meanwhile keeps its place: no suggestions, no certainty."""
    store = eight
    store.accept(4)
    _scored(store, {4: 0.05, 6: 0.3})
    assert store.certainty(4) is None and store.certainty(6) == pytest.approx(0.3)


def test_a_migrated_release_project_has_every_article_in_the_order_unscored(tmp_path):
    path = tmp_path / "news.db"
    shutil.copyfile(V1_PROJECT, path)
    store = AnnotationStore.open(path)
    try:
        in_import_order = _ids(store.queue())
        store.set_review_order(ReviewOrder.LEAST_SURE)
        assert _ids(store.queue()) == in_import_order and store.count_scored() == 0
        assert store.next_to_review(None) == store.neighbour(None, Status.PENDING)
    finally:
        store.close()


@pytest.fixture(scope="module")
def model():
    return load_pipeline(None)


@pytest.mark.model
def test_a_model_run_scores_every_suggestion_and_article_and_suggests_what_spacy_does(store, model):
    store.add_labels(make_labels(model.labels))
    ids, _ = store.add_articles([{"text": t} for t in NEWS])
    assert suggest_project(store, model, batch_size=2) == len(NEWS)
    plain = {doc.text: [(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in model.nlp.pipe(NEWS)}
    certainties = {}
    for article_id, text in zip(ids, NEWS):
        entities = store.entities(article_id)
        assert [(e.start, e.end, e.label) for e in entities] == plain[text]
        assert all(0.0 <= e.score <= 1.0 for e in entities)
        certainties[article_id] = store.certainty(article_id)
        assert 0.0 <= certainties[article_id] <= 1.0
        # the article is as sure as its least sure decision: never surer than any suggestion in it
        assert all(certainties[article_id] <= e.score for e in entities)
    assert plain[NEWS[0]] and len(set(certainties.values())) > 1
    store.set_review_order(ReviewOrder.LEAST_SURE)
    assert _ids(store.queue()) == sorted(ids, key=lambda i: (certainties[i], i))


@pytest.mark.model
def test_scores_are_the_same_however_the_texts_are_batched(model):
    items = list(enumerate(NEWS))
    one = list(suggest_texts(model, items, set(model.labels), {}, batch_size=1, scored=True))
    all_at_once = list(suggest_texts(model, items, set(model.labels), {}, batch_size=8, scored=True))
    assert [r[3] for r in one] == pytest.approx([r[3] for r in all_at_once], abs=1e-5)
    assert [[s[:3] for s in r[1]] for r in one] == [[s[:3] for s in r[1]] for r in all_at_once]
