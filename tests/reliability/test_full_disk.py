"""A full disk: every failed write says what was not saved, that nothing saved was lost, and what to do.

Each case runs twice: on a real full disk (a small tmpfs, filled to the last
block; skipped where mounting is not permitted) and with the error injected
(``OSError(ENOSPC)`` or SQLite's "database or disk is full"), which always runs.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import subprocess

import pytest

pytest.importorskip("pytestqt")

from click.testing import CliRunner  # noqa: E402
from PySide6.QtCore import QSettings, Qt  # noqa: E402

from annotator import exporting  # noqa: E402
from annotator.cli import cli  # noqa: E402
from annotator.store import AnnotationStore  # noqa: E402

from ._support import dump, make_project, make_review_project  # noqa: E402

DISK_FULL = sqlite3.OperationalError("database or disk is full")


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB tmpfs of its own (needs root and permission to mount)."""
    mountpoint = tmp_path / "disk"
    mountpoint.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mountpoint)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], capture_output=True)


def fill(disk) -> None:
    """Take every free block of ``disk`` with a file named ``filler`` (remove it to free them)."""
    with open(disk / "filler", "wb", buffering=0) as f:
        for block in (1 << 16, 1 << 12, 1 << 9):
            try:
                while True:
                    f.write(b"\0" * block)
            except OSError as e:
                assert e.errno == errno.ENOSPC


def run_cli(args: list[str]):
    result = CliRunner().invoke(cli, args, prog_name="annotator", catch_exceptions=False)
    return result.exit_code, result.stderr.strip()


def _accepted_project(path) -> None:
    ids = make_project(path, 30)
    store = AnnotationStore.open(path, annotator="maker")
    try:
        for article_id in ids:
            store.accept(article_id)
    finally:
        store.close()


def _jsonl(path, n: int):
    path.write_text("".join(json.dumps({"text": f"New article {i} about Grace Hopper. " * 40}) + "\n" for i in range(n)))
    return path


# ----------------------------------------------------------------------- CLI
def test_export_onto_a_full_disk_names_the_file_and_writes_nothing(small_disk, tmp_path):
    project, out = tmp_path / "p.db", small_disk / "out.jsonl"
    _accepted_project(project)
    out.write_text("an earlier export\n", "utf-8")
    fill(small_disk)
    code, error = run_cli(["export", str(project), str(out)])
    assert (code, error) == (1, f"Error: {out}: the disk is full; nothing was written (free some space and export again)")
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "out.jsonl"]  # no temporary file left
    assert out.read_text("utf-8") == "an earlier export\n"
    (small_disk / "filler").unlink()
    assert run_cli(["export", str(project), str(out)])[0] == 0
    assert len(out.read_text("utf-8").splitlines()) == 30


def test_a_brat_export_onto_a_full_disk_says_so_and_leaves_no_folder(small_disk, tmp_path):
    """brat's files are made by a child process (formats/file_maker.py): its error crosses to the
    export by its number, and the half-made folder is removed."""
    project, out = tmp_path / "p.db", small_disk / "brat"
    _accepted_project(project)
    fill(small_disk)
    code, error = run_cli(["export", str(project), str(out), "--format", "brat"])
    assert (code, error) == (1, f"Error: {out}: the disk is full; nothing was written (free some space and export again)")
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]  # no temporary folder left
    (small_disk / "filler").unlink()
    assert run_cli(["export", str(project), str(out), "--format", "brat"])[0] == 0
    assert len(list(out.iterdir())) == 2 * 30 + 1


def test_export_failing_with_enospc_names_the_file_and_writes_nothing(tmp_path, monkeypatch):
    project, out = tmp_path / "p.db", tmp_path / "out.jsonl"
    _accepted_project(project)

    def no_space(f, task):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(exporting, "write_task", no_space)
    code, error = run_cli(["export", str(project), str(out)])
    assert (code, error) == (1, f"Error: {out}: the disk is full; nothing was written (free some space and export again)")
    assert not out.exists() and not list(tmp_path.glob(".out.jsonl.*"))


def test_import_onto_a_full_disk_names_the_project_and_changes_nothing(small_disk, tmp_path):
    project = small_disk / "p.db"
    make_project(project, 5)
    before = dump(project)
    source = _jsonl(tmp_path / "in.jsonl", 2000)  # ~3 MB of text: more than the disk holds
    fill(small_disk)
    code, error = run_cli(["import", str(project), str(source)])
    assert (code, error) == (1, f"Error: {project}: the disk is full; the import changed nothing (free some space and import again)")
    (small_disk / "filler").unlink()
    assert dump(project) == before


