"""Starting the app: the `annotator` command, errors as one line, the first article before the model."""

import threading

import pytest
from click.testing import CliRunner
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

import annotator_ui.lookahead
from annotator.errors import ModelError
from annotator_ui.app import resolve_annotator, run
from annotator_ui.cli import cli, main
from annotator_ui.main_window import MainWindow
from annotator_ui.settings import Settings

pytestmark = pytest.mark.gui


def invoke(*args):
    from annotator_ui.cli import _launch

    return CliRunner().invoke(cli, list(args), obj={"launch": _launch})


def main_windows() -> list[MainWindow]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]


@pytest.mark.parametrize("content", [None, b"just some text, not a database\n"])
def test_open_refuses_a_bad_project_in_one_line(tmp_path, content):
    path = tmp_path / "bad.db"
    if content is not None:
        path.write_bytes(content)
    earlier = main_windows()  # closed windows of earlier tests linger, hidden, until deleted
    result = invoke("open", str(path))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "bad.db" in lines[0]
    assert "Traceback" not in result.output
    assert [w for w in main_windows() if w not in earlier] == []


def test_open_appears_in_help():
    result = CliRunner().invoke(cli, ["--help"])
    assert "open" in result.output and "Open a project in the desktop app." in result.output


def test_main_runs_the_group_with_a_launcher(monkeypatch):
    seen = {}
    monkeypatch.setattr("annotator_ui.cli.cli", lambda obj: seen.update(obj))
    main()
    assert callable(seen["launch"])


def test_annotator_name_precedence(monkeypatch):
    settings = Settings()
    settings.annotator = "from-settings"
    monkeypatch.setenv("ANNOTATOR_NAME", "from-env")
    assert resolve_annotator("given", settings) == "given"
    assert resolve_annotator(None, settings) == "from-env"
    monkeypatch.delenv("ANNOTATOR_NAME")
    assert resolve_annotator(None, settings) == "from-settings"
    settings.annotator = ""
    assert resolve_annotator(None, settings)  # the system user: never a dialog


def _close_soon(check):
    """Inspect the window from inside app.exec(), then close it."""
    seen = {}

    def look():
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if not windows:
            QTimer.singleShot(20, look)
            return
        seen.update(check(windows[0]))
        windows[0].close()

    QTimer.singleShot(0, look)
    return seen


def test_run_shows_the_first_article_before_the_model_loads(project, monkeypatch):
    release = threading.Event()

    def slow_model(name):
        release.wait(10)
        raise ModelError("no model in this test")

    monkeypatch.setattr(annotator_ui.lookahead, "_load", slow_model)
    seen = _close_soon(lambda w: {
        "title": w.controller.article.title, "model": w.status.model.text(),
        "annotator": w.store.annotator, "window": w.windowTitle(),
    })
    assert run(project, annotator="alice") == 0
    release.set()
    assert seen == {"title": "Summit in the east", "model": "model: loading model", "annotator": "alice",
                    "window": "news.db — annotator"}
    assert Settings().last_project == project.resolve()


@pytest.mark.model
def test_no_project_opens_the_demo_with_real_suggestions(monkeypatch):
    seen = _close_soon(lambda w: {"path": w.path.name, "text": w.controller.article.text[:20], "entities": len(w.view.entities())})
    assert run(None) == 0
    assert seen["path"] == "demo.db" and seen["text"].startswith("Kremlin Denies")
    assert seen["entities"] > 5  # the demo is built with the model's suggestions


@pytest.mark.model
def test_a_last_project_that_cannot_be_opened_says_so_and_opens_the_demo(tmp_path, capsys):
    """Started from a launcher with no project named, a damaged last project used to end the app
    before any window: nothing on screen at all."""
    broken = tmp_path / "broken.db"
    broken.write_text("not a database", encoding="utf-8")
    Settings().last_project = broken
    seen = _close_soon(lambda w: {"path": w.path.name, "said": w.status.currentMessage()})
    assert run(None) == 0
    expected = f"{broken}: not an annotator project (not an SQLite database); the demo project opened instead"
    assert seen == {"path": "demo.db", "said": expected}
    assert capsys.readouterr().err == f"Error: {expected}\n"
    assert broken.read_text(encoding="utf-8") == "not a database" and Settings().last_project.name == "demo.db"
