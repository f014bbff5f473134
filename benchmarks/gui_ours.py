"""The real app under measurement (imported only inside a GUI child process).

``open`` and ``memory`` go through ``annotator_ui.app.run`` itself (settings, annotator
name, QApplication set-up, opening the store, the main window, the event
loop); the only thing swapped is ``MainWindow``, for a subclass that watches
the article view's paints and reports once the first article is on screen.
``open`` passes ``worker_factory=None`` (no model: "model loading excluded");
``memory`` keeps the real look-ahead worker and waits for the model to load.
"""

from __future__ import annotations

import gc
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from .gui_child import SPAWNED, PaintWatch, _articles, _emit, _press_loop, _qt_position, showing, wait_until

_STAMPS: dict[str, float] = {}
_HOME: list[str] = []


def _isolate_settings() -> None:
    """Fresh QSettings per process: no remembered geometry, position or last project."""
    home = tempfile.mkdtemp(prefix="annotator-bench-home-")
    _HOME.append(home)
    os.environ["XDG_CONFIG_HOME"] = os.path.join(home, "config")
    os.environ["XDG_DATA_HOME"] = os.path.join(home, "data")
    os.environ["HOME"] = home
    os.environ.setdefault("ANNOTATOR_NAME", "bench")


def _exit() -> None:
    """Leave at once (the measurement is taken): no window shutdown, no session summary."""
    sys.stdout.flush()
    for home in _HOME:
        shutil.rmtree(home, ignore_errors=True)
    os._exit(0)


def _first_article(project: str):
    articles, _ = _articles(project, 1)
    return articles[0] if articles else (None, [])


def _watching_window(*, with_model: bool, on_first_paint):
    """A MainWindow subclass that calls ``on_first_paint(window)`` once the first article is painted."""
    from PySide6.QtCore import QTimer

    from annotator_ui import main_window

    base = main_window.MainWindow

    class BenchWindow(base):
        def __init__(self, store, **kwargs):
            _STAMPS["window_init"] = time.monotonic()
            if not with_model:
                kwargs["worker_factory"] = None
            super().__init__(store, **kwargs)
            _STAMPS["window_built"] = time.monotonic()
            self._bench_done = False
            self._bench_watch = PaintWatch(self.view.text_view, on_paint=self._bench_painted)

        def _bench_painted(self):
            if not self._bench_done:
                QTimer.singleShot(0, self._bench_check)  # runs once this paint has finished

        def _bench_check(self):
            if self._bench_done:
                return
            article = self.controller.article
            if article is None or not showing(self.view.text_view, article.text, None):
                return
            self._bench_done = True
            _STAMPS["first_paint"] = time.monotonic()
            on_first_paint(self)

    main_window.MainWindow = BenchWindow  # annotator_ui.app.run imports it from there at call time
    return BenchWindow


def open(project: str, start: str = "0") -> None:  # noqa: A001 - the child command's name
    """Process start -> first article painted, through annotator_ui.app.run, without the model.

    ``start``: an article id the app remembers as the last position (0: none).
    """
    _isolate_settings()
    if int(start):
        from annotator_ui.settings import Settings

        Settings().set_last_position(Path(project), int(start))
    _STAMPS["imports_start"] = time.monotonic()
    from PySide6.QtWidgets import QApplication

    from annotator_ui import app as ui_app

    _STAMPS["imports_done"] = time.monotonic()

    def first_paint(window) -> None:
        QApplication.instance().exit(0)

    _watching_window(with_model=False, on_first_paint=first_paint)
    code = ui_app.run(Path(project), annotator="bench")
    if "first_paint" not in _STAMPS:
        raise SystemExit(f"the app exited ({code}) before showing an article")
    s = _STAMPS
    _emit(
        seconds=s["first_paint"] - SPAWNED,
        phases={
            "interpreter_and_bench": s["imports_start"] - SPAWNED,
            "import_gui": s["imports_done"] - s["imports_start"],
            "to_window": s["window_init"] - s["imports_done"],
            "window_init": s["window_built"] - s["window_init"],
            "to_first_paint": s["first_paint"] - s["window_built"],
        },
    )
    _exit()


