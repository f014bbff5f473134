"""P applies the focused entity to the same text elsewhere in the article; Review → Apply to pending
articles… suggests it across the pending ones; Ctrl+Z takes either back in one step."""

import pytest
from PySide6.QtCore import Qt

from annotator.model import Status
from formatted import entity_ranges
from annotator_ui import propagation
from annotator_ui.actions import ACTIONS, resolve_keys

pytestmark = pytest.mark.gui

CTRL = Qt.KeyboardModifier.ControlModifier
T1 = "The EU met. Later the EU said no, in EUR. The EU left."
T2 = "EU ministers and the EU summit."
T3 = "The EU again."
ARTICLES = [
    ("One", T1, [(T1.index("EU"), T1.index("EU") + 2, "ORG")]),
    ("Two", T2, []),
    ("Three", T3, []),
]


@pytest.fixture
def window(make_main_window, make_project, tmp_path):
    return make_main_window(make_project(tmp_path / "eu.db", ARTICLES))


def highlighted_spans(w):
    """Where the document paints entities (ASCII text: Qt positions are code points)."""
    return sorted(entity_ranges(w.view.text_view.document()).values())


def shown(w):
    text = w.controller.article.text
    return [(e.start, text[e.start:e.end], e.label, e.state.value) for e in w.view.entities()]


def test_p_is_bound_to_propagate_and_shares_its_key_with_nothing():
    keys, problems = resolve_keys({})
    assert problems == [] and keys["propagate"] == ("P",) and ACTIONS["propagate"].context == "review"
    assert [a for a, ks in keys.items() if "P" in ks] == ["propagate"]


def test_p_highlights_the_other_places_and_ctrl_z_removes_them_all(window, press):
    w = window
    press(w, Qt.Key.Key_Tab)
    press(w, Qt.Key.Key_P)
    eu = [i for i in range(len(T1)) if T1.startswith("EU", i) and not T1.startswith("EUR", i)]
    assert shown(w) == [(i, "EU", "ORG", "confirmed") for i in eu]  # the focused suggestion is confirmed too
    assert highlighted_spans(w) == [(i, i + 2) for i in eu]
    assert w.status.currentMessage() == "Applied ORG to 2 more occurrences"
    assert w.actions_by_id["undo"].text() == f"Undo propagate ORG (article {w.controller.article.id})"
    press(w, Qt.Key.Key_Z, CTRL)
    assert shown(w) == [(eu[0], "EU", "ORG", "suggested")]
    assert highlighted_spans(w) == [(eu[0], eu[0] + 2)]


def test_apply_to_pending_suggests_across_articles_and_one_undo_removes_them(window, press, settle, qtbot,
                                                                              monkeypatch, stored):
    w = window
    first = w.controller.article.id
    monkeypatch.setattr(propagation, "ask", lambda *_: True)
    press(w, Qt.Key.Key_X)  # article One is decided: it keeps what it has
    second = w.controller.article.id
    assert second != first
    press(w, Qt.Key.Key_Tab)  # nothing to focus in Two
    w.controller.go_to(first)
    press(w, Qt.Key.Key_Tab)
    w.apply_to_pending()
    settle(w)
    assert w.status.currentMessage() == "Suggested ORG for “EU” at 3 places in 2 pending articles"
    assert stored(w.path, first)[0] is Status.REJECTED
    assert stored(w.path, first)[1] == [("EU", "ORG", "suggested")]
    assert stored(w.path, second)[1] == [("EU", "ORG", "suggested")] * 2
    press(w, Qt.Key.Key_Z, CTRL)
    assert stored(w.path, second)[1] == [] and stored(w.path, second + 1)[1] == []
    assert w.controller.article.id == first  # the reviewer stays where they were
