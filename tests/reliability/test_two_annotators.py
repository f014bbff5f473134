"""Two people (two windows, two processes) on one project: undo must not lose the other's decisions.

Each annotator has their own undo history. Undoing or redoing one's own step
must never delete, overwrite or collide with what someone else decided since:
either it applies cleanly, or it is refused with a clear EditError.
"""

from __future__ import annotations

import pytest

from annotator.errors import EditError
from annotator.labels import make_labels
from annotator.offsets import first_overlap
from annotator.store import AnnotationStore

from ._support import integrity

TEXT = "Ada Lovelace met Charles Babbage in London."


@pytest.fixture
def pair(tmp_path):
    path = tmp_path / "shared.db"
    ada = AnnotationStore.open(path, create=True, annotator="ada")
    try:
        ada.add_labels(make_labels(["PERSON", "ORG", "GPE"]))
        (article_id,), _ = ada.add_articles([{"text": TEXT}])
        bob = AnnotationStore.open(path, annotator="bob")
        try:
            yield ada, bob, article_id
        finally:
            bob.close()
    finally:
        ada.close()
    assert integrity(path) == "ok"


def _spans(store, article_id):
    return [(e.start, e.end, e.label, e.annotator) for e in store.entities(article_id)]


def _try(fn):
    try:
        fn()
    except EditError as e:
        assert str(e)  # refused with a message: acceptable


def test_undo_never_deletes_an_entity_someone_else_drew(pair):
    """ada draws E; bob removes it and draws F (SQLite reuses E's row id for F); ada undoes.

    Found: ada's undo of "add entity" deletes by row id, so it deletes bob's F.
    """
    ada, bob, a = pair
    e, _ = ada.add_entity(a, 0, 12, "PERSON")
    bob.remove_entity(e.id)
    bob.add_entity(a, 17, 32, "PERSON")
    _try(ada.undo)
    assert (17, 32, "PERSON", "bob") in _spans(ada, a), "bob's entity was deleted by ada's undo"


def test_redo_never_makes_confirmed_entities_overlap(pair):
    ada, bob, a = pair
    e, _ = ada.add_entity(a, 0, 12, "PERSON")
    ada.undo()
    bob.add_entity(a, 0, 3, "ORG")  # the place is free again: bob takes it
    _try(ada.redo)
    spans = [(s, e) for s, e, _, _ in _spans(ada, a)]
    assert first_overlap(spans) is None, f"overlapping confirmed entities after redo: {_spans(ada, a)}"
    assert (0, 3, "ORG", "bob") in _spans(ada, a)


def test_undo_does_not_silently_overwrite_a_later_decision(pair):
    """ada relabels to ORG, bob then relabels to GPE; ada's undo must not quietly erase bob's GPE."""
    ada, bob, a = pair
    e, _ = ada.add_entity(a, 17, 32, "PERSON")
    ada.relabel_entity(e.id, "ORG")
    bob.relabel_entity(e.id, "GPE")
    _try(ada.undo)
    assert _spans(ada, a) == [(17, 32, "GPE", "bob")]


def test_separate_histories_on_separate_articles(tmp_path):
    """The common case works: each undoes only their own steps, nothing else moves."""
    path = tmp_path / "shared.db"
    ada = AnnotationStore.open(path, create=True, annotator="ada")
    try:
        ada.add_labels(make_labels(["PERSON", "ORG"]))
        (one, two), _ = ada.add_articles([{"text": TEXT}, {"text": TEXT + " Again."}])
        bob = AnnotationStore.open(path, annotator="bob")
        try:
            ada.add_entity(one, 0, 12, "PERSON")
            bob.add_entity(two, 17, 32, "PERSON")
            ada.accept(one)
            bob.reject(two)
            assert ada.undo_status().undo == f"accept article (article {one})"
            assert bob.undo_status().undo == f"reject article (article {two})"
            ada.undo()
            ada.undo()
            assert ada.entities(one) == [] and ada.article(one).status.value == "pending"
            assert _spans(bob, two) == [(17, 32, "PERSON", "bob")] and bob.article(two).status.value == "rejected"
            ada.redo()
            ada.redo()
            assert ada.article(one).status.value == "accepted" and len(ada.entities(one)) == 1
        finally:
            bob.close()
    finally:
        ada.close()
