"""A held decision key decides one article per physical press, whatever the platform says about repeats.

The events are sent the way platforms send a held key: Windows/Wayland style
(repeated presses flagged as auto-repeats, one release at the end) and X style
(press, then release/press pairs 0 ms apart that Qt may not flag, then the
final release), with and without the platform's timestamps.
"""

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from annotator.model import Status

pytestmark = pytest.mark.gui

DELAY_MS, RATE_MS = 500, 40  # X's auto-repeat: the first repeat after the delay, then one every RATE_MS
REPEATS = 25  # about 1.5 s held


def send(window, kind, key, *, stamp=0, repeat=False):
    """One key event as the platform delivers it: to the focused widget, through the shortcut map."""
    event = QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, chr(key).lower(), repeat)
    event.setTimestamp(stamp)
    QApplication.sendEvent(QApplication.focusWidget() or window, event)


def hold(window, key, style, landed, *, start=1000):
    """Hold ``key`` for about 1.5 s in ``style``; each event waits for what it set off to land
    (a real reviewer's repeats arrive after the decision's write, not during it). Returns the
    final release's timestamp."""
    stamped = style != "x unstamped"
    stamp = lambda t: t if stamped else 0  # noqa: E731
    send(window, QEvent.Type.KeyPress, key, stamp=stamp(start))
    landed()
    t = start + DELAY_MS
    for _ in range(REPEATS):
        if style == "flagged":
            send(window, QEvent.Type.KeyPress, key, stamp=stamp(t), repeat=True)
        else:  # X: a synthetic release and press with the same server time, neither flagged
            send(window, QEvent.Type.KeyRelease, key, stamp=stamp(t))
            send(window, QEvent.Type.KeyPress, key, stamp=stamp(t))
        landed()
        t += RATE_MS
    send(window, QEvent.Type.KeyRelease, key, stamp=stamp(t))
    return t


def statuses(window):
    return [window.store.article(i).status for i in sorted(a for a, *_ in window.store.queue(None, limit=10))]


@pytest.mark.parametrize("style", ["flagged", "x stamped", "x unstamped"])
def test_holding_reject_rejects_one_article(make_main_window, settle, qtbot, style):
    w = make_main_window()
    first = w.controller.article.id

    def landed():
        # Not settle(): it also waits out the quiet interval, and these repeats are meant to come quickly.
        qtbot.waitUntil(lambda: not w.runner.in_flight and w.controller.state != "transition" and not w.chrome_pending)

    final_release = hold(w, Qt.Key.Key_X, style, landed)
    settle(w)
    assert statuses(w) == [Status.REJECTED, Status.PENDING, Status.PENDING, Status.PENDING]
    assert w.store.article(first).status is Status.REJECTED
    assert w.controller.article.id == first + 1
    assert w.store.counts()["rejected"] == 1
    summary = w.store.session_summary(w.session_id)
    assert (summary["rejected"], summary["decided"]) == (1, 1)
    assert w.status.pace.text().startswith("session: 1 decided")

    # The next physical press decides the next article: the key was not left blocked.
    send(w, QEvent.Type.KeyPress, Qt.Key.Key_X, stamp=final_release + 150 if style != "x unstamped" else 0)
    send(w, QEvent.Type.KeyRelease, Qt.Key.Key_X, stamp=final_release + 230 if style != "x unstamped" else 0)
    settle(w)
    assert statuses(w) == [Status.REJECTED, Status.REJECTED, Status.PENDING, Status.PENDING]
    assert w.store.session_summary(w.session_id)["decided"] == 2


def test_the_same_decision_again_is_no_step_and_no_count(make_main_window, press):
    w = make_main_window()
    first = w.controller.article.id
    press(w, Qt.Key.Key_X)
    press(w, Qt.Key.Key_K)  # back to the rejected article
    assert w.controller.article.id == first
    press(w, Qt.Key.Key_X)  # rejected again: nothing changes, the reviewer moves on
    assert w.controller.article.id == first + 1
    assert w.store.counts()["rejected"] == 1
    assert w.store.session_summary(w.session_id)["decided"] == 1
    assert w.status.pace.text().startswith("session: 1 decided")
    press(w, Qt.Key.Key_Backspace)  # one undo reaches the one real decision: no second step was logged
    assert w.store.article(first).status is Status.PENDING
    assert w.store.undo_status().undo is None
