"""Decision buttons and progress under the article: a click is the key's own QAction."""

import pytest
from PySide6.QtCore import Qt

from annotator.model import Status
from annotator_ui.dialogs.settings_dialog import SettingsValues

pytestmark = pytest.mark.gui


def click(qtbot, window, settle, action_id: str) -> None:
    qtbot.mouseClick(window.decisions.buttons[action_id], Qt.MouseButton.LeftButton)
    settle(window)


def test_each_button_does_what_its_key_does(make_main_window, qtbot, settle, stored):
    w = make_main_window()
    first = w.controller.article.id
    triggered = []
    for action_id in ("accept", "reject", "skip", "undo"):
        w.actions_by_id[action_id].triggered.connect(lambda _=False, a=action_id: triggered.append(a))

    click(qtbot, w, settle, "accept")
    assert stored(w.path, first)[0] is Status.ACCEPTED
    second = w.controller.article.id
    assert second != first
    click(qtbot, w, settle, "reject")
    assert stored(w.path, second)[0] is Status.REJECTED
    third = w.controller.article.id
    click(qtbot, w, settle, "skip")
    assert stored(w.path, third)[0] is Status.SKIPPED
    click(qtbot, w, settle, "undo")
    assert stored(w.path, third)[0] is Status.PENDING
    assert w.controller.article.id == third  # undo shows the article it undid, as Backspace does
    # not a second code path: every click went through the QAction the key triggers
    assert triggered == ["accept", "reject", "skip", "undo"]


def test_buttons_show_their_keys_and_follow_a_rebinding(make_main_window, qtbot, settle, stored):
    w = make_main_window()
    texts = {action_id: button.text() for action_id, button in w.decisions.buttons.items()}
    assert texts == {"accept": "Accept (A)", "reject": "Reject (X)", "skip": "Skip (Space)", "undo": "Undo (Backspace)"}
    assert all(b.focusPolicy() == Qt.FocusPolicy.NoFocus for b in w.decisions.buttons.values())

    values = SettingsValues(annotator=w.store.annotator, model="", allow_overlap=False, shortcuts={"accept": ["Y"]})
    w.apply_settings(values)
    assert w.decisions.buttons["accept"].text() == "Accept (Y)"
    first = w.controller.article.id
    click(qtbot, w, settle, "accept")
    assert stored(w.path, first)[0] is Status.ACCEPTED


def test_undo_button_is_enabled_when_there_is_something_to_undo(make_main_window, qtbot, settle):
    w = make_main_window()
    undo = w.decisions.buttons["undo"]
    assert not undo.isEnabled()
    click(qtbot, w, settle, "accept")
    qtbot.waitUntil(undo.isEnabled)
    assert "Undo" in undo.toolTip()


def test_progress_counts_decided_articles_of_the_queue(make_main_window, qtbot, settle):
    w = make_main_window()
    bar = w.decisions.progress
    assert (bar.value(), bar.maximum()) == (0, 4)
    for action_id in ("accept", "skip", "reject"):
        click(qtbot, w, settle, action_id)
    counts = w.store.counts()
    assert bar.maximum() == sum(counts.values()) == 4
    assert bar.value() == counts[Status.ACCEPTED.value] + counts[Status.REJECTED.value] == 2  # skipped is not decided
    assert bar.text() in ("2 of 4 decided", "2/4")  # words when there is room for them


@pytest.fixture
def lone_bar(qtbot):
    """A decision bar on its own, bound to plain QActions with the default keys."""
    from PySide6.QtGui import QAction, QKeySequence

    from annotator_ui.decision_bar import DecisionBar

    bar = DecisionBar()
    qtbot.addWidget(bar)
    actions = {}
    for action_id, key in (("accept", "A"), ("reject", "X"), ("skip", "Space"), ("undo", "Backspace")):
        actions[action_id] = QAction(action_id, bar)
        actions[action_id].setShortcut(QKeySequence(key))
    bar.bind(actions)
    bar.set_counts({"accepted": 3, "rejected": 1, "pending": 36})
    bar.show()
    qtbot.waitExposed(bar)
    return bar


@pytest.mark.parametrize("width", [900, 700, 300, 250])
def test_at_any_width_the_buttons_keep_their_names_and_nothing_overlaps(lone_bar, qtbot, width):
    lone_bar.resize(width, lone_bar.sizeHint().height())
    qtbot.waitUntil(lambda: lone_bar.buttons["accept"].geometry().right() < lone_bar.width())
    widgets = [*lone_bar.buttons.values()] + ([lone_bar.progress] if lone_bar.progress.isVisible() else [])
    rects = [widget.geometry() for widget in widgets]
    assert all(not a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1 :])
    assert all(0 <= r.left() and r.right() < lone_bar.width() for r in rects)
    names = [b.text() for b in lone_bar.buttons.values()]
    if width >= 700:
        assert names == ["Accept (A)", "Reject (X)", "Skip (Space)", "Undo (Backspace)"]  # keys come first
    else:
        assert names == ["Accept", "Reject", "Skip", "Undo"]  # the keys move to the tooltips
        assert "(A)" in lone_bar.buttons["accept"].toolTip()
    if width == 250:
        assert not lone_bar.progress.isVisible()  # then the progress bar gives way (the status bar has the counts)
    if width == 900:
        assert lone_bar.progress.isVisible() and lone_bar.progress.text() == "4 of 40 decided"
