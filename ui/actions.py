"""Every keyboard action of the window, in one table (napari's shortcuts, Anki's _shortcutKeys).

``ACTIONS`` maps an action id to its menu text, default keys, context and
handler. The window builds its QActions from this table alone, the keyboard
map dialog is generated from it, and user overrides are validated against it,
so a key can never be bound in two places.

Contexts: ``review`` actions act on the shown article and are ignored while a
decision is being written; ``global`` actions always work.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtGui import QKeySequence

from annotator.labels import label_for_slot
from annotator.model import Label


@dataclass(frozen=True)
class ActionSpec:
    text: str
    default_keys: tuple[str, ...]
    context: str  # "review" | "global"
    handler: str  # method name on the review controller (review) or the main window (global)
    arg: object = None  # passed to the handler when set (the label slot of 1-9)
    menu: str = "Review"
    # Deciding twice by holding a key down would skip articles unseen.
    auto_repeat: bool = False


def _review(text, keys, handler, arg=None, *, repeat=False) -> ActionSpec:
    return ActionSpec(text, keys, "review", handler, arg, "Review", repeat)


ACTIONS: dict[str, ActionSpec] = {
    "accept": _review("Accept article, then next", ("A",), "accept"),
    "reject": _review("Reject article, then next", ("X",), "reject"),
    "skip": _review("Skip article (decide later), then next", ("Space",), "skip"),
    "focus_next": _review("Focus next entity", ("Tab",), "focus_next", repeat=True),
    "focus_previous": _review("Focus previous entity", ("Shift+Tab",), "focus_previous", repeat=True),
    "confirm": _review("Confirm focused suggestion", ("Return", "Enter"), "confirm"),
    "remove": _review("Remove focused entity", ("Delete", "D"), "remove"),
    **{
        f"label_{n}": _review(f"Label {n} (the focused entity, or the selection)", (str(n),), "label_slot", n)
        for n in range(1, 10)
    },
    "pick_label": _review("Choose a label by name…", ("L",), "pick_label"),
    "propagate": _review("Apply the focused entity to the same text elsewhere in this article", ("P",), "propagate"),
    "shrink_end": _review("Shrink end by one token", ("Shift+Left",), "move_end", -1, repeat=True),
    "extend_end": _review("Extend end by one token", ("Shift+Right",), "move_end", 1, repeat=True),
    "start_left": _review("Move start one token left", ("Alt+Left",), "move_start", -1, repeat=True),
    "start_right": _review("Move start one token right", ("Alt+Right",), "move_start", 1, repeat=True),
    "next_article": _review("Next article (no decision)", ("J", "PgDown"), "next_article", repeat=True),
    "previous_article": _review("Previous article (no decision)", ("K", "PgUp"), "previous_article", repeat=True),
    "undo": ActionSpec("Undo", ("Backspace", "Ctrl+Z"), "global", "undo", menu="Edit"),
    "redo": ActionSpec("Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "global", "redo", menu="Edit"),
    "search": ActionSpec("Search articles…", ("Ctrl+F",), "global", "search", menu="Edit"),
    "toggle_queue": ActionSpec("Show or hide the queue", ("Ctrl+B",), "global", "toggle_queue", menu="View"),
    "entity_list": ActionSpec("Show or hide the entity list", ("E",), "global", "toggle_entity_list", menu="View"),
    "keyboard_map": ActionSpec("Keyboard map", ("?", "F1"), "global", "keyboard_map", menu="Help"),
    "quit": ActionSpec("Quit", ("Ctrl+Q",), "global", "close", menu="File"),
}


def action_names(labels: Sequence[Label]) -> dict[str, str]:
    """Each action's name as the keyboard map and the settings show it: a number key names its label."""
    names = {action_id: spec.text for action_id, spec in ACTIONS.items()}
    for n in range(1, 10):
        label = label_for_slot(labels, n)
        names[f"label_{n}"] = f"Label {n}: {label.name}" if label else f"Label {n}: no label yet"
    return names


def key_sequence(text: str) -> QKeySequence | None:
    """A single-chord sequence from portable text, or None when Qt cannot parse it."""
    seq = QKeySequence(text.strip(), QKeySequence.SequenceFormat.PortableText)
    if seq.isEmpty() or seq.count() != 1 or seq.toString(QKeySequence.SequenceFormat.PortableText) == "":
        return None
    return seq


def normal(text: str) -> str:
    seq = key_sequence(text)
    return text if seq is None else seq.toString(QKeySequence.SequenceFormat.PortableText)


def resolve_keys(overrides: Mapping[str, object] | None) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    """Each action's effective keys, and one sentence per override that was refused.

    A bad override (unknown action, unparsable key, a key another action
    already uses) is reported and that action keeps its defaults, so a typo in
    the settings never leaves the reviewer without a key.
    """
    keys = {action_id: spec.default_keys for action_id, spec in ACTIONS.items()}
    problems: list[str] = []
    accepted: dict[str, tuple[str, ...]] = {}
    for action_id, value in (overrides or {}).items():
        if action_id not in ACTIONS:
            problems.append(f"unknown action {action_id!r} in the shortcut settings")
            continue
        texts = [value] if isinstance(value, str) else list(value) if isinstance(value, (list, tuple)) else None
        if texts is None or not all(isinstance(t, str) for t in texts):
            problems.append(f"shortcut for {action_id!r} must be a key or a list of keys")
            continue
        bad = [t for t in texts if key_sequence(t) is None]
        if bad:
            problems.append(f"cannot read the key {bad[0]!r} for {action_id!r}")
            continue
        accepted[action_id] = tuple(normal(t) for t in texts)
    keys.update(accepted)
    # A colliding override is dropped and its action falls back to its defaults.
    for action_id in list(accepted):
        owner = _owners(keys)
        clash = next((k for k in keys[action_id] if owner[k] != [action_id]), None)
        if clash is not None:
            others = ", ".join(f"“{ACTIONS[a].text}”" for a in owner[clash] if a != action_id)
            problems.append(f"key {clash} for “{ACTIONS[action_id].text}” is already used by {others}; it keeps its default keys")
            keys[action_id] = ACTIONS[action_id].default_keys
    return keys, problems


def _owners(keys: Mapping[str, tuple[str, ...]]) -> dict[str, list[str]]:
    owner: dict[str, list[str]] = {}
    for action_id, texts in keys.items():
        for text in texts:
            owner.setdefault(normal(text), []).append(action_id)
    return owner


def clashes(keys: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """For each action sharing a key with others: those others, in table order."""
    shared = [ids for ids in _owners(keys).values() if len(ids) > 1]
    out: dict[str, list[str]] = {}
    for action_id in keys:
        others = {other for ids in shared if action_id in ids for other in ids if other != action_id}
        if others:
            out[action_id] = [a for a in keys if a in others]
    return out


def collisions(keys: Mapping[str, tuple[str, ...]]) -> dict[str, list[str]]:
    """Key sequences bound to more than one action (should always be empty)."""
    return {k: ids for k, ids in _owners(keys).items() if len(ids) > 1}
