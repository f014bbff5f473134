"""Tokens are computed once, in the background: the window stores them for articles that have none
(on opening, after an import), and the view reads stored tokens instead of running the tokenizer."""

from PySide6.QtGui import QTextCursor

from annotator import tokens
from annotator.store import AnnotationStore
from annotator.tokens import tokenize
from annotator_ui.dialogs.import_dialog import ImportChoice
from annotator_ui.status_bar import StatusBar

TEXTS = ["Angela Merkel visited Paris on Monday.", "The United Nations met in Geneva.", "Kim Jong Un spoke."]


def _unsuggested_project(path):
    store = AnnotationStore.open(path, create=True, annotator="setup")
    try:
        ids, _ = store.add_articles([{"text": text} for text in TEXTS])  # never suggested: no tokens stored
        assert [store.tokens(i) for i in ids] == [None] * len(TEXTS)
    finally:
        store.close()
    return path


def _stored_everywhere(window) -> bool:
    count = window.store.article_count()
    return all(window.store.tokens(i) is not None for i in range(1, count + 1)) and not window.status.background.isVisible()


def test_opening_a_project_stores_the_tokens_its_articles_lack(make_main_window, qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(tokens, "STORE_BATCH", 2)
    shown = []
    keep = StatusBar.set_background
    monkeypatch.setattr(StatusBar, "set_background", lambda bar, text: (shown.append(text), keep(bar, text)))
    window = make_main_window(_unsuggested_project(tmp_path / "p.db"))
    # The job thread can store every batch before the GUI thread delivers its queued signals:
    # wait for the last one (the bar hidden again), not only for the tokens in the file.
    qtbot.waitUntil(lambda: _stored_everywhere(window) and shown[-1:] == [""], timeout=20000)
    for article_id, text in zip(range(1, len(TEXTS) + 1), TEXTS):
        assert window.store.tokens(article_id) == tokenize(text)
    assert shown == ["storing tokens: 2 of 3 articles", "storing tokens: 3 of 3 articles", ""]


def test_an_import_in_the_window_stores_the_new_articles_tokens(make_main_window, qtbot, tmp_path):
    window = make_main_window(_unsuggested_project(tmp_path / "p.db"))
    qtbot.waitUntil(lambda: _stored_everywhere(window), timeout=20000)
    more = tmp_path / "more.txt"
    more.write_text("Barack Obama landed in Tokyo.", encoding="utf-8")
    window._import(ImportChoice(paths=[str(more)]))
    qtbot.waitUntil(lambda: window.store.article_count() == 4, timeout=20000)
    qtbot.waitUntil(lambda: _stored_everywhere(window), timeout=20000)
    assert window.store.tokens(4) == tokenize("Barack Obama landed in Tokyo.")


def test_the_view_reads_stored_tokens_without_running_the_tokenizer(make_main_window, qtbot, tmp_path):
    window = make_main_window(_unsuggested_project(tmp_path / "p.db"))
    qtbot.waitUntil(lambda: _stored_everywhere(window), timeout=20000)
    calls = []
    window.tokenizer.tokens = lambda text: calls.append(text) or tokenize(text)
    article = window.controller.article
    assert window.store.tokens(article.id) is not None
    # Select "rkel visi" in "Angela Merkel visited": the selection grows to whole stored tokens.
    cursor = window.view.text_view.textCursor()
    cursor.setPosition(article.text.index("rkel"))
    cursor.setPosition(article.text.index("rkel") + len("rkel visi"), QTextCursor.MoveMode.KeepAnchor)
    window.view.text_view.setTextCursor(cursor)
    start, end = window.view.selected_span()
    assert article.text[start:end] == "Merkel visited"
    assert calls == []
