"""A decision and its undo-log row are one transaction: a SIGKILL between the two writes leaves neither.

The random kills of ``test_kill.py`` hit the moment between a decision's rows
and its ``events`` row only sometimes. Here a child process makes one decision
and kills itself exactly at that moment (``scripts/kill_at_undo_log.py``
watches the connection's statements); the project must then be exactly as it
was before the decision, every time.
"""

from __future__ import annotations

import signal

import pytest

from annotator.store import AnnotationStore

from ._support import SCRIPTS, dump, integrity, make_review_project, run_python

SCRIPT = str(SCRIPTS / "kill_at_undo_log.py")
# one of each code path that writes a step: accept, a status (reject, skip and reopen share it), an insert,
# an update (confirm, relabel and resize share it), a delete, and the two that replay a step
ACTIONS = ["accept", "reject", "add entity", "relabel entity", "remove entity", "undo", "redo"]


def _prepared(path):
    """The review project, with one step of ada's done and one undone (so undo and redo have work)."""
    make_review_project(path)
    store = AnnotationStore.open(path, annotator="ada")
    try:
        store.accept(4)
        store.reject(6)
        store.undo()  # the reject is undone: redo's work; the accept is undo's
    finally:
        store.close()
    return path


@pytest.mark.parametrize("point", ["at", "after"])
@pytest.mark.parametrize("action", ACTIONS)
def test_a_kill_where_the_undo_log_is_written_leaves_the_decision_out(tmp_path, action, point):
    project = _prepared(tmp_path / "news.db")
    before = dump(project)
    child = run_python([SCRIPT, str(project), action, point])
    assert child.returncode == -signal.SIGKILL, child.stdout + child.stderr
    assert integrity(project) == "ok"
    assert dump(project) == before, f"{action}: killed at its undo-log write, yet part of it was committed"
    # the same decision, not killed, does change the project: the kill above left out something real
    finished = run_python([SCRIPT, str(project), action, "none"])
    assert finished.returncode == 0 and finished.stdout == "DONE\n", finished.stdout + finished.stderr
    assert dump(project)["events"] != before["events"]
