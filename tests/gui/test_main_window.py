"""The window around the review: title, dialogs, transition guard, search, queue, status bar, settings."""

import threading

import pytest
import shiboken6
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit

from annotator.model import Status
from annotator_ui.actions import ACTIONS
from annotator_ui.dialogs.keyboard_map import KeyboardMapDialog
from annotator_ui.dialogs.search import SearchDialog
from annotator_ui.dialogs.settings_dialog import CLASH, SettingsDialog
from annotator_ui.plain import plain_tooltip
from annotator_ui.settings import Settings

pytestmark = pytest.mark.gui


def dialog_of(window, kind, qtbot):
    """The window's dialog of ``kind`` once it is shown and active, as it is for a person (offscreen,
    activation can lag: the window's own shortcuts, Return included, would take the keys meanwhile)."""
    qtbot.waitUntil(lambda: window.findChild(kind) is not None and window.findChild(kind).isVisible())
    dialog = window.findChild(kind)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def test_title_names_the_project_file(make_main_window):
    w = make_main_window()
    assert "news.db" in w.windowTitle()


def test_first_article_is_shown_at_once_without_a_model(make_main_window):
    w = make_main_window()
    assert w.controller.state == "reviewing"
    assert w.controller.article.title == "Summit in the east"
    assert len(w.view.entities()) == 4
    assert w.status.model.text() == "model: off"


def test_keyboard_map_lists_every_action(make_main_window, qtbot):
    w = make_main_window()
    qtbot.keyClick(w, Qt.Key.Key_F1)
    dialog = dialog_of(w, KeyboardMapDialog, qtbot)
    texts = [dialog.table.item(r, 2).text() for r in range(dialog.table.rowCount())]
    assert len(texts) == len(ACTIONS)
    assert {spec.text for action_id, spec in ACTIONS.items() if not action_id.startswith("label_")} <= set(texts)
    keys = {dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())}
    assert "A" in keys and "Backspace, Ctrl+Z" in keys
    dialog.close()


def test_question_mark_opens_the_keyboard_map(make_main_window, qtbot):
    w = make_main_window()
    # Offscreen Qt has no keyboard layout to map Shift+/ to "?", so the key arrives as "?" itself.
    qtbot.keyClick(w, Qt.Key.Key_Question)
    dialog_of(w, KeyboardMapDialog, qtbot).close()


def test_decision_while_in_transition_is_ignored(make_main_window, qtbot, settle, stored):
    w = make_main_window()
    first = w.controller.article.id
    gate = threading.Event()
    w.runner.submit(lambda s: gate.wait(5))  # holds the writer: the decision stays in flight
    qtbot.keyClick(w, Qt.Key.Key_A)
    assert w.controller.state == "transition"
    qtbot.keyClick(w, Qt.Key.Key_A)  # a double press
    qtbot.keyClick(w, Qt.Key.Key_X)
    qtbot.keyClick(w, Qt.Key.Key_J)
    gate.set()
    settle(w)
    assert stored(w.path, first)[0] is Status.ACCEPTED
    assert stored(w.path, first + 1)[0] is Status.PENDING
    assert w.controller.article.id == first + 1


