"""Every tooltip shows its text literally: a project whose model name, label names, titles and
metadata are HTML never gets a heading or an image in a tooltip.

The window is walked whole: every widget, every action, every row an item view
shows, and the tooltip the article text gives over an entity.
"""

from functools import partial

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QAction, QHelpEvent, QTextCursor
from PySide6.QtWidgets import QAbstractItemView, QToolTip, QWidget

from annotator.errors import ModelError
from annotator.labels import make_labels
from annotator.store import AnnotationStore
from formatted import shown_tooltip
from annotator_ui.lookahead import SuggestionWorker

pytestmark = pytest.mark.gui

MARKUP = "<h1>big</h1><img src=x>"
SECOND_LINE = "plain first line\n" + MARKUP  # markup Qt's first-line guess does not see


class NamedPipeline:
    """Stands in for a model whose name (as a pipeline reports it) is HTML."""

    version = "1"

    def __init__(self, name):
        self.name = name

    def source_id(self, store):
        return store.source_id("model", self.name, self.version)


def no_suggestions(pipeline, items, labels, label_map):
    for article_id, _ in items:
        yield article_id, [], None


def missing(name):
    raise ModelError(f"model {name!r} is not installed; install it with pip or pass --model PATH")


@pytest.fixture
def markup_project(tmp_path):
    path = tmp_path / "markup.db"
    store = AnnotationStore.open(path, create=True, annotator=MARKUP)
    try:
        store.add_labels(make_labels([MARKUP, "ORG"]))
        ids, _ = store.add_articles(
            [{"text": f"Ada Lovelace met Charles Babbage ({n}).", "title": title, "meta": {MARKUP: MARKUP}}
             for n, title in enumerate((MARKUP, SECOND_LINE, "plain"))]
        )
        source = store.source_id("model", MARKUP, NamedPipeline.version)  # the look-ahead finds them done
        store.save_suggestions(source, [(i, [(0, 12, MARKUP, 0.5)], None) for i in ids])
        store.set_setting("model", MARKUP)
    finally:
        store.close()
    return path


def every_tooltip(window) -> list[tuple[str, str]]:
    """(where, tooltip) for every non-empty tooltip the window can show."""
    widgets = [window, *window.findChildren(QWidget)]
    tips = [(f"widget {w.objectName() or type(w).__name__} #{i}", w.toolTip()) for i, w in enumerate(widgets)]
    tips += [(f"action {a.text()!r}", a.toolTip()) for a in window.findChildren(QAction)]
    for view in window.findChildren(QAbstractItemView):
        model = view.model()
        for row in range(model.rowCount() if model is not None else 0):
            tips.append((f"row {row} of {type(view).__name__}", model.data(model.index(row, 0), Qt.ItemDataRole.ToolTipRole) or ""))
    tips.append(("entity in the text", entity_tooltip(window)))
    return [(where, tip) for where, tip in tips if tip]


def entity_tooltip(window) -> str:
    """The tooltip the article text shows over its first entity, asked for as Qt asks (a help event)."""
    text_view = window.view.text_view
    entity = window.view.entities()[0]
    cursor = QTextCursor(text_view.document())
    cursor.setPosition(text_view.highlighter.map.to_qt(entity.start) + 1)
    point = text_view.cursorRect(cursor).center() + QPoint(2, 0)
    QToolTip.hideText()
    text_view.viewportEvent(QHelpEvent(QEvent.Type.ToolTip, point, text_view.viewport().mapToGlobal(point)))
    return QToolTip.text()


@pytest.mark.parametrize("load", [NamedPipeline, missing], ids=["model ready", "model missing"])
def test_every_tooltip_shows_html_from_the_project_as_text(make_main_window, markup_project, qtbot, load):
    window = make_main_window(markup_project, worker_factory=partial(SuggestionWorker, load=load, suggest=no_suggestions))
    qtbot.waitUntil(lambda: window.status.model.text() in ("model: ready", "model: unavailable (details)"), timeout=5000)
    shown = []
    for where, tip in every_tooltip(window):
        text, html = shown_tooltip(tip)
        assert "<h1" not in html and "<img" not in html, f"{where}: {tip!r} renders markup"
        assert "&lt;" not in text and "&gt;" not in text, f"{where}: {tip!r} shows escapes"
        shown.append((where.split(" #")[0], text))
    with_markup = [where for where, text in shown if MARKUP in text]
    assert with_markup.count("widget model") == 1  # the status bar's model field names the model
    assert with_markup.count("widget LabelChip") == 1  # the chip of the HTML label
    assert "entity in the text" in with_markup
    assert [where for where, _ in shown].count("row 0 of _QueueList") == 1  # the queue's rows were walked


@pytest.mark.parametrize("text", [MARKUP, SECOND_LINE, "a & b <b>", "  spaced\n\tand tabbed  ", "&lt;"])
def test_plain_tooltip_shows_any_text_exactly(text):
    from annotator_ui.plain import plain_tooltip

    assert shown_tooltip(plain_tooltip(text))[0] == text
    assert plain_tooltip("") == ""  # no tooltip stays no tooltip
