"""Drive the real window with key presses, printing what it shows after each decision lands.

usage: gui_driver.py PROJECT SETTINGS_DIR --seed N [--annotator NAME] [--actions N] [--close] [--wait-go]

Runs inside its own process (QT_QPA_PLATFORM=offscreen). Before each action
(a key press that makes a decision, an edit, an undo or a redo) it prints

    KEY {"action": name, "digit": n or null, "target": focused entity id or null}

(the target is the entity focused when the action's last key is pressed), then
waits until the window has finished the write and redrawn, and prints

    SHOWN {"action": name, "view": {...}, "log": [[event id, state], ...]}

``view`` is read from the widgets, never from the database: the article's text
as the document holds it, every highlighted entity (its id, the text it covers,
its label and state decoded from the character format's colour: a suggestion's
pale fill or a confirmed entity's full one), the status bar's counts, the
queue's pending articles, the article's status as the queue panel states it,
and the Undo and Redo menu texts. ``log`` is the undo log through the window's
own connection (the view does not show it), for the two-window test. Other
lines: READY, BUSY <seconds> (the writer is waiting for another program's
lock), FAILED <message>, MISMATCH <details> (the view does not show what is
stored), DONE.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time

from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest

from annotator.model import EntityState
from annotator.store import AnnotationStore

SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier
NONE = Qt.KeyboardModifier.NoModifier

# name -> (weight, key presses)
ACTIONS = {
    "accept": (3, [(Qt.Key.Key_A, NONE)]),
    "reject": (1, [(Qt.Key.Key_X, NONE)]),
    "skip": (1, [(Qt.Key.Key_Space, NONE)]),
    "confirm": (3, [(Qt.Key.Key_Tab, NONE), (Qt.Key.Key_Return, NONE)]),
    "relabel": (3, [(Qt.Key.Key_Tab, NONE), ("digit", NONE)]),
    "remove": (2, [(Qt.Key.Key_Tab, NONE), (Qt.Key.Key_D, NONE)]),
    "extend": (1, [(Qt.Key.Key_Tab, NONE), (Qt.Key.Key_Right, SHIFT)]),
    "undo": (3, [(Qt.Key.Key_Z, CTRL)]),
    "redo": (2, [(Qt.Key.Key_Y, CTRL)]),
    "previous": (1, [(Qt.Key.Key_K, NONE)]),
}
DIGITS = [Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_4]


def log(store: AnnotationStore) -> list:
    """The undo log's states, through the window's own connection (not shown by the window)."""
    return store.conn.execute("SELECT id, state FROM events ORDER BY id").fetchall()


def colour_key(labels) -> dict[str, list[str]]:
    """Background colour -> [label, state]: how the document tells entities apart (see annotator_ui.highlight)."""
    from annotator_ui import theme

    key = {}
    for label in labels:
        full = theme.label_color(label.color)
        key[full.name()] = [label.name, EntityState.CONFIRMED.value]
        key[theme.suggestion_fill(full).name()] = [label.name, EntityState.SUGGESTED.value]
    assert len(key) == 2 * len(labels), "two labels or states share a colour: the view cannot tell them apart"
    return key


def view_of(window) -> dict:
    """What the window displays, read from its widgets."""
    from tests.gui.formatted import highlights
    from annotator_ui.article_list_model import ArticleIdRole

    doc = window.view.text_view.document()
    colours = colour_key(window.controller.labels)
    queue = window.queue.model
    return {
        "text": doc.toPlainText(),
        "entities": sorted([entity_id, text, *colours[colour]] for entity_id, (text, colour) in highlights(doc).items()),
        "counts": window.status.progress.text(),
        "position": window.queue.position.text(),
        "pending": [queue.index(row, 0).data(ArticleIdRole) for row in range(queue.rowCount())],
        "undo": window.actions_by_id["undo"].text(),
        "redo": window.actions_by_id["redo"].text(),
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("project")
    ap.add_argument("settings_dir")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--annotator", default="ada")
    ap.add_argument("--actions", type=int, default=10_000)
    ap.add_argument("--close", action="store_true", help="close the window normally at the end")
    ap.add_argument("--wait-go", action="store_true", help="after READY, wait for a line on stdin")
    args = ap.parse_args()

    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, args.settings_dir)

    from annotator_ui.app import application
    from annotator_ui.main_window import MainWindow
    from annotator_ui.settings import Settings

    app = application()
    store = AnnotationStore.open(args.project, annotator=args.annotator)
    window = MainWindow(store, settings=Settings(), worker_factory=None, show_summary=False)
    window.runner.busy.connect(lambda waited: print(f"BUSY {waited:.2f}", flush=True))
    window.runner.failed.connect(lambda message: print(f"FAILED {message}", flush=True))
    window.show()
    window.activateWindow()

    def wait_until(condition, timeout=120.0):
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                print("TIMEOUT", flush=True)
                sys.exit(3)
            QTest.qWait(2)

    wait_until(lambda: QTest.qWaitForWindowExposed(window, 50) and window.isActiveWindow())
    wait_until(lambda: window.session_id is not None)
    settled = lambda: (  # noqa: E731 - the write landed, the queue and status bar caught up, and a key
        # just released may be pressed again (one_press would take a quicker press for a repeat)
        not window.runner.in_flight and window.controller.state != "transition" and not window.chrome_pending
        and window.one_press.ready()
    )
    print("READY", flush=True)
    if args.wait_go:
        sys.stdin.readline()
    wait_until(settled)  # the queue and status bar fill in after the first paint
    print("SHOWN " + json.dumps({"action": "start", "view": view_of(window), "log": log(window.store)}), flush=True)

    rng = random.Random(args.seed)
    names = list(ACTIONS)
    weights = [ACTIONS[n][0] for n in names]
    for _ in range(args.actions):
        name = rng.choices(names, weights)[0]
        keys = [(rng.choice(DIGITS) if key == "digit" else key, modifier) for key, modifier in ACTIONS[name][1]]
        for n, (key, modifier) in enumerate(keys):
            if n == len(keys) - 1:
                target = window.view.focused_entity()
                digit = DIGITS.index(key) + 1 if key in DIGITS else None
                key_line = {"action": name, "digit": digit, "target": None if target is None else target.id}
                print("KEY " + json.dumps(key_line), flush=True)
            QTest.keyClick(window, key, modifier)
            wait_until(settled)
        app.processEvents()
        article = window.controller.article
        if article is not None:
            shown = [(e.id, e.start, e.end, e.label, e.state.value) for e in window.view.entities()]
            stored = [(e.id, e.start, e.end, e.label, e.state.value) for e in window.store.entities(article.id)]
            if shown != stored:
                print(f"MISMATCH {name} article {article.id}: shown {shown} stored {stored}", flush=True)
        print("SHOWN " + json.dumps({"action": name, "view": view_of(window), "log": log(window.store)}), flush=True)
    if args.close:
        window.close()
    print("DONE", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
