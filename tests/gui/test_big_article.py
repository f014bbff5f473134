"""A huge article (within the import's limit): shown at once, highlighted a step at a time, keys work meanwhile."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from annotator.model import Article, Entity, EntityState, Label, Status
from annotator_ui.highlight import ENTITY_ID, FORMAT_STEP
from annotator_ui.review_view import ReviewView

PARAGRAPH = "Putin met Kim Jong Un in Beijing on Monday 🙂, officials said.\r\nThe talks lasted “several hours”.\n\n"
COUNT = 3 * FORMAT_STEP + 500  # paragraphs, one entity each: more than three formatting steps
TEXT = PARAGRAPH * COUNT
LABELS = [Label("PERSON", "#f4a3a8", "1", 0), Label("GPE", "#a3c9f4", "2", 1)]


def _entities(article_id: int = 1) -> list[Entity]:
    return [Entity(i + 1, article_id, i * len(PARAGRAPH), i * len(PARAGRAPH) + 5, "PERSON", EntityState.SUGGESTED)
            for i in range(COUNT)]


def _entity_at(view: ReviewView, index: int) -> int | None:
    """The entity id formatted on the character at code point ``index`` (read from the document)."""
    position = view.text_view.highlighter.map.to_qt(index)
    doc = view.text_view.document()
    it = doc.findBlock(position).begin()
    while not it.atEnd():
        fragment = it.fragment()
        if fragment.position() <= position < fragment.position() + fragment.length():
            return fragment.charFormat().property(ENTITY_ID)
        it += 1
    return None


@pytest.fixture
def view(shown_view):
    return shown_view(LABELS)


def test_a_huge_article_shows_whole_at_once_and_gets_its_highlights_a_step_at_a_time(view, qtbot):
    entities = _entities()
    view.show_article(Article(1, TEXT, "Huge", {}, Status.PENDING), entities)
    highlighter = view.text_view.highlighter
    # Before the event loop runs again: all the text, the first entities highlighted, every entity placed.
    assert view.text_view.document().characterCount() - 1 == highlighter.map.qt_length > len(TEXT) - 2 * COUNT
    assert _entity_at(view, entities[0].start) == entities[0].id
    assert _entity_at(view, entities[FORMAT_STEP - 1].start) == entities[FORMAT_STEP - 1].id
    assert _entity_at(view, entities[-1].start) is None  # still to come
    assert highlighter.formatting and len(highlighter.index) == COUNT
    view.focus_previous()  # Tab order already reaches the last entity
    assert view.focused_entity() == entities[-1]
    qtbot.waitUntil(lambda: not highlighter.formatting)
    assert [_entity_at(view, e.start) for e in entities[::250]] == [e.id for e in entities[::250]]
    assert _entity_at(view, entities[-1].start) == entities[-1].id


def test_a_change_while_highlights_are_still_coming_applies_them_all_first(view, qtbot):
    entities = _entities()
    view.show_article(Article(1, TEXT, "Huge", {}, Status.PENDING), entities)
    assert view.text_view.highlighter.formatting
    relabelled = Entity(entities[-1].id, 1, entities[-1].start, entities[-1].end, "GPE", EntityState.CONFIRMED)
    view.update_entities(entities[1:-1] + [relabelled])  # the first removed, the last relabelled
    assert not view.text_view.highlighter.formatting
    assert _entity_at(view, entities[0].start) is None
    assert _entity_at(view, entities[-2].start) == entities[-2].id
    assert _entity_at(view, relabelled.start) == relabelled.id
    last = view.text_view.document().findBlock(view.text_view.highlighter.map.to_qt(relabelled.start))
    assert any(f.charFormat().background().color().name() == "#a3c9f4" for f in _fragments(last))


def _fragments(block):
    it = block.begin()
    while not it.atEnd():
        yield it.fragment()
        it += 1


def test_the_window_shows_a_huge_article_and_its_keys_work(make_project, make_main_window, tmp_path, qtbot, settle, stored):
    spans = [(e.start, e.end, e.label) for e in _entities()]
    path = make_project(tmp_path / "huge.db", [("Huge", TEXT, spans), ("Small", "Ada Lovelace met Babbage.", [])])
    window = make_main_window(path)
    assert window.controller.article.title == "Huge"
    assert window.view.text_view.document().characterCount() - 1 == window.view.text_view.highlighter.map.qt_length
    qtbot.keyClick(window, Qt.Key.Key_A)
    settle(window)
    status, entities = stored(path, 1)
    assert status == Status.ACCEPTED and len(entities) == COUNT and {state for _, _, state in entities} == {EntityState.CONFIRMED}
    assert window.controller.article.title == "Small"
