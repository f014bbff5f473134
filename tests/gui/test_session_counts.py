"""A session's counts are of articles as they stand at its end, the same everywhere they are shown:
the status bar, the summary at quitting, the sessions list and `annotator stats`."""

import json
import re

import pytest
from click.testing import CliRunner
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from annotator.cli import cli
from annotator.model import Status
from annotator_ui.dialogs.sessions import SessionsDialog, SummaryBox
from annotator_ui.dialogs.settings_dialog import SettingsDialog
from annotator_ui.settings import Settings

pytestmark = pytest.mark.gui

EXPECTED = {"accepted": 1, "rejected": 2, "skipped": 1, "decided": 4}
TEXT = "4 articles decided: accepted 1, rejected 2, skipped 1"


def review(w, press):
    """accept, accept, undo, reject; back to the first article, accepted, and reject it; skip; accept."""
    first = w.controller.article.id
    press(w, Qt.Key.Key_A)  # 1 accepted
    press(w, Qt.Key.Key_A)  # 2 accepted
    press(w, Qt.Key.Key_Backspace)  # 2 pending again: not counted
    assert w.controller.article.id == first + 1
    press(w, Qt.Key.Key_X)  # 2 rejected
    press(w, Qt.Key.Key_K)
    press(w, Qt.Key.Key_K)
    assert w.controller.article.id == first
    press(w, Qt.Key.Key_X)  # 1 changed from accepted to rejected: counts once, as rejected
    assert w.controller.article.id == first + 2
    press(w, Qt.Key.Key_Space)  # 3 skipped
    press(w, Qt.Key.Key_A)  # 4 accepted
    assert [w.store.article(first + n).status for n in range(4)] == [
        Status.REJECTED, Status.REJECTED, Status.SKIPPED, Status.ACCEPTED,
    ]


@pytest.fixture
def summary_closer(qtbot):
    """Closes every summary box as it opens (it runs its own event loop inside the window's closing),
    by pressing ``summary_closer.key``; ``summary_closer.seen`` holds their texts. Request it before
    the window, so it is still watching when the window closes after a failed assertion."""
    watch = QTimer(interval=10)
    watch.seen, watch.key = [], Qt.Key.Key_Escape

    def look():
        box = QApplication.activeModalWidget()
        if isinstance(box, SummaryBox) and box.isVisible():
            watch.seen.append(box.text())
            qtbot.keyClick(box, watch.key)

    watch.timeout.connect(look)
    watch.start()
    yield watch
    watch.stop()


def sessions_row(sessions):
    dialog = SessionsDialog(sessions)
    try:
        headers = [dialog.table.horizontalHeaderItem(c).text() for c in range(dialog.table.columnCount())]
        return {h: dialog.table.item(0, c).text() for c, h in enumerate(headers)}
    finally:
        dialog.deleteLater()


@pytest.mark.parametrize("key", [Qt.Key.Key_Q, Qt.Key.Key_Escape, Qt.Key.Key_Return], ids=["Q", "Esc", "Enter"])
def test_every_view_of_the_session_counts_articles_as_they_stand(summary_closer, make_main_window, press, key):
    w = make_main_window(show_summary=True)
    review(w, press)
    summary = w.store.session_summary(w.session_id)
    assert {k: summary[k] for k in EXPECTED} == EXPECTED
    assert w.status.pace.text().startswith("session: 4 decided ·")
    row = sessions_row(w.store.sessions())
    assert (row["Accepted"], row["Rejected"], row["Skipped"], row["Decided"]) == ("1", "2", "1", "4")

    summary_closer.key = key
    w.close()
    # one key closed it (close() returned), and it says what the rest says
    assert [re.sub(r"for \d+ min", "for N min", t) for t in summary_closer.seen] == [f"tester reviewed for N min: {TEXT}."]

    stats = json.loads(CliRunner().invoke(cli, ["stats", str(w.path), "--json"]).stdout)
    assert {k: stats["last_session"][k] for k in EXPECTED} == EXPECTED
    assert stats["statuses"] == {"pending": 0, "accepted": 1, "rejected": 2, "skipped": 1}
    assert TEXT in CliRunner().invoke(cli, ["stats", str(w.path)]).stdout


def test_the_summary_at_quitting_can_be_turned_off(summary_closer, make_main_window, press, qtbot):
    w = make_main_window(show_summary=True)
    w.open_settings()
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), SettingsDialog))
    dialog = QApplication.activeModalWidget()
    assert dialog.show_summary.isChecked()
    dialog.show_summary.setChecked(False)
    dialog.accept()
    assert Settings().show_summary is False
    press(w, Qt.Key.Key_A)
    assert w.store.session_summary(w.session_id)["decided"] == 1
    w.close()
    assert summary_closer.seen == []  # nothing was shown
