"""The app with bad surroundings: a model that cannot load, a file that is not a project."""

from __future__ import annotations

import sqlite3

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QSettings, Qt  # noqa: E402

from annotator import schema  # noqa: E402
from annotator.store import AnnotationStore  # noqa: E402

from ._support import file_state, make_review_project, run_python  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture
def open_window(show_window, tmp_path):
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    from annotator_ui.main_window import MainWindow
    from annotator_ui.settings import Settings

    windows = []

    def factory(model: str):
        path = make_review_project(tmp_path / f"news{len(windows)}.db")
        store = AnnotationStore.open(path, annotator="ada")
        window = MainWindow(store, settings=Settings(), model=model, show_summary=False)  # the real model worker
        windows.append(window)
        return show_window(window)

    yield factory
    for window in windows:
        window.close()


def _broken_model(folder) -> str:
    from .bad_inputs import _damaged_model

    target = folder / "damaged-model"
    _damaged_model(target)
    return str(target)


@pytest.mark.parametrize("which", ["not installed", "broken folder"])
def test_a_model_that_cannot_load_costs_only_the_suggestions(open_window, qtbot, tmp_path, which):
    model = "xx_not_a_model" if which == "not installed" else _broken_model(tmp_path)
    window = open_window(model)
    first = window.controller.article
    assert first is not None and window.view.entities()  # shown at once, with what the project has
    qtbot.waitUntil(lambda: window.status.model.text().startswith("model: unavailable"), timeout=30_000)
    reason = window.status.model.toolTip()
    assert "cannot load" in reason or "is not installed" in reason
    if which == "not installed":
        assert "pip install" in reason and "--model" in reason
    # Reviewing goes on without a model.
    qtbot.keyClick(window, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: not window.runner.in_flight and window.controller.state != "transition")
    assert window.store.article(first.id).status.value == "accepted"


APP = "import sys; from pathlib import Path; from annotator_ui.app import run; sys.exit(run(Path(sys.argv[1])))"


@pytest.mark.parametrize("kind", ["text file", "newer project"])
def test_the_app_refuses_a_file_that_is_not_a_project_in_one_line(tmp_path, kind):
    path = tmp_path / "thing.db"
    if kind == "text file":
        path.write_text("not a project\n", "utf-8")
    else:
        make_review_project(path)
        conn = sqlite3.connect(str(path))
        conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
        conn.commit()
        conn.close()
    before = file_state(path)
    result = run_python(["-c", APP, str(path)], timeout=60)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {path}: "), result.stderr
    assert file_state(path) == before


def test_closing_the_window_while_the_tokenizer_loads_raises_nothing(qtbot, tmp_path, monkeypatch):
    """The tokenizer thread finishing after its window is gone must not die with an exception."""
    import threading

    import annotator.tokens
    from annotator_ui.tokenizer import Tokenizer

    release = threading.Event()
    real = annotator.tokens.tokenize
    monkeypatch.setattr(annotator.tokens, "tokenize", lambda text: (release.wait(10), real(text))[1])
    errors = []
    monkeypatch.setattr(threading, "excepthook", lambda args: errors.append(args.exc_value))
    tokenizer = Tokenizer().start()
    thread = tokenizer._thread
    tokenizer.deleteLater()
    qtbot.waitUntil(lambda: not _alive(tokenizer))
    release.set()
    thread.join(10)
    assert errors == [], f"the tokenizer thread died with {errors[0]!r}"


def _alive(qobject) -> bool:
    import shiboken6

    return shiboken6.isValid(qobject)
