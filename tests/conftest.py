"""Test isolation shared by every suite.

Qt must be told to render offscreen before any QApplication exists, and no test
may read or write the developer's settings or data, so both are fixed here at
import time, before pytest-qt creates its application.
"""

import os
import sqlite3
import sys
import tempfile
from collections import Counter

_HOME = tempfile.mkdtemp(prefix="annotator-tests-")
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["XDG_CONFIG_HOME"] = os.path.join(_HOME, "config")
os.environ["XDG_DATA_HOME"] = os.path.join(_HOME, "data")
os.environ["ANNOTATOR_DATA_DIR"] = os.path.join(_HOME, "data", "annotator")
os.environ["ANNOTATOR_NAME"] = "tester"

import pytest  # noqa: E402

from annotator import schema  # noqa: E402
from annotator.store import AnnotationStore  # noqa: E402


@pytest.fixture
def store():
    """An in-memory project with no labels and no articles."""
    s = AnnotationStore.memory(annotator="tester")
    yield s
    s.close()


@pytest.fixture
def project_path(tmp_path):
    """A path where a test may create a project file."""
    return tmp_path / "project.db"


@pytest.fixture
def show_window(qtbot):
    """show_window(window): show a MainWindow, make it the active window and wait for its review session
    and for the queue and status bar, which fill in after the first article is painted."""

    def show(window):
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        qtbot.waitUntil(lambda: window.session_id is not None and not window.chrome_pending)
        return window

    return show


def release_mouse_buttons() -> None:
    """Let go of every mouse button a test left down.

    QTest keeps one button state for the whole process (its double click ends
    with the button down), and the window does not look for outside changes
    while a button is held: one test's click stalled a later test's window.
    """
    if "PySide6.QtWidgets" not in sys.modules:  # a test without Qt leaves no button down
        return
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QWidget

    if QApplication.instance() is None or QApplication.mouseButtons() == Qt.MouseButton.NoButton:
        return
    held, target = QApplication.mouseButtons(), QWidget()  # any widget: the state is global
    for button in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton, Qt.MouseButton.MiddleButton,
                   Qt.MouseButton.BackButton, Qt.MouseButton.ForwardButton):
        if held & button:
            QTest.mouseRelease(target, button)


@pytest.fixture(autouse=True)
def no_mouse_button_left_down():
    """Each test starts with no mouse button down, whatever the test before it did."""
    release_mouse_buttons()
    yield
    release_mouse_buttons()


def close_stores_opened_since(before: Counter) -> list[str]:
    """Close every project opened since ``before`` (a copy of schema._held) and still open;
    the paths of those it found.

    schema's "file in use" records outlive a test that forgets to close its
    store, and a later file given the same inode was then refused as in use.
    """
    import gc

    from annotator.store.base import StoreBase

    left = Counter(schema._held) - before
    if not left:
        return []
    gc.collect()
    found = []
    for store in [obj for obj in gc.get_objects() if isinstance(obj, StoreBase) and obj._held in left]:
        if left[store._held] > 0:
            left[store._held] -= 1
            try:
                store.close()
            except sqlite3.ProgrammingError:  # a thread the test left running still uses it, and will close it
                found.append(f"{store.path} (on a thread still running)")
                continue
            found.append(str(store.path))
    for key, count in left.items():  # records whose store was collected unclosed
        for _ in range(count):
            schema.release(key)
            found.append(f"a collected store on (device, inode) {key}")
    return found


@pytest.fixture(autouse=True)
def no_project_left_open():
    """A test that leaves a project open fails itself, instead of a later test meeting its stale record."""
    before = Counter(schema._held)
    yield
    leaked = close_stores_opened_since(before)
    assert not leaked, f"the test left these projects open: {leaked} (close them in a finally or a fixture)"


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path):
    """QSettings go to a folder of this test's own: no test reads the developer's settings, or
    the key bindings another test saved (the path is process-wide: set it for every test)."""
    from PySide6.QtCore import QSettings

    folder = tmp_path / "qsettings"
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
    yield folder
