"""Test isolation shared by every suite.

Qt must be told to render offscreen before any QApplication exists, and no test
may read or write the developer's settings or data, so both are fixed here at
import time, before pytest-qt creates its application.
"""

import os
import tempfile

_HOME = tempfile.mkdtemp(prefix="annotator-tests-")
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["XDG_CONFIG_HOME"] = os.path.join(_HOME, "config")
os.environ["XDG_DATA_HOME"] = os.path.join(_HOME, "data")
os.environ["ANNOTATOR_DATA_DIR"] = os.path.join(_HOME, "data", "annotator")
os.environ["ANNOTATOR_NAME"] = "tester"

import pytest  # noqa: E402

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
