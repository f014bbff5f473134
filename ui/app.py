"""Starting the desktop app: pick the project, open it, show the window at once.

No dialog ever stands between the command and the first article: the
annotator's name comes from --annotator, ANNOTATOR_NAME, the settings or the
system user, and the model loads in the background after the window is up.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
from pathlib import Path

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QProgressDialog

from annotator.errors import AnnotatorError
from annotator.identity import default_annotator
from annotator.store import AnnotationStore

from .settings import APPLICATION, ORGANISATION, Settings


def resolve_annotator(given: str | None, settings: Settings) -> str:
    """--annotator, else ANNOTATOR_NAME, else the settings, else the system user."""
    for name in (given, os.environ.get("ANNOTATOR_NAME"), settings.annotator):
        if name and name.strip():
            return name.strip()
    return default_annotator()


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("annotator")
    app.setStyle("Fusion")  # the same calm look on every platform
    font = QFont(app.font())
    font.setPointSizeF(max(font.pointSizeF(), 10.0))
    app.setFont(font)
    return app


class _Done(QObject):
    done = Signal()  # emitted on the worker thread, delivered (queued) on the GUI thread


def build_demo(model: str | None) -> Path:
    """Make the demo project on a worker thread, with a progress dialog (first run only)."""
    from annotator.demo import default_demo_path, ensure_demo_project

    if default_demo_path().exists():
        return default_demo_path()
    dialog = QProgressDialog("Preparing the demo project…", None, 0, 0)
    dialog.setWindowTitle("annotator")
    dialog.setMinimumDuration(600)
    loop, signal, outcome = QEventLoop(), _Done(), {}
    signal.done.connect(loop.quit, Qt.ConnectionType.QueuedConnection)

    def work():
        try:
            outcome["path"] = ensure_demo_project(model=model)
        except BaseException as e:  # re-raised on the GUI thread below
            outcome["error"] = e
        signal.done.emit()

    threading.Thread(target=work, name="annotator-demo", daemon=True).start()
    dialog.setValue(0)
    loop.exec()  # a queued quit cannot be missed, even if the work ends first
    dialog.close()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["path"]


def settle() -> None:
    """Start-up is over: what exists now (Qt wrappers, modules, the window) lives as long as
    the process, so the garbage collector stops walking it on every full collection; the
    thousands of short-lived objects of a long article then cost pauses of their own size."""
    gc.freeze()


def run(project: Path | None, *, annotator: str | None = None, model: str | None = None) -> int:
    """Open ``project`` (None: the last project, else the demo) and run until the window closes.

    A named project that cannot be opened is one line on stderr and exit code 1,
    before any window (or even the QApplication) exists. A last project that cannot be
    opened (damaged, replaced) is said on stderr and in the window, which opens the demo
    instead: started from a launcher, the app would otherwise show nothing at all.
    """
    settings = Settings()
    name = resolve_annotator(annotator, settings)
    problem = None
    try:
        if project is None:
            last = settings.last_project
            store = None
            if last is not None and last.exists():
                try:
                    store, project = AnnotationStore.open(last, annotator=name), last
                except AnnotatorError as e:
                    problem = f"{e}; the demo project opened instead"
                    print(f"Error: {problem}", file=sys.stderr)
            if store is None:
                application()
                project = build_demo(model)
                store = AnnotationStore.open(project, annotator=name)
        else:
            store = AnnotationStore.open(project, annotator=name)
    except AnnotatorError as e:
        print(f"Error: {e}", file=sys.stderr)
        return 1
    app = application()

    from .main_window import MainWindow  # after the project opened: errors never pay for the GUI import

    window = MainWindow(store, settings=settings, model=model)
    settings.last_project = Path(project)
    window.show()
    if problem:
        window.status.say(problem, timeout=0)
    QTimer.singleShot(0, settle)  # once the first article is up
    return app.exec()
