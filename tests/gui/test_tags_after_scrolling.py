"""Label tags stay painted over every visible entity whatever scrolled the text (issue 10, defect 3).

Scrolling blits the viewport and repaints only the strip it uncovers, so a tag
missed by one paint travels up the screen. What is on screen (the window's
backing store, which keeps the blitted pixels) is compared, tag by tag, with a
full repaint of the viewport; the tag's place comes from the document's own
``cursorRect``, not from the overlay.
"""

import pytest
from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QImage, QTextCursor, QWheelEvent
from PySide6.QtWidgets import QAbstractSlider, QApplication

from seed_article import SPACY_LABELS, names, seed_article

pytestmark = pytest.mark.gui

TAG_WIDTH = 10  # px of the tag looked at: every tag is at least one letter and its padding wide


@pytest.fixture
def window(make_main_window, make_project, tmp_path):
    title, text, spans = seed_article("The seed article")
    # a second article for the search jump: the same text read from its middle
    middle = text.index("Japan")
    turned = text[middle:] + "\n\n" + text[:middle]
    other = ("Japan and Korea", turned, names(turned))
    path = make_project(tmp_path / "seed.db", [(title, text, spans), other], SPACY_LABELS)
    w = make_main_window(path)
    w.resize(1200, 780)
    return w


def _on_screen(w) -> QImage:
    """The viewport's pixels as the window's backing store holds them (blits included)."""
    viewport = w.view.text_view.viewport()
    image = QApplication.primaryScreen().grabWindow(w.winId()).toImage()
    return image.copy(QRect(viewport.mapTo(w, QPoint(0, 0)), viewport.size())).convertToFormat(QImage.Format.Format_RGB32)


def _tag_places(w) -> list[tuple[str, QRect]]:
    """(entity text, the tag's place above it) for every entity whose tag is in the viewport."""
    text = w.view.text_view
    article = w.controller.article
    bounds, places = text.viewport().rect(), []
    tag_height = int(text._tag_height)
    for entity in w.view.entities():
        cursor = QTextCursor(text.document())
        cursor.setPosition(text.highlighter.map.to_qt(entity.start))
        line = text.cursorRect(cursor)  # the entity's first line, in viewport coordinates
        place = QRect(line.left() + 1, line.top() - tag_height, TAG_WIDTH, tag_height - 2) & bounds
        if not place.isEmpty():
            places.append((article.text[entity.start:entity.end], place))
    return places


def _unpainted_tags(w) -> list[str]:
    """Entities whose tag is on screen differently from a full repaint, or not at all."""
    shown = _on_screen(w)
    full = w.view.text_view.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    return [name for name, place in _tag_places(w) if shown.copy(place) != full.copy(place)]


def _check_tags(w, qtbot, how: str) -> None:
    places = _tag_places(w)
    assert places, f"after {how}: no entity in view"
    full = w.view.text_view.viewport().grab().toImage()
    paper = full.pixelColor(2, 2)
    for name, place in places:  # the full repaint itself has a tag at each place
        assert any(full.pixelColor(x, y) != paper for x in range(place.left(), place.right() + 1)
                   for y in range(place.top(), place.bottom() + 1)), f"no tag over {name!r}"
    try:
        qtbot.waitUntil(lambda: not _unpainted_tags(w), timeout=2000)
    except AssertionError:
        pass
    assert _unpainted_tags(w) == [], f"after {how}, tags missing or cut over these entities"


def _wheel(viewport, notches: int) -> None:
    point = QPointF(200, 200)
    event = QWheelEvent(point, viewport.mapToGlobal(point), QPoint(0, 0), QPoint(0, -120 * notches),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(viewport, event)


def _scrolled(w, qtbot, before: int) -> None:
    qtbot.waitUntil(lambda: w.view.text_view.verticalScrollBar().value() != before)


def test_tags_are_painted_after_each_wheel_step(window, qtbot):
    text = window.view.text_view
    bar = text.verticalScrollBar()
    assert bar.maximum() > 1000  # the seed article is several screens long
    while bar.value() < bar.maximum():
        before = bar.value()
        _wheel(text.viewport(), 1)
        _scrolled(window, qtbot, before)
        _check_tags(window, qtbot, f"the wheel to {bar.value()}")
    while bar.value() > 0:  # and back up
        before = bar.value()
        _wheel(text.viewport(), -1)
        _scrolled(window, qtbot, before)
        _check_tags(window, qtbot, f"the wheel up to {bar.value()}")


def test_tags_are_painted_after_scroll_bar_steps(window, qtbot):
    bar = window.view.text_view.verticalScrollBar()
    for action in [QAbstractSlider.SliderAction.SliderSingleStepAdd] * 25 + [QAbstractSlider.SliderAction.SliderPageStepAdd] * 3:
        before = bar.value()
        if before == bar.maximum():
            break
        bar.triggerAction(action)
        _scrolled(window, qtbot, before)
        _check_tags(window, qtbot, f"the scroll bar to {bar.value()}")


def test_tags_are_painted_after_arrow_keys(window, qtbot):
    text = window.view.text_view
    bar = text.verticalScrollBar()
    text.setFocus()
    for _ in range(25):
        before = bar.value()
        qtbot.keyClick(text, Qt.Key.Key_Down)
        _scrolled(window, qtbot, before)
        _check_tags(window, qtbot, f"the Down key to {bar.value()}")


def test_tags_are_painted_after_jumps_to_entities_and_articles(window, qtbot):
    bar = window.view.text_view.verticalScrollBar()
    for _ in range(60):  # Tab scrolls each focused entity into view
        qtbot.keyClick(window, Qt.Key.Key_Tab)
        _check_tags(window, qtbot, f"Tab to {window.view.focused_entity().id}")
    assert bar.value() > 0
    other = window.controller.article.id + 1
    window.controller.go_to(other)  # what choosing a search hit does
    qtbot.waitUntil(lambda: window.controller.article.id == other)
    qtbot.keyClick(window, Qt.Key.Key_Tab)
    _wheel(window.view.text_view.viewport(), 2)
    _check_tags(window, qtbot, "the search jump")
