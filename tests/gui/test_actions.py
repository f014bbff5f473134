"""The keyboard map as data: defaults as issue 3 lists them, no collisions, validated overrides."""

import pytest
from PySide6.QtGui import QKeySequence

from annotator_ui.actions import ACTIONS, collisions, key_sequence, normal, resolve_keys

pytestmark = pytest.mark.gui

# issue 3's table: key -> action id
ISSUE_MAP = {
    "A": "accept", "X": "reject", "Space": "skip", "Tab": "focus_next", "Shift+Tab": "focus_previous",
    "Return": "confirm", "Delete": "remove", "D": "remove",
    **{str(n): f"label_{n}" for n in range(1, 10)},
    "Shift+Left": "shrink_end", "Shift+Right": "extend_end", "Alt+Left": "start_left", "Alt+Right": "start_right",
    "J": "next_article", "PgDown": "next_article", "K": "previous_article", "PgUp": "previous_article",
    "Backspace": "undo", "Ctrl+Z": "undo", "Ctrl+Shift+Z": "redo", "Ctrl+Y": "redo",
    "Ctrl+F": "search", "?": "keyboard_map", "F1": "keyboard_map", "Ctrl+Q": "quit",
}


def test_no_two_actions_share_a_key():
    keys, problems = resolve_keys({})
    assert problems == []
    assert collisions(keys) == {}


def test_every_default_key_parses():
    for action_id, spec in ACTIONS.items():
        for text in spec.default_keys:
            assert key_sequence(text) is not None, (action_id, text)


def test_defaults_are_the_issue_keyboard_map():
    keys, _ = resolve_keys({})
    bound = {normal(k): a for a, ks in keys.items() for k in ks}
    for key, action_id in ISSUE_MAP.items():
        assert bound[normal(key)] == action_id, key


def test_decision_keys_do_not_auto_repeat():
    for action_id in ("accept", "reject", "skip", "confirm", "remove", "undo", "redo", "label_1"):
        assert ACTIONS[action_id].auto_repeat is False


def test_label_picker_has_a_free_key_for_labels_beyond_nine():
    assert ACTIONS["pick_label"].default_keys == ("L",)


def test_good_override_replaces_the_defaults():
    keys, problems = resolve_keys({"accept": ["Y"], "skip": "S"})
    assert problems == []
    assert keys["accept"] == ("Y",) and keys["skip"] == ("S",)


@pytest.mark.parametrize(
    "overrides, fragment",
    [
        ({"launch_rockets": ["R"]}, "unknown action"),
        ({"accept": ["Ctrl+Alt+Nonsense"]}, "cannot read the key"),
        ({"accept": 5}, "must be a key"),
        ({"accept": ["X"]}, "already used by “Reject article, then next”"),
    ],
)
def test_bad_overrides_are_reported_and_defaults_kept(overrides, fragment):
    keys, problems = resolve_keys(overrides)
    assert len(problems) == 1 and fragment in problems[0]
    assert keys["accept"] == ACTIONS["accept"].default_keys
    assert collisions(keys) == {}


def test_two_overrides_fighting_for_one_key_leave_one_owner():
    keys, problems = resolve_keys({"accept": ["Y"], "reject": ["Y"]})
    assert len(problems) == 1
    assert collisions(keys) == {}
    assert sorted([keys["accept"], keys["reject"]]) == sorted([("A",), ("Y",)])


def test_keys_are_portable_text():
    assert QKeySequence(normal("ctrl+shift+z")).toString() == "Ctrl+Shift+Z"
