"""GUI test fixtures: small projects made through the store, and a window factory.

No test loads spaCy's model: windows run without the look-ahead worker unless
a test passes a fake one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from annotator.labels import make_labels  # noqa: E402
from annotator.offsets import flatten  # noqa: E402
from annotator.store import AnnotationStore  # noqa: E402
from annotator.tokens import tokenize  # noqa: E402

LABELS = ["PERSON", "ORG", "GPE", "DATE"]

# (title, text, suggestions as (start, end, label)); offsets found by text so they stay right.
def _span(text: str, word: str, label: str, nth: int = 0) -> tuple[int, int, str]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    return start, start + len(word), label


_T1 = "Kim Jong Un met Vladimir Putin in Vladivostok on Wednesday."
_T2 = "The Kremlin said Dmitry Peskov spoke to reporters in Moscow."
_T3 = "Reuters reported that Pyongyang seeks help from Russia."
_T4 = "Nothing to see here, just a quiet afternoon by the sea."
ARTICLES = [
    ("Summit in the east", _T1, [_span(_T1, "Kim Jong Un", "PERSON"), _span(_T1, "Vladimir Putin", "PERSON"),
                                 _span(_T1, "Vladivostok", "ORG"), _span(_T1, "Wednesday", "DATE")]),
    ("Kremlin denies", _T2, [_span(_T2, "Kremlin", "ORG"), _span(_T2, "Dmitry Peskov", "PERSON"), _span(_T2, "Moscow", "GPE")]),
    ("Arms talks", _T3, [_span(_T3, "Reuters", "ORG"), _span(_T3, "Pyongyang", "GPE")]),
    ("Quiet day", _T4, []),
]


def _make_project(path: Path, articles=ARTICLES, labels=LABELS) -> Path:
    store = AnnotationStore.open(path, create=True, annotator="setup")
    try:
        store.add_labels(make_labels(labels))
        ids, _ = store.add_articles([{"text": text, "title": title, "meta": {"source": "test"}} for title, text, _ in articles])
        source = store.source_id("model", "fake", "1")
        store.save_suggestions(
            source,
            [(i, [(s, e, label, 0.9) for s, e, label in spans], flatten(tokenize(text)))
             for i, (_, text, spans) in zip(ids, articles)],
        )
    finally:
        store.close()
    return path


@pytest.fixture
def make_project():
    """make_project(path, articles=[(title, text, [(start, end, label)])], labels=[...]) -> path."""
    return _make_project


@pytest.fixture
def project(tmp_path) -> Path:
    return _make_project(tmp_path / "news.db")


@pytest.fixture
def make_main_window(show_window, tmp_path):
    """Factory: a shown, active MainWindow on a project (the standard test project by default)."""
    from annotator_ui.main_window import MainWindow
    from annotator_ui.settings import Settings

    windows = []

    def factory(path: Path | None = None, *, annotator: str = "tester", worker_factory=None, **kwargs):
        path = path or _make_project(tmp_path / f"news{len(windows) or ''}.db")
        store = AnnotationStore.open(path, annotator=annotator)
        kwargs.setdefault("show_summary", False)  # a modal box at closing would wait for a key
        window = MainWindow(store, settings=Settings(), worker_factory=worker_factory, **kwargs)
        windows.append(window)
        return show_window(window)

    yield factory
    for window in windows:
        window.close()  # ends the session and joins the writer before tmp_path goes away


@pytest.fixture
def settle(qtbot):
    """settle(window): wait until every queued write has landed, the reviewer is out of transition,
    the queue and status bar have caught up (they follow the article's paint), and the keys just
    released are past their quiet interval (annotator_ui.one_press: a quicker press of the same key is a repeat)."""

    def wait(window) -> None:
        qtbot.waitUntil(
            lambda: not window.runner.in_flight
            and window.controller.state != "transition"
            and not window.chrome_pending
            and window.one_press.ready(),
            timeout=5000,
        )

    return wait


@pytest.fixture
def press(qtbot, settle):
    """press(window, key, modifiers): a real key press on the window, then wait for its write."""

    def key(window, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
        qtbot.keyClick(window, key, modifier)
        settle(window)

    return key


@pytest.fixture
def stored():
    """stored(path, article_id) -> (status, [(text, label, state)]), read through a separate connection."""

    def read(path: Path, article_id: int):
        store = AnnotationStore.open(path, annotator="tester")
        try:
            article = store.article(article_id)
            return article.status, [(article.text[e.start:e.end], e.label, e.state) for e in store.entities(article_id)]
        finally:
            store.close()

    return read


@pytest.fixture
def accept_import(qtbot):
    """accept_import(window): once File → Import…'s preview is read, click its Import button."""

    def accept(window) -> None:
        qtbot.waitUntil(lambda: getattr(window, "import_dialog", None) is not None and window.import_dialog.preview is not None,
                        timeout=5000)
        window.import_dialog.import_button.click()

    return accept


@pytest.fixture
def shown_view(qtbot):
    """shown_view(labels): a ReviewView alone, 900x600, with these labels, shown and exposed."""
    from annotator_ui.review_view import ReviewView

    def make(labels):
        view = ReviewView()
        qtbot.addWidget(view)
        view.resize(900, 600)
        view.set_labels(labels)
        view.show()
        qtbot.waitExposed(view)
        return view

    return make