def memory(project: str, settle: str = "2.0") -> None:
    """Resident memory once the first article is shown and the model has loaded (look-ahead idle)."""
    _isolate_settings()
    from PySide6.QtWidgets import QApplication

    from annotator_ui import app as ui_app
    from annotator_ui import lookahead

    from .common import rss_mb

    state: dict = {}

    def first_paint(window) -> None:
        app = QApplication.instance()
        ready = wait_until(app, lambda: window.worker is None
                           or window.worker.state in (lookahead.READY, lookahead.UNAVAILABLE), timeout=120)
        state["model_state"] = None if window.worker is None else window.worker.state
        state["model_ready"] = ready
        deadline = time.perf_counter() + float(settle)
        wait_until(app, lambda: time.perf_counter() > deadline, timeout=float(settle) + 5)
        gc.collect()
        state["rss_mb"] = rss_mb()
        state["article_chars"] = len(window.controller.article.text)
        app.exit(0)

    _watching_window(with_model=True, on_first_paint=first_paint)
    ui_app.run(Path(project), annotator="bench")
    if "rss_mb" not in state:
        raise SystemExit("the app exited before the first article was shown")
    _emit(**state)
    _exit()


def next(project: str, presses: str, workdir: str | None = None, start: str = "0", pause_ms: str = "0") -> None:  # noqa: A001
    """Key press A -> next article painted with its highlights, in the real main window (no model)."""
    _isolate_settings()
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from annotator.store import AnnotationStore
    from annotator_ui.app import application
    from annotator_ui.main_window import MainWindow
    from annotator_ui.settings import Settings

    presses_n = int(presses)
    # Work on a copy: every press accepts an article.
    work = Path(tempfile.mkdtemp(prefix="annotator-bench-next-", dir=workdir))
    copy = work / Path(project).name
    shutil.copyfile(project, copy)
    articles, _ = _articles(str(copy), presses_n + 1, int(start) or None)
    app = application()
    settings = Settings()
    if int(start):
        settings.set_last_position(copy, int(start))  # the window opens where the reviewer left off
    store = AnnotationStore.open(copy, annotator="bench")
    window = MainWindow(store, settings=settings, worker_factory=None, show_summary=False)
    window.show()
    window.activateWindow()
    view = window.view.text_view
    watch = PaintWatch(view)
    first = articles[0]
    first_pos = _qt_position(first[0].text, first[1][0].start) if first[1] else None
    if not wait_until(app, lambda: watch.paints > 0 and showing(view, first[0].text, first_pos), timeout=30):
        raise SystemExit("the first article was not shown")
    wait_until(app, lambda: not window.runner.in_flight, timeout=10)  # the session start has landed
    from annotator_ui import app as ui_app

    if hasattr(ui_app, "settle"):
        ui_app.settle()  # what annotator_ui.app.run does once the first article is up (gc.freeze)
    # Steady state: the blank tokenizer (spaCy import) loads on a thread at start-up and would
    # compete for the GIL with the first presses; a reviewer reads the first article meanwhile.
    tokenizer_ready = wait_until(app, lambda: window.tokenizer.tokens("x") is not None, timeout=30)
    target = app.focusWidget() or view
    profile = os.environ.get("BENCH_PROFILE")  # a file for pyinstrument's text report of the presses
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
    one_press = getattr(window, "one_press", None)  # absent in the windows of older versions, measured too
    times = _press_loop(
        app, target, watch, articles, presses_n, QTest, Qt, int(pause_ms) / 1000, ready=one_press and one_press.ready
    )
    if profile:
        profiler.stop()
        Path(profile).write_text(profiler.output_text(unicode=True, show_all=False), encoding="utf-8")
    size = view.viewport().size()
    from .gui_child import _summary

    result = _summary(times, chars=len(first[0].text), entities=len(first[1]),
                      viewport=[size.width(), size.height()], focus=type(target).__name__,
                      tokenizer_ready=tokenizer_ready)
    _emit(**result)
    shutil.rmtree(work, ignore_errors=True)
    _exit()