def test_search_jumps_to_the_article(make_main_window, qtbot):
    w = make_main_window()
    qtbot.keyClick(w, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    dialog = dialog_of(w, SearchDialog, qtbot)
    qtbot.keyClicks(dialog.query, "reuters")
    qtbot.waitUntil(lambda: dialog.results.count() == 1)
    assert dialog.results.item(0).text() == "Arms talks"
    qtbot.keyClick(dialog.query, Qt.Key.Key_Return)
    assert w.controller.article.title == "Arms talks"
    assert not dialog.isVisible()


def test_search_runs_off_the_gui_thread_and_enter_waits_for_its_results(make_main_window, qtbot):
    w = make_main_window()
    qtbot.keyClick(w, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    dialog = dialog_of(w, SearchDialog, qtbot)
    dialog.query.setText("reuters")
    qtbot.keyClick(dialog.query, Qt.Key.Key_Return)  # before the debounce or the answer
    qtbot.waitUntil(lambda: w.controller.article.title == "Arms talks")
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()  # closed (and deleted)


def test_queue_panel_filters_and_shows_the_position(make_main_window, press):
    w = make_main_window()
    assert w.queue.position.text() == "Article 1 of 4 · pending"
    assert w.queue.model.rowCount() == 4
    press(w, Qt.Key.Key_A)
    assert w.queue.model.rowCount() == 3  # the pending filter drops the accepted article
    assert w.queue.position.text() == "Article 2 of 4 · pending"
    w.queue.set_filter(Status.ACCEPTED)
    assert [w.queue.model.index(r).data() for r in range(w.queue.model.rowCount())] == ["Summit in the east"]
    w.queue.set_filter(None)
    assert w.queue.model.rowCount() == 4


def test_queue_pages_lazily(tmp_path, make_main_window, make_project, monkeypatch):
    import annotator_ui.article_list_model as alm

    monkeypatch.setattr(alm, "PAGE", 25)
    articles = [(f"Story {i}", f"Story number {i} is here.", []) for i in range(400)]
    w = make_main_window(make_project(tmp_path / "many.db", articles))
    model = w.queue.model
    assert 25 <= model.rowCount() < 400  # only what the list has asked for to fill its view
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == 400
    assert w.queue.position.text() == "Article 1 of 400 · pending"


def test_clicking_the_queue_shows_the_article(make_main_window, qtbot, settle):
    w = make_main_window()
    index = w.queue.model.index(2)
    w.queue.list.clicked.emit(index)
    assert w.controller.article.title == "Arms talks"
    settle(w)
    assert w.queue.list.currentIndex().row() == 2


def test_status_bar_shows_progress_and_pace(make_main_window, press):
    w = make_main_window()
    assert w.status.progress.text() == "accepted 0 · rejected 0 · skipped 0 · pending 4 of 4"
    assert w.status.pace.text() == "session: nothing decided yet"
    press(w, Qt.Key.Key_A)
    press(w, Qt.Key.Key_X)
    assert w.status.progress.text() == "accepted 1 · rejected 1 · skipped 0 · pending 2 of 4"
    assert w.status.pace.text().startswith("session: 2 decided · ")
    assert w.status.pace.text().endswith("articles/h")


def test_undo_menu_items_name_the_step(make_main_window, press):
    w = make_main_window()
    undo, redo = w.actions_by_id["undo"], w.actions_by_id["redo"]
    assert undo.text() == "Undo" and not undo.isEnabled()
    first = w.controller.article.id
    press(w, Qt.Key.Key_A)
    assert undo.text() == f"Undo accept article (article {first})"
    press(w, Qt.Key.Key_Backspace)
    assert redo.text() == f"Redo accept article (article {first})"


def test_plain_text_everywhere(tmp_path, make_main_window, make_project):
    w = make_main_window(make_project(tmp_path / "html.db", [("<b>bold</b> &amp;", "Text with <i>tags</i>.", [])]))
    assert w.queue.model.index(0).data() == "<b>bold</b> &amp;"
    assert w.queue.position.textFormat() == Qt.TextFormat.PlainText
    assert w.status.progress.textFormat() == Qt.TextFormat.PlainText


def test_window_remembers_position_and_sessions(make_main_window, press, project):
    w = make_main_window(project)
    press(w, Qt.Key.Key_J)
    press(w, Qt.Key.Key_J)
    remembered = w.controller.article.id
    press(w, Qt.Key.Key_A)
    w.close()
    again = make_main_window(project)
    assert again.controller.article.id == remembered + 1  # where the reviewer was when closing
    sessions = again.store.sessions()
    assert sessions[1]["accepted"] == 1 and sessions[1]["ended_at"] is not None
    assert sessions[0]["ended_at"] is None  # this window's session is open
    assert Settings().last_project == project.resolve()


def test_settings_are_isolated(isolated_settings, make_main_window):
    w = make_main_window()
    w.close()
    assert Settings()._s.fileName().startswith(str(isolated_settings))
    assert QSettings().fileName().startswith(str(isolated_settings)) or QSettings().format() != QSettings.Format.IniFormat


def test_settings_dialog_applies_name_overlap_and_keys(make_main_window, press, stored, qtbot, settle):
    w = make_main_window()
    w.open_settings()
    dialog = dialog_of(w, SettingsDialog, qtbot)
    dialog.annotator.setText("alice")
    dialog.allow_overlap.setChecked(True)
    row = list(ACTIONS).index("accept")
    dialog.keys.item(row, 1).setText("Y")
    dialog.accept()
    settle(w)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    assert w.store.annotator == "alice"
    assert w.store.setting("allow_overlap") is True
    assert Settings().annotator == "alice"
    first = w.controller.article.id
    press(w, Qt.Key.Key_A)  # no longer bound
    assert stored(w.path, first)[0] is Status.PENDING
    press(w, Qt.Key.Key_Y)
    assert stored(w.path, first)[0] is Status.ACCEPTED
    assert w.store.sessions()[0]["annotator"] == "alice"


def test_keyboard_map_names_the_labels_and_heads_every_column(make_main_window, qtbot):
    """Issue 10, defect 7: the number keys are named by their labels, and no column is without a header."""
    w = make_main_window()
    w.keyboard_map()
    table = dialog_of(w, KeyboardMapDialog, qtbot).table
    try:
        rows = {table.item(r, 1).text(): table.item(r, 2).text() for r in range(table.rowCount())}
        assert rows["1"] == "Label 1: PERSON" and rows["4"] == "Label 4: DATE"  # the project's labels, in order
        assert rows["5"] == "Label 5: no label yet"
        headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
        assert all(headers), headers
    finally:
        table.window().close()


def _type_keys(dialog, qtbot, action_id: str, text: str) -> None:
    """Edit a key cell as a person does: open its editor (the table's delegate), type, press Enter."""
    index = dialog.keys.model().index(list(ACTIONS).index(action_id), 1)
    dialog.keys.edit(index)
    qtbot.waitUntil(lambda: dialog.keys.viewport().findChild(QLineEdit) is not None)
    editor = dialog.keys.viewport().findChild(QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.keys.item(index.row(), 1).text() == text)


def test_settings_marks_a_clash_as_typed_in_both_rows(make_main_window, qtbot):
    """Issue 10, defect 7: both rows say whom they clash with, by the names the table shows; OK waits."""
    w = make_main_window()
    w.open_settings()
    dialog = dialog_of(w, SettingsDialog, qtbot)
    try:
        accept_row, label_row = list(ACTIONS).index("accept"), list(ACTIONS).index("label_1")
        assert dialog.keys.item(label_row, 0).text() == "Label 1: PERSON"
        _type_keys(dialog, qtbot, "accept", "1")
        accept_cell, label_cell = dialog.keys.item(accept_row, 1), dialog.keys.item(label_row, 1)
        assert "also used by Label 1: PERSON" in accept_cell.toolTip()
        assert "also used by Accept article, then next" in label_cell.toolTip()
        assert accept_cell.background().color() == label_cell.background().color() == CLASH
        assert not dialog.ok.isEnabled()
        assert "1: PERSON" in dialog.problems.text()
        dialog.accept()  # Enter on the dialog: refused while the clash stands
        assert dialog.isVisible()

        _type_keys(dialog, qtbot, "accept", "Y")
        assert accept_cell.toolTip() == label_cell.toolTip() == ""
        assert accept_cell.data(Qt.ItemDataRole.BackgroundRole) is None
        assert dialog.ok.isEnabled() and dialog.problems.text() == ""
        dialog.ok.click()
        qtbot.waitUntil(lambda: not dialog.isVisible())
        assert Settings().shortcuts == {"accept": ["Y"]}
        assert [k.toString() for k in w.actions_by_id["accept"].shortcuts()] == ["Y"]
    finally:
        dialog.close()


def test_settings_marks_a_key_it_cannot_read(make_main_window, qtbot):
    w = make_main_window()
    w.open_settings()
    dialog = dialog_of(w, SettingsDialog, qtbot)
    try:
        _type_keys(dialog, qtbot, "skip", "Ctrl+Nonsense")
        cell = dialog.keys.item(list(ACTIONS).index("skip"), 1)
        assert cell.toolTip() == plain_tooltip("cannot read the key 'Ctrl+Nonsense'")
        assert not dialog.ok.isEnabled()
    finally:
        dialog.close()


def test_bad_shortcut_settings_are_reported_not_fatal(make_main_window):
    Settings().shortcuts = {"accept": ["Nonsense+Key+Q"]}
    w = make_main_window()
    assert "cannot read the key" in w.status.currentMessage()
    assert [k.toString() for k in w.actions_by_id["accept"].shortcuts()] == ["A"]


def test_session_summaries_dialog(make_main_window, press, qtbot):
    from annotator_ui.dialogs.sessions import SessionsDialog

    w = make_main_window()
    press(w, Qt.Key.Key_Space)
    w.show_sessions()
    dialog = dialog_of(w, SessionsDialog, qtbot)
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 2).text() == "tester"
    assert dialog.table.item(0, 5).text() == "1"
    dialog.close()


def test_quit_closes_the_window_and_ends_the_session(make_main_window, qtbot, project):
    w = make_main_window(project)
    qtbot.keyClick(w, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert not w.isVisible()
    QApplication.processEvents()
    from annotator.store import AnnotationStore

    store = AnnotationStore.open(project)
    try:
        assert store.sessions()[0]["ended_at"] is not None
    finally:
        store.close()


def test_import_runs_in_the_background_and_refreshes(make_main_window, tmp_path, qtbot, monkeypatch, accept_import):
    from PySide6.QtWidgets import QFileDialog

    story = tmp_path / "story.txt"
    story.write_text("Late news\n\nA brand new story about Lisbon.\n", "utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(story)], ""))
    w = make_main_window()
    w.import_files()
    accept_import(w)
    # the counts and the queue follow the message, after the next paint
    qtbot.waitUntil(lambda: "imported 1 article" in w.status.currentMessage() and not w.chrome_pending, timeout=5000)
    assert w.status.progress.text().endswith("pending 5 of 5")
    assert w.queue.model.rowCount() == 5


def test_export_writes_the_accepted_articles(make_main_window, tmp_path, qtbot, monkeypatch, press):
    from PySide6.QtWidgets import QFileDialog

    out = tmp_path / "out.jsonl"
    w = make_main_window()
    press(w, Qt.Key.Key_A)
    w.export_files()
    w.export_dialog.target.setText(str(out))
    w.export_dialog.export_button.click()
    qtbot.waitUntil(lambda: "exported 1 articles" in w.status.currentMessage(), timeout=5000)
    assert len(out.read_text("utf-8").splitlines()) == 1


def test_long_work_shows_a_cancellable_progress_dialog_after_a_moment(make_main_window, qtbot):
    import threading

    from annotator.progress import Progress, check_cancel

    def slow(store, on_progress, should_cancel):
        for n in range(500):
            on_progress(Progress(n, 500, "Working"))
            check_cancel(should_cancel, "work")
            threading.Event().wait(0.01)

    w = make_main_window()
    job = w._background("Working", slow)
    dialog = w._progress
    assert not dialog.isVisible()  # never flashes for quick work
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    from PySide6.QtWidgets import QPushButton

    with qtbot.waitSignal(job.cancelled, timeout=3000):
        dialog.findChild(QPushButton).click()
    qtbot.waitUntil(lambda: "cancelled" in w.status.currentMessage())
    assert not dialog.isVisible()


def test_open_project_replaces_the_window(make_main_window, make_project, tmp_path, qtbot, monkeypatch):
    w = make_main_window()
    warnings = []
    monkeypatch.setattr("annotator_ui.main_window.warn", lambda parent, title, text: warnings.append(text))
    assert w.open_path(tmp_path / "missing.db") is None
    assert "no such project file" in warnings[0] and w.isVisible()
    other = w.open_path(make_project(tmp_path / "other.db"))
    qtbot.addWidget(other)
    assert "other.db" in other.windowTitle() and not w.isVisible()
    other.close()


def test_deciding_the_last_article_says_so_in_full(make_main_window, press):
    w = make_main_window()
    for _ in range(w.store.article_count()):
        press(w, Qt.Key.Key_A)
    message = w.status.currentMessage()
    assert message == "every article is decided: undo, or pick one in the queue"
    # the whole sentence fits beside the counts, pace and model state (no clipping)
    assert w.status.fontMetrics().horizontalAdvance(message) < w.width() - sum(
        child.width() for child in w.status.findChildren(QLabel) if child.isVisible() and child.text() != message
    )
