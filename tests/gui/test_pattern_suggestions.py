"""The window's look-ahead and Review → Add model suggestions use the project's patterns: their
matches come first, each shown with "pattern" as its source, and the model fills the rest."""

from functools import partial

import pytest
import spacy

from annotator.labels import make_labels
from annotator.model import Pattern
from annotator.store import AnnotationStore
from annotator.suggest import Pipeline
from annotator_ui.entity_list import LABEL, SOURCE, TEXT
from annotator_ui.lookahead import SuggestionWorker

pytestmark = pytest.mark.gui

TEXTS = ["Putin met the Pacific Fleet near the Kremlin.", "The Pacific Fleet left the Kremlin to Putin."]


def ruler_pipeline():
    """A model stand-in that needs no download: blank English and an entity_ruler."""
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "PERSON", "pattern": "Putin"}, {"label": "GPE", "pattern": "Pacific"}])
    return Pipeline.from_nlp(nlp, name="ruler", version="1")


@pytest.fixture
def unsuggested(tmp_path):
    path = tmp_path / "news.db"
    store = AnnotationStore.open(path, create=True)
    try:
        store.add_labels(make_labels(["PERSON", "ORG", "GPE"]))
        store.add_articles([{"text": text} for text in TEXTS])
        store.add_patterns([Pattern("ORG", "Pacific Fleet")])
    finally:
        store.close()
    return path


def rows(w):
    model = w.entity_list.entity_model
    return [tuple(model.index(r, c).data() for c in (TEXT, LABEL, SOURCE)) for r in range(model.rowCount())]


def test_the_lookahead_matches_the_projects_patterns_before_the_model(make_main_window, unsuggested, qtbot, settle):
    pipeline = ruler_pipeline()
    w = make_main_window(unsuggested, worker_factory=partial(SuggestionWorker, load=lambda name: pipeline))
    w.resize(1400, 900)
    # the model's "Pacific" (GPE) overlaps the pattern's "Pacific Fleet": only the match is shown
    qtbot.waitUntil(lambda: rows(w) == [("Putin", "PERSON", "ruler 1"), ("Pacific Fleet", "ORG", "pattern")], timeout=10000)
    version = next(e.source for e in w.store.entities(1) if e.label == "ORG").removeprefix("pattern (set ").rstrip(")")
    assert [e.source for e in w.store.entities(1)] == [f"suggested by ruler 1+patterns:{version}", f"pattern (set {version})"]


def test_adding_suggestions_to_a_suggested_article_uses_patterns_added_since(make_main_window, unsuggested, qtbot, settle):
    pipeline = ruler_pipeline()
    w = make_main_window(unsuggested, worker_factory=partial(SuggestionWorker, load=lambda name: pipeline))
    w.resize(1400, 900)
    qtbot.waitUntil(lambda: len(rows(w)) == 2, timeout=10000)
    settle(w)
    w.runner.submit(lambda store: store.add_patterns([Pattern("ORG", [{"lower": "kremlin"}])])).result()
    w.add_model_suggestions()  # a new pattern set: a new run, which may add to what the article shows
    qtbot.waitUntil(lambda: len(rows(w)) == 3, timeout=10000)
    assert rows(w) == [("Putin", "PERSON", "ruler 1"), ("Pacific Fleet", "ORG", "pattern"), ("Kremlin", "ORG", "pattern")]


def test_with_no_model_the_lookahead_suggests_the_patterns_alone(make_main_window, unsuggested, qtbot):
    from annotator.suggest import load_pipeline

    w = make_main_window(unsuggested, worker_factory=partial(SuggestionWorker, load=lambda name: load_pipeline("none")))
    w.resize(1400, 900)
    qtbot.waitUntil(lambda: rows(w) == [("Pacific Fleet", "ORG", "pattern")], timeout=10000)


def test_with_no_model_and_no_patterns_the_lookahead_is_unavailable_saying_why(make_main_window, unsuggested, qtbot, stored):
    from annotator.suggest import load_pipeline

    store = AnnotationStore.open(unsuggested)
    try:
        store.remove_patterns(everything=True)
    finally:
        store.close()
    w = make_main_window(unsuggested, worker_factory=partial(SuggestionWorker, load=lambda name: load_pipeline("none")))
    qtbot.waitUntil(lambda: w.status.model.text() == "model: unavailable (details)", timeout=10000)
    assert w.status.currentMessage().startswith("suggestions are off: with no model (--model none) the project's patterns are all")
    assert stored(unsuggested, 1)[1] == []  # nothing claimed with empty suggestions
