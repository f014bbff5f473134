"""Review → Least sure first: the window and its queue follow the project's review order."""

import pytest
from PySide6.QtCore import Qt

from annotator.model import ReviewOrder
from annotator.store import AnnotationStore

pytestmark = pytest.mark.gui

# the standard test project's articles 1-4, by how sure the model was: 3 least, then 1; 2 and 4 unscored
CERTAINTIES = {3: 0.2, 1: 0.6}


def _score(path, order=None):
    store = AnnotationStore.open(path)
    try:
        source = store.source_id("model", "scorer", "1")
        store.save_suggestions(source, [(i, [], None, sure) for i, sure in CERTAINTIES.items()], add=True)
        if order is not None:
            store.set_review_order(order)
    finally:
        store.close()
    return path


def _rows(window):
    model = window.queue.model
    return [model.index(row).data(Qt.ItemDataRole.UserRole) for row in range(model.rowCount())]


def test_with_least_sure_first_the_window_opens_on_the_least_sure_article(make_main_window, project, settle, press):
    w = make_main_window(_score(project, ReviewOrder.LEAST_SURE))
    settle(w)
    assert w.controller.article.id == 3
    assert _rows(w) == [3, 1, 2, 4]
    assert w.queue.position.text() == "Article 1 of 4 · pending"
    assert w.least_sure_first.isChecked()
    press(w, Qt.Key.Key_A)  # accept: the next least sure one
    assert w.controller.article.id == 1 and _rows(w) == [1, 2, 4]
    assert w.queue.position.text() == "Article 2 of 4 · pending"
    press(w, Qt.Key.Key_J)  # next without a decision: the unscored ones follow in import order
    assert w.controller.article.id == 2 and w.queue.position.text() == "Article 3 of 4 · pending"


def test_choosing_least_sure_first_reorders_the_queue_and_goes_to_the_least_sure_article(make_main_window, project, settle, qtbot):
    w = make_main_window(_score(project))
    settle(w)
    assert w.controller.article.id == 1 and _rows(w) == [1, 2, 3, 4]
    w.least_sure_first.trigger()
    qtbot.waitUntil(lambda: w.controller.article is not None and w.controller.article.id == 3)
    settle(w)
    assert _rows(w) == [3, 1, 2, 4] and w.store.review_order() is ReviewOrder.LEAST_SURE
    assert w.queue.position.text() == "Article 1 of 4 · pending"
    w.least_sure_first.trigger()
    qtbot.waitUntil(lambda: _rows(w) == [1, 2, 3, 4])
    assert w.store.review_order() is ReviewOrder.IMPORT
