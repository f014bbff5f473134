"""One action per physical press of a key whose action must not repeat (deciding, undoing, removing),
whatever the platform says about repeats.

Holding a key makes the platform repeat it. Qt marks repeats with
``isAutoRepeat()`` and a QAction with ``setAutoRepeat(False)`` drops them, but
not every X server gets them marked: X auto-repeat sends, for every repeat, a
synthetic release immediately followed by a press (same server timestamp,
about every 25-40 ms after a 500-660 ms delay), and when Qt does not find the
press already queued behind the release it reports both as real. Deciding on
each of those rejected every pending article while the key was held.

So the window watches the keys of its actions that do not repeat
(``ActionSpec.auto_repeat`` False: the decisions, undo, remove...) itself. A
press acts only when all of these hold:

* it is not flagged as a repeat;
* the key's release was seen since its last press (a key still down repeats);
* at least ``QUIET_MS`` passed between that release and this press. X's
  synthetic release/press pairs are 0 ms apart; a person lifting and pressing
  the same key again takes 60 ms or more, so 30 ms tells them apart with room
  on both sides. The gap is measured by the events' own timestamps (the
  platform's clock, unaffected by a busy GUI thread); synthetic events carry
  none (timestamp 0), and then the times they arrived here are compared.

Anything else is a repeat: its shortcut is overridden (the QAction never
triggers) and its key press is dropped. Keys are followed only while the
window is active; when it loses activation every key counts as released, so a
key let go in another window does not eat the next real press.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QWidget

QUIET_MS = 30


def _now_ms() -> float:
    return time.monotonic() * 1000


class OnePressKeys(QObject):
    def __init__(self, window: QWidget):
        super().__init__(window)
        self._window = window
        self._sequences: set[QKeySequence] = set()
        self._down: set[int] = set()  # keys pressed and not yet released
        self._released: dict[int, tuple[int, float]] = {}  # key -> (event timestamp, arrival ms) of its last release
        self._dropped: int | None = None  # the key whose repeat was overridden: its KeyPress follows
        QGuiApplication.instance().installEventFilter(self)

    def set_keys(self, texts: Iterable[str]) -> None:
        """The current keys of the actions that must not repeat (portable text, as annotator_ui.actions resolves them)."""
        self._sequences = {QKeySequence(t, QKeySequence.SequenceFormat.PortableText) for t in texts}

    def close(self) -> None:
        QGuiApplication.instance().removeEventFilter(self)

    def ready(self) -> bool:
        """No watched key is down or within its quiet interval: the next press of any of them acts."""
        now = _now_ms()
        return not self._down and all(now - arrived >= QUIET_MS for _, arrived in self._released.values())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.WindowDeactivate and watched is self._window:
            self._down.clear()
        elif kind == QEvent.Type.KeyRelease and not event.isAutoRepeat() and event.key() in self._down:
            self._down.discard(event.key())
            self._released[event.key()] = (event.timestamp(), _now_ms())
        elif kind == QEvent.Type.ShortcutOverride and self._first_sight(watched) and self._watched(event):
            if self._is_repeat(event):
                self._dropped = event.key()
                event.accept()  # overridden: the shortcut does not trigger
                return True
        elif kind == QEvent.Type.KeyPress and self._dropped == event.key():
            self._dropped = None
            return True  # the key press of a dropped repeat goes nowhere
        return False

    def _first_sight(self, watched: QObject) -> bool:
        """A key event climbs from the focus widget to its parents, passing here at each: count it once,
        and only while this window is the active one (another window follows its own keys)."""
        return self._window.isActiveWindow() and watched is QGuiApplication.focusObject()

    def _watched(self, event) -> bool:
        return QKeySequence(event.keyCombination()) in self._sequences

    def _is_repeat(self, event) -> bool:
        key = event.key()
        if event.isAutoRepeat() or key in self._down:
            self._down.add(key)
            return True
        self._down.add(key)
        released = self._released.get(key)
        if released is None:
            return False
        stamp, arrived = released
        gap = event.timestamp() - stamp if stamp and event.timestamp() else _now_ms() - arrived
        return 0 <= gap < QUIET_MS
