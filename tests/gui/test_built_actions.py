"""The actions a real window builds, not the table they are built from.

test_actions.py checks the keyboard-map table; these check that a MainWindow's
QActions carry it (keys, auto-repeat), and that a key rebound in the Settings
dialog is saved and binds the action in the next window.
"""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from annotator.model import Status
from annotator_ui.actions import ACTIONS, normal, resolve_keys
from annotator_ui.dialogs.settings_dialog import SettingsDialog
from annotator_ui.settings import Settings

pytestmark = pytest.mark.gui

# A held key must not decide article after article.
DECISIONS = ["accept", "reject", "skip", "confirm", "remove", "undo", "redo"] + [f"label_{n}" for n in range(1, 10)]


def built_keys(window, action_id: str) -> tuple[str, ...]:
    return tuple(normal(k.toString(QKeySequence.SequenceFormat.PortableText)) for k in window.actions_by_id[action_id].shortcuts())


def table_keys(overrides: dict) -> dict[str, tuple[str, ...]]:
    keys, problems = resolve_keys(overrides)
    assert problems == []
    return {action_id: tuple(normal(k) for k in ks) for action_id, ks in keys.items()}


def test_decision_actions_built_by_the_window_do_not_auto_repeat(make_main_window):
    w = make_main_window()
    assert sorted(w.actions_by_id) == sorted(ACTIONS)
    for action_id in DECISIONS:
        assert w.actions_by_id[action_id].autoRepeat() is False, action_id
    for action_id, spec in ACTIONS.items():
        assert w.actions_by_id[action_id].autoRepeat() is spec.auto_repeat, action_id


@pytest.mark.parametrize("overrides", [{}, {"accept": ["Y"], "skip": ["S"], "undo": ["Ctrl+U", "U"]}])
def test_each_built_action_has_the_tables_keys(make_main_window, overrides):
    Settings().shortcuts = overrides
    w = make_main_window()
    expected = table_keys(overrides)
    for action_id in ACTIONS:
        assert built_keys(w, action_id) == expected[action_id], action_id
        assert w.actions_by_id[action_id].shortcutContext() == Qt.ShortcutContext.WindowShortcut


def test_a_key_rebound_in_the_dialog_is_saved_and_binds_in_the_next_window(make_main_window, project, press, stored, qtbot):
    w = make_main_window(project)
    w.open_settings()
    qtbot.waitUntil(lambda: w.findChild(SettingsDialog) is not None and w.findChild(SettingsDialog).isVisible())
    dialog = w.findChild(SettingsDialog)
    dialog.keys.item(list(ACTIONS).index("accept"), 1).setText("Y")
    dialog.accept()
    assert built_keys(w, "accept") == ("Y",)  # applied here...
    w.close()

    # ...and saved: in the settings, and in their file, not only in this process's QSettings cache
    assert Settings().shortcuts == {"accept": ["Y"]}
    settings = Settings()
    settings.sync()
    with open(settings._s.fileName(), encoding="utf-8") as ini:
        assert 'shortcuts={\\"accept\\": [\\"Y\\"]}' in ini.read().splitlines()

    again = make_main_window(project)
    assert built_keys(again, "accept") == ("Y",)
    first = again.controller.article.id
    press(again, Qt.Key.Key_A)  # the old key no longer accepts
    assert stored(project, first)[0] is Status.PENDING and again.controller.article.id == first
    press(again, Qt.Key.Key_Y)
    assert stored(project, first)[0] is Status.ACCEPTED
