"""The queue list is a window of the queue around the shown article, never the whole project."""

from PySide6.QtCore import Qt

from annotator.model import Changes, Status


def _ids(model):
    return [model.index(row).data(Qt.ItemDataRole.UserRole) for row in range(model.rowCount())]


def _many(make_project, tmp_path, n=600):
    return make_project(tmp_path / "many.db", [(f"Story {i}", f"Story number {i} is here.", []) for i in range(n)])


def test_an_article_far_down_the_queue_loads_only_the_page_around_it(tmp_path, make_main_window, make_project, monkeypatch, settle):
    import annotator_ui.article_list_model as alm

    monkeypatch.setattr(alm, "PAGE", 20)
    w = make_main_window(_many(make_project, tmp_path))
    reads = []
    queue = w.store.queue
    monkeypatch.setattr(w.store, "queue", lambda *a, **kw: reads.append(kw.get("limit")) or queue(*a, **kw))
    w.controller.go_to(550)
    settle(w)
    model = w.queue.model
    assert w.queue.list.currentIndex().data(Qt.ItemDataRole.UserRole) == 550
    assert model.rowCount() <= 30 and _ids(model) == list(range(540, 540 + model.rowCount()))
    assert sum(reads) <= 40  # one page after it; the page before comes from queue_before
    assert w.queue.position.text() == "Article 550 of 600 · pending"


def test_scrolling_to_the_top_of_the_window_loads_the_page_before(tmp_path, make_main_window, make_project, monkeypatch, settle):
    import annotator_ui.article_list_model as alm

    monkeypatch.setattr(alm, "PAGE", 20)
    w = make_main_window(_many(make_project, tmp_path))
    w.controller.go_to(550)
    settle(w)
    model = w.queue.model
    first = _ids(model)[0]
    assert model.can_fetch_before()
    bar = w.queue.list.verticalScrollBar()
    bar.setValue(bar.minimum() + 1)
    bar.setValue(bar.minimum())
    ids = _ids(model)
    assert ids[0] == first - 20 and ids == sorted(ids) and len(set(ids)) == len(ids)
    while model.can_fetch_before():
        model.fetch_before()
    assert _ids(model)[0] == 1


def test_a_decision_updates_its_row_in_place(make_main_window, press, monkeypatch):
    w = make_main_window()
    model = w.queue.model
    first = w.controller.article.id
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    press(w, Qt.Key.Key_A)
    assert first not in _ids(model) and resets == []  # dropped from Pending without a reset
    w.queue.set_filter(None)
    assert _ids(model)[0] == first and model.index(0).data(Qt.ItemDataRole.UserRole + 1) == Status.ACCEPTED.value
    w.queue.set_filter(Status.PENDING)
    press(w, Qt.Key.Key_Backspace)  # undo: the article is pending again, back in its place
    assert _ids(model)[0] == first and resets == [1, 1]  # the two filter switches only


def test_position_moves_by_counting_between(tmp_path, make_main_window, make_project, monkeypatch, settle):
    w = make_main_window(_many(make_project, tmp_path, 50))
    counted = []
    position = w.store.position
    monkeypatch.setattr(w.store, "position", lambda *a, **kw: counted.append(a) or position(*a, **kw))
    for target in (10, 11, 30, 5):
        w.controller.go_to(target)
        settle(w)
        assert w.queue.position.text() == f"Article {target} of 50 · pending"
    assert counted == []  # each move counted only the articles in between
    w.queue.refresh(Changes(frozenset({5}), statuses=True))
    assert w.queue.position.text() == "Article 5 of 50 · pending"


def test_the_queue_is_read_after_the_first_article_is_painted(project, qtbot, settle, monkeypatch):
    from annotator.store import AnnotationStore
    from annotator_ui.main_window import MainWindow
    from annotator_ui.settings import Settings

    store = AnnotationStore.open(project, annotator="tester")
    pages = []
    queue = store.queue
    monkeypatch.setattr(store, "queue", lambda *a, **kw: pages.append(kw) or queue(*a, **kw))
    window = MainWindow(store, settings=Settings(), worker_factory=None, show_summary=False)
    qtbot.addWidget(window)
    try:
        assert window.controller.article is not None and pages == []  # the article is ready; no page read yet
        window.show()
        qtbot.waitExposed(window)
        settle(window)
        assert pages and window.queue.list.currentIndex().data(Qt.ItemDataRole.UserRole) == window.controller.article.id
    finally:
        window.close()
