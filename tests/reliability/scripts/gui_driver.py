"""Drive the real window with key presses, printing what it shows after each decision lands.

usage: gui_driver.py PROJECT SETTINGS_DIR --seed N [--annotator NAME] [--actions N] [--close] [--wait-go]

Runs inside its own process (QT_QPA_PLATFORM=offscreen). After each action
(a key press that makes a decision, an edit, an undo or a redo) it waits
until the window has finished the write and redrawn, then prints one line:

    SHOWN {"events": [[id, state], ...], "annotations": [...], "articles": [...]}

read through the window's own connection (what it displays). Every SHOWN
state must be in the project afterwards, even if the process is killed the
next instant. Other lines: READY, BUSY <seconds> (the writer is waiting for
another program's lock), FAILED <message>, MISMATCH <details> (the view does
not show what is stored), DONE.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time

from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest

from annotator import history
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


def snapshot(store: AnnotationStore) -> dict:
    """Everything a decision can change, as the window's read connection sees it."""
    conn = store.conn
    ann_cols = ", ".join(history.COLUMNS["annotations"])
    art_cols = ", ".join(history.COLUMNS["articles"])
    return {
        "events": conn.execute("SELECT id, state FROM events ORDER BY id").fetchall(),
        "annotations": [list(r) for r in conn.execute(f"SELECT {ann_cols} FROM annotations ORDER BY id")],
        "articles": [list(r) for r in conn.execute(f"SELECT {art_cols} FROM articles ORDER BY id")],
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

    from ui.app import application
    from ui.main_window import MainWindow
    from ui.settings import Settings

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
    settled = lambda: (  # noqa: E731  (one_press: a quicker press of a key just released would count as a repeat)
        not window.runner.in_flight and window.controller.state != "transition" and window.one_press.ready()
    )
    print("READY", flush=True)
    if args.wait_go:
        sys.stdin.readline()

    rng = random.Random(args.seed)
    names = list(ACTIONS)
    weights = [ACTIONS[n][0] for n in names]
    for _ in range(args.actions):
        name = rng.choices(names, weights)[0]
        for key, modifier in ACTIONS[name][1]:
            if key == "digit":
                key = rng.choice(DIGITS)
            QTest.keyClick(window, key, modifier)
            wait_until(settled)
        app.processEvents()
        article = window.controller.article
        if article is not None:
            shown = [(e.id, e.start, e.end, e.label, e.state.value) for e in window.view.entities()]
            stored = [(e.id, e.start, e.end, e.label, e.state.value) for e in window.store.entities(article.id)]
            if shown != stored:
                print(f"MISMATCH {name} article {article.id}: shown {shown} stored {stored}", flush=True)
        print("SHOWN " + json.dumps({"action": name, **snapshot(window.store)}), flush=True)
    if args.close:
        window.close()
    print("DONE", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
