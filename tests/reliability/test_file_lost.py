"""A project file deleted, moved over or copied over while a store has it open (issue 9, item 3).

The store notices (``file_lost``), refuses every later write, never recreates the path and
never opens the file now at the path with the old file's -wal; what it held is saved
elsewhere with ``save_copy``.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from annotator.errors import FileLost, ProjectError
from annotator.model import Status
from annotator.store import AnnotationStore

from ._support import integrity


def _project(path, n: int, word: str = "article"):
    store = AnnotationStore.open(path, create=True, annotator="setup")
    try:
        store.add_articles([{"text": f"{word} {i} " + "x" * 500} for i in range(n)])
    finally:
        store.close()
    return path


def _statuses(path) -> list[str]:
    store = AnnotationStore.open(path, readonly=True)
    try:
        return [store.article(i).status.value for i in range(1, store.article_count() + 1)]
    finally:
        store.close()


@pytest.fixture
def opened(tmp_path):
    """A 20-article project open in a store, its first article accepted (in the -wal)."""
    path = _project(tmp_path / "p.db", 20)
    store = AnnotationStore.open(path, annotator="tester")
    store.accept(1)
    try:
        yield store, path
    finally:
        store.close()


def _cannot_write(store, path, reason):
    assert store.file_lost() == reason
    with pytest.raises(FileLost, match=f"not saved: .* was {reason} by another program"):
        store.reject(2)
    assert store.article(2).status is Status.PENDING  # refused before anything was written
    for connect in (lambda: AnnotationStore.open(path), lambda: AnnotationStore.open(path, create=True),
                    lambda: AnnotationStore.checkpoint(path)):
        with pytest.raises(FileLost):
            connect()


def test_a_deleted_project_is_noticed_never_recreated_and_saved_elsewhere(opened, tmp_path):
    store, path = opened
    assert store.file_lost() is None
    path.unlink()
    _cannot_write(store, path, "deleted")
    assert not path.exists()  # before the fix, the checkpoint recreated it empty (0 bytes)
    copy = store.save_copy(tmp_path / "rescued.db")
    assert integrity(copy) == "ok"
    assert _statuses(copy)[:2] == ["accepted", "pending"] and len(_statuses(copy)) == 20


def test_a_project_moved_over_is_noticed_and_left_undamaged(opened, tmp_path):
    store, path = opened
    other = _project(tmp_path / "other.db", 5, word="other")
    os.replace(other, path)
    _cannot_write(store, path, "replaced")
    copy = store.save_copy(tmp_path / "rescued.db")
    store.close()
    assert integrity(path) == "ok" and _statuses(path) == ["pending"] * 5  # the other project, intact
    assert _statuses(copy)[0] == "accepted" and len(_statuses(copy)) == 20


@pytest.mark.parametrize("articles", [0, 200], ids=["smaller", "larger"])
def test_a_project_copied_over_in_place_is_noticed(opened, tmp_path, articles):
    store, path = opened
    other = _project(tmp_path / "other.db", articles, word="other")
    subprocess.run(["cp", str(other), str(path)], check=True)  # cp writes into the same inode
    assert store.file_lost() == "overwritten"
    with pytest.raises(FileLost):
        store.reject(2)


def test_an_unchanged_project_is_not_taken_for_a_lost_one(opened, tmp_path):
    store, path = opened
    other = AnnotationStore.open(path, annotator="other")  # another writer grows and checkpoints it
    try:
        other.add_articles([{"text": f"more {i} " + "y" * 2000} for i in range(300)])
        AnnotationStore.checkpoint(path)
    finally:
        other.close()
    assert store.file_lost() is None
    store.reject(2)
    assert store.article(2).status is Status.REJECTED


def test_a_copy_is_never_written_onto_the_project(opened):
    store, path = opened
    for target in (path, path.with_name(path.name + "-wal")):
        with pytest.raises(ProjectError, match="where this project is open from"):
            store.save_copy(target)


def test_closing_after_a_move_over_leaves_no_wal_to_pair_with_the_new_file(tmp_path):
    path = _project(tmp_path / "p.db", 20)
    store = AnnotationStore.open(path, annotator="tester")
    store.accept(1)  # in the -wal, never checkpointed: the file it belongs to is gone
    os.replace(_project(tmp_path / "other.db", 5, word="other"), path)
    store.close()  # no check asked for before: closing finds out by itself
    assert not path.with_name("p.db-wal").exists()
    assert integrity(path) == "ok" and _statuses(path) == ["pending"] * 5
