"""Suggestions from a file survive the window's look-ahead; adding a model's is an explicit action,
and every suggestion says where it came from."""

import json
from functools import partial

import pytest
from PySide6.QtCore import Qt

from annotator.importing import import_into_project
from annotator.model import EntityState, Status
from annotator.store import AnnotationStore
from formatted import shown_tooltip
from test_tooltips import entity_tooltip
from annotator_ui.lookahead import SuggestionWorker

pytestmark = pytest.mark.gui
IMPORTED = 8


class FakeModel:
    name, version = "fake-ner", "9"

    def source_id(self, store):
        return store.source_id("model", self.name, self.version)


def fake_suggest(pipeline, items, labels, label_map):
    """Every word as an entity: the first a PERSON, the rest ORG (so it overlaps anything a file has)."""
    for article_id, text in items:
        spans, at = [], 0
        for n, word in enumerate(text.split()):
            start = text.index(word, at)
            at = start + len(word)
            spans.append((start, at, "PERSON" if n == 0 else "ORG", None))
        yield article_id, spans, None


def text(i):
    return f"Reporter{i} met Name{i} in Place{i} today."


@pytest.fixture
def imported(tmp_path):
    """Eight articles whose file gives each its entities as suggestions, then one with none."""
    news = tmp_path / "news.jsonl"
    lines = []
    for i in range(IMPORTED):
        t = text(i)
        spans = [{"start": t.index("Name"), "end": t.index(" in"), "label": "PERSON"}]
        lines.append(json.dumps({"text": t, "spans": spans}))
    lines.append(json.dumps({"text": "A plain article with nothing suggested."}))
    news.write_text("\n".join(lines) + "\n", "utf-8")
    project = tmp_path / "news.db"
    import_into_project(project, [news], labels=["PERSON", "ORG"])
    return project


def everything(path):
    store = AnnotationStore.open(path)
    try:
        return {i: [(e.start, e.end, e.label, e.state, e.source) for e in store.entities(i)] for i in range(1, IMPORTED + 2)}
    finally:
        store.close()


def test_the_lookahead_leaves_imported_suggestions_exactly_as_they_were(make_main_window, imported, qtbot, press, stored):
    before = everything(imported)
    assert all([text(i - 1)[s:e] for s, e, *_ in before[i]] == [f"Name{i - 1}"] for i in range(1, IMPORTED + 1))
    factory = partial(SuggestionWorker, load=lambda name: FakeModel(), suggest=fake_suggest, ahead=IMPORTED + 1)
    w = make_main_window(imported, worker_factory=factory)
    reader = AnnotationStore.open(imported)
    try:
        # the look-ahead window holds all nine articles; once the one with nothing suggested has the
        # model's, the worker has been over the others
        qtbot.waitUntil(lambda: reader.article(IMPORTED + 1).suggested_by is not None, timeout=5000)
    finally:
        reader.close()
    after = everything(imported)
    assert {i: after[i] for i in range(1, IMPORTED + 1)} == {i: before[i] for i in range(1, IMPORTED + 1)}
    assert [label for _, _, label, _, _ in after[IMPORTED + 1]] == ["PERSON"] + ["ORG"] * 5
    assert shown_tooltip(entity_tooltip(w))[0] == "PERSON · suggestion\nfrom file news.jsonl"
    press(w, Qt.Key.Key_A)
    assert stored(imported, 1) == (Status.ACCEPTED, [("Name0", "PERSON", EntityState.CONFIRMED)])


def test_adding_the_models_suggestions_is_an_explicit_action_that_keeps_the_files(make_main_window, imported, qtbot):
    factory = partial(SuggestionWorker, load=lambda name: FakeModel(), suggest=fake_suggest)
    w = make_main_window(imported, worker_factory=factory)
    qtbot.waitUntil(lambda: w.status.model.text() == "model: ready", timeout=5000)
    review = next(a for a in w.menuBar().actions() if a.text() == "&Review").menu()
    action = next(a for a in review.actions() if a.text() == "Add model suggestions to this article")
    action.trigger()
    qtbot.waitUntil(lambda: len(w.view.entities()) == 6, timeout=5000)
    model = "suggested by fake-ner 9"
    # the file's Name0 stays; the model's Name0 (ORG) overlaps it and is left out; its other words are added
    assert [(text(0)[s:e], label, source) for s, e, label, _, source in everything(imported)[1]] == [
        ("Reporter0", "PERSON", model), ("met", "ORG", model), ("Name0", "PERSON", "from file news.jsonl"),
        ("in", "ORG", model), ("Place0", "ORG", model), ("today.", "ORG", model),
    ]
    qtbot.waitUntil(lambda: w.status.currentMessage().startswith("suggestions of fake-ner added to article 1"), timeout=5000)
    action.trigger()  # a second time: this model has suggested for it already
    qtbot.waitUntil(lambda: w.status.currentMessage() == "no suggestions added to article 1: fake-ner has suggested for it already", timeout=5000)
    assert len(everything(imported)[1]) == 6