def test_import_failing_with_sqlite_full_names_the_project_and_changes_nothing(tmp_path, monkeypatch):
    project = tmp_path / "p.db"
    make_project(project, 5)
    before = dump(project)

    def full(self, records, **kw):
        raise DISK_FULL

    monkeypatch.setattr(AnnotationStore, "add_articles", full)
    code, error = run_cli(["import", str(project), str(_jsonl(tmp_path / "in.jsonl", 3))])
    assert (code, error) == (1, f"Error: {project}: the disk is full; the import changed nothing (free some space and import again)")
    assert dump(project) == before


# ----------------------------------------------------------------------- GUI
@pytest.fixture
def open_window(show_window, tmp_path):
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    from annotator_ui.main_window import MainWindow
    from annotator_ui.settings import Settings

    windows = []

    def factory(path):
        store = AnnotationStore.open(path, annotator="ada")
        window = MainWindow(store, settings=Settings(), worker_factory=None, show_summary=False)
        windows.append(window)
        return show_window(window)

    yield factory
    for window in windows:
        window.close()


def _status(path, article_id):
    store = AnnotationStore.open(path, annotator="reader", readonly=True)
    try:
        return store.article(article_id).status.value
    finally:
        store.close()


def _settled(window):
    return not window.runner.in_flight and window.controller.state == "reviewing"


def _message(article_id, project):
    return (f"Could not save the acceptance of article {article_id} to {project.name}: the disk is full. "
            "Nothing shown as saved was lost; free some space and try again.")


def test_a_decision_on_a_full_disk_says_so_and_keeps_the_article_undecided(small_disk, open_window, qtbot):
    project = make_review_project(small_disk / "news.db", copies=30)
    window = open_window(project)
    fill(small_disk)
    shown_accepted = []
    # Accept article after article until the log needs a block the disk does not have.
    while True:
        current, shown = window.controller.article.id, window.view.text_view.document().toPlainText()
        qtbot.keyClick(window, Qt.Key.Key_A)
        qtbot.waitUntil(lambda: _settled(window), timeout=10_000)
        if window.controller.article.id == current:
            break
        shown_accepted.append(current)
    assert window.status.currentMessage() == _message(current, project)
    assert window.view.text_view.document().toPlainText() == shown  # still the article as it was
    assert _status(project, current) == "pending"
    assert all(_status(project, a) == "accepted" for a in shown_accepted)  # nothing shown as saved was lost
    (small_disk / "filler").unlink()
    qtbot.keyClick(window, Qt.Key.Key_A)  # space again: the same key saves it
    qtbot.waitUntil(lambda: _settled(window) and window.controller.article.id != current, timeout=10_000)
    assert _status(project, current) == "accepted"


def test_a_decision_failing_with_sqlite_full_says_so_and_the_window_stays_usable(tmp_path, open_window, qtbot, monkeypatch):
    project = make_review_project(tmp_path / "news.db")
    window = open_window(project)
    current = window.controller.article.id
    text = window.view.text_view.document().toPlainText()
    accept = AnnotationStore.accept

    def full(self, article_id):
        raise DISK_FULL

    monkeypatch.setattr(AnnotationStore, "accept", full)
    qtbot.keyClick(window, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: window.status.currentMessage() == _message(current, project), timeout=10_000)
    qtbot.waitUntil(lambda: _settled(window))
    assert window.controller.article.id == current and window.view.text_view.document().toPlainText() == text
    assert _status(project, current) == "pending"
    monkeypatch.setattr(AnnotationStore, "accept", accept)
    qtbot.keyClick(window, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: _settled(window) and window.controller.article.id != current, timeout=10_000)
    assert _status(project, current) == "accepted"


def test_a_background_import_failing_with_sqlite_full_names_the_project(tmp_path, qtbot):
    from annotator_ui.tasks import BackgroundJob

    project = tmp_path / "news.db"
    make_project(project, 3)
    before = dump(project)

    def import_then_full(store, on_progress, should_cancel):
        with store.transaction():
            store.add_articles([{"text": "Half an import."}])
            raise DISK_FULL

    job = BackgroundJob(project, "ada", import_then_full)
    with qtbot.waitSignal(job.failed) as blocker:
        job.start()
    job.wait()
    assert blocker.args == ["Could not save the change to news.db: the disk is full. "
                            "Nothing shown as saved was lost; free some space and try again."]
    assert dump(project) == before
