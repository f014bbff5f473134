"""The demo project: built once from seeds/, complete or not at all."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.demo import default_demo_path, ensure_demo_project
from annotator.errors import ModelError
from annotator.paths import data_dir, seeds_dir
from annotator.store import AnnotationStore


def test_the_demo_is_built_once_with_suggestions(tmp_path, ruler_model):
    path = tmp_path / "sub" / "demo.db"
    seen = []
    assert ensure_demo_project(path, model=ruler_model, on_progress=seen.append) == path
    assert {p.label for p in seen} == {"Importing", "Suggesting entities"}
    store = AnnotationStore.open(path)
    try:
        seed = next(seeds_dir().glob("*.txt")).read_text("utf-8")
        assert store.article(1).text == seed
        assert {seed[e.start:e.end] for e in store.entities(1)} >= {"Putin", "Kremlin", "Russia"}
    finally:
        store.close()
    assert sorted(p.name for p in path.parent.iterdir()) == ["demo.db"]
    stamp = path.stat().st_mtime_ns
    assert ensure_demo_project(path, model=ruler_model) == path
    assert path.stat().st_mtime_ns == stamp


def test_a_failed_build_leaves_nothing_behind(tmp_path):
    with pytest.raises(ModelError):
        ensure_demo_project(tmp_path / "demo.db", model="no_such_model")
    assert list(tmp_path.iterdir()) == []


def test_the_default_place_is_the_data_folder():
    assert default_demo_path() == data_dir() / "demo.db"


def test_the_demo_builds_from_an_installed_layout(tmp_path, ruler_model):
    """As in a wheel: resources/ and seeds/ live inside the package, with no checkout around."""
    repo = Path(__file__).resolve().parents[2]
    site = tmp_path / "site"
    shutil.copytree(repo / "annotator", site / "annotator", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(repo / "resources", site / "annotator" / "resources")
    shutil.copytree(repo / "seeds", site / "annotator" / "seeds")
    code = (
        "import annotator.demo as d, annotator.paths as p, sys;"
        f"print(str(p.seeds_dir().parent) == str(p.resources_dir().parent) == {str(site / 'annotator')!r});"
        f"print(d.ensure_demo_project(model={ruler_model!r}))"
    )
    env = {"PATH": "", "PYTHONPATH": str(site), "ANNOTATOR_DATA_DIR": str(tmp_path / "data"), "HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", str(tmp_path / "data" / "demo.db")]


BARE = "opens the demo project the first time, then the project you had open last"


def test_the_readme_and_the_help_say_what_bare_annotator_opens(runner):
    """Issue 10, defect 10: the README promised the demo while `annotator` opened the last project."""
    from annotator.cli import cli

    readme = " ".join((Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8").split())
    assert f"`annotator` alone {BARE}" in readme
    assert BARE in " ".join(runner.invoke(cli, ["--help"]).output.split())


@pytest.mark.gui
def test_bare_annotator_opens_the_demo_first_then_the_last_project(tmp_path, monkeypatch, ruler_model):
    """What the README says: the demo on the first run, then the project open last, named in the title."""
    pytest.importorskip("pytestqt")
    from PySide6.QtCore import QEvent, QSettings, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from annotator_ui.app import run
    from annotator_ui.main_window import MainWindow
    from annotator_ui.settings import Settings

    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    monkeypatch.setenv("ANNOTATOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr("annotator_ui.app.settle", lambda: None)  # gc.freeze would keep this test's windows for good
    earlier = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]  # other tests' (random order)

    def opened() -> str:
        """Run bare `annotator` (the app with no project) and return the title of the window it opens."""
        seen = []

        def look():
            windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
            if not windows:
                QTimer.singleShot(20, look)
                return
            seen.append(windows[0].windowTitle())
            windows[0].setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # no window outlives the test
            windows[0].close()

        QTimer.singleShot(0, look)
        assert run(None, model=ruler_model) == 0
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        return seen[0]

    assert opened() == "demo.db — annotator"
    news = tmp_path / "news.db"
    AnnotationStore.open(news, create=True).close()
    Settings().last_project = news
    assert opened() == "news.db — annotator"
    news.unlink()
    assert opened() == "demo.db — annotator"  # the last project is gone: the demo again
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w not in earlier]
