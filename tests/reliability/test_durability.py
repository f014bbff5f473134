"""Durability and concurrency of the project file at the store level.

Two processes writing at once lose nothing; a writer that must wait says so
(``on_busy``) instead of failing; a process killed at any moment leaves every
decision it reported, and an intact database.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from annotator.store import base as store_module  # where the lock wait lives
from annotator.errors import AnnotatorError
from annotator.store import AnnotationStore

from ._support import SCRIPTS, integrity, kill_rounds, make_project, run_python, subprocess_env, wait_for_writer

DECIDE = str(SCRIPTS / "decide.py")
ACTIONS = {"add": "add entity", "accept": "accept article", "reopen": "reopen article", "relabel": "relabel entity"}


def schedule(ids: list[int]):
    """The decisions decide.py makes, in order: (event action, article id, effect on the state)."""
    for a in ids:
        yield "add entity", a, ("label", "PERSON")
        yield "accept article", a, ("status", "accepted")
    r = 0
    while True:
        r += 1
        for a in ids:
            yield "relabel entity", a, ("label", "ORG" if r % 2 else "PERSON")
            yield ("reopen article", a, ("status", "pending")) if r % 2 else ("accept article", a, ("status", "accepted"))


def expected_after(ids: list[int], n: int) -> tuple[list[tuple[str, int]], dict[int, dict]]:
    """The event log and per-article state after the first ``n`` scheduled decisions."""
    state = {a: {"label": None, "status": "pending"} for a in ids}
    log = []
    for i, (action, a, (key, value)) in enumerate(schedule(ids)):
        if i == n:
            break
        log.append((action, a))
        state[a][key] = value
    return log, state


def stored(path, annotator: str, ids: list[int]) -> tuple[list[tuple[str, int]], dict[int, dict]]:
    conn = sqlite3.connect(str(path))
    try:
        log = conn.execute(
            "SELECT action, article_id FROM events WHERE annotator = ? AND state = 'done' ORDER BY id", (annotator,)
        ).fetchall()
        state = {}
        for a in ids:
            labels = [r[0] for r in conn.execute("SELECT label FROM annotations WHERE article_id = ?", (a,))]
            assert len(labels) <= 1, f"article {a} has {len(labels)} entities"
            status = conn.execute("SELECT status FROM articles WHERE id = ?", (a,)).fetchone()[0]
            state[a] = {"label": labels[0] if labels else None, "status": status}
        return [tuple(r) for r in log], state
    finally:
        conn.close()


def printed(lines: list[str]) -> list[tuple[str, int]]:
    out = []
    for line in lines:
        if line.startswith("OK "):
            _, name, article_id, _ = line.split()
            out.append((ACTIONS[name.split(":")[0]], int(article_id)))
    return out


# ------------------------------------------------------------------ two writers
def test_two_processes_writing_at_once_lose_no_decision(tmp_path):
    path = tmp_path / "project.db"
    ids = make_project(path, 40)
    start_at = time.time() + 1.5  # both past their imports, then they start together
    procs = [
        subprocess.Popen(
            [sys.executable, DECIDE, str(path), who, str(first), "2", "20", "--hold", "0.005", "--start-at", str(start_at)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=subprocess_env(),
        )
        for who, first in (("alice", ids[0]), ("bob", ids[1]))
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outputs):
        assert p.returncode == 0, err
    assert integrity(path) == "ok"
    for who, first, (out, _) in zip(("alice", "bob"), (ids[0], ids[1]), outputs):
        mine = [first + 2 * i for i in range(20)]
        shown = printed(out.splitlines())
        assert len(shown) == 40
        log, state = stored(path, who, mine)
        assert log == shown
        assert state == expected_after(mine, 40)[1]


def test_two_processes_creating_the_same_new_project_at_once(tmp_path):
    """Three processes run ``open(create=True)`` on one new path together: all must get the project."""
    path = tmp_path / "new.db"
    script = (
        "import sys, time\n"
        "from annotator.store import AnnotationStore\n"
        "t = float(sys.argv[2])\n"
        "while time.time() < t: pass\n"
        "s = AnnotationStore.open(sys.argv[1], create=True, annotator=sys.argv[3])\n"
        "s.add_articles([{'text': 'by ' + sys.argv[3]}])\n"
        "s.close()\n"
    )
    failures = []
    for round_ in range(4):
        for p in tmp_path.glob("new.db*"):
            p.unlink()
        start_at = time.time() + 1.0
        procs = [
            subprocess.Popen([sys.executable, "-c", script, str(path), str(start_at), f"p{i}"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=subprocess_env())
            for i in range(3)
        ]
        for p in procs:
            _, err = p.communicate(timeout=60)
            if p.returncode != 0:
                failures.append(err.strip().splitlines()[-1])
        if not failures:
            assert integrity(path) == "ok"
            store = AnnotationStore.open(path)
            try:
                assert store.article_count() == 3
            finally:
                store.close()
    assert not failures, f"concurrent create failed: {failures}"


# ------------------------------------------------------------ waiting writers
def _hold_write_lock(path) -> sqlite3.Connection:
    other = sqlite3.connect(str(path), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE articles SET title = 'held' WHERE id = 1")  # uncommitted
    return other


def test_on_busy_is_called_while_another_connection_holds_the_write_lock(project):
    store = AnnotationStore.open(project, annotator="alice")
    other = _hold_write_lock(project)
    waits: list[float] = []

    def on_busy(waited: float) -> None:
        waits.append(waited)
        if len(waits) == 3:
            other.execute("COMMIT")  # the other writer finishes; ours must then go through

    store.on_busy = on_busy
    try:
        entity, _ = store.add_entity(1, 0, 7, "PERSON")
        assert len(waits) == 3
        assert waits == sorted(waits) and waits[0] >= 0
        assert [e.id for e in store.entities(1)] == [entity.id]
        assert store.article(1).title == "held"  # the other writer's change is kept too
    finally:
        store.close()
        other.close()
    assert integrity(project) == "ok"


def _never_waiting(monkeypatch) -> list[float]:
    """Make every wait for a lock fail at once, and record the store's waits (on_busy).

    Connections get no busy timeout and the store's write loop no patience, so an
    operation that would have waited raises instead: its success proves it did not
    wait, with no clock in the test.
    """
    connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: connect(*a, **{**k, "timeout": 0}))
    monkeypatch.setattr(store_module, "LOCK_WAIT_SECONDS", 0)
    return []


def test_reads_do_not_wait_for_a_writer(project, monkeypatch):
    """WAL: the window keeps showing articles while another process holds the write lock."""
    waits = _never_waiting(monkeypatch)
    other = _hold_write_lock(project)
    try:
        store = AnnotationStore.open(project, annotator="alice")
        try:
            store.on_busy = waits.append
            assert store.article(1).title is None  # committed state only
            assert store.article_count() == 20
            assert store.entities(1) == []
            assert not waits
        finally:
            store.close()
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_writer_gives_up_with_a_clear_message_and_changes_nothing(project, monkeypatch):
    monkeypatch.setattr(store_module, "LOCK_WAIT_SECONDS", 0.5)
    store = AnnotationStore.open(project, annotator="alice")
    try:
        other = _hold_write_lock(project)
        waits = []
        store.on_busy = waits.append
        with pytest.raises(AnnotatorError, match="locked by another program"):
            store.accept(1)
        assert waits, "on_busy was never called while waiting"
        other.execute("ROLLBACK")
        other.close()
        assert store.article(1).status.value == "pending"
        assert store.undo_status().undo is None
        assert not store.conn.in_transaction
        store.accept(1)  # and the next attempt works
        assert store.article(1).status.value == "accepted"
    finally:
        store.close()


def test_a_killed_writer_does_not_leave_the_project_locked(project, monkeypatch):
    """A process killed inside its write transaction: its change vanishes, the lock is released."""
    proc = subprocess.Popen(
        [sys.executable, DECIDE, str(project), "alice", "1", "1", "1", "--hold", "30"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=subprocess_env(),
    )
    assert proc.stdout.readline().strip() == "READY"
    # Wait until the process holds the write lock (its first decision sleeps inside it).
    if not wait_for_writer(project, timeout=20):
        pytest.fail("the writer never took the lock")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stdout.close()
    proc.stderr.close()
    waits = _never_waiting(monkeypatch)  # the lock is free at once, or skip fails
    store = AnnotationStore.open(project, annotator="bob")
    try:
        store.on_busy = waits.append
        store.skip(2)
        assert not waits
        assert store.entities(1) == []  # the killed, uncommitted decision is gone
        assert store.article(2).status.value == "skipped"
    finally:
        store.close()
    assert integrity(project) == "ok"


# ------------------------------------------------------------------ SIGKILL
def _kill_round(tmp_path, seed: int, *, hold: float) -> int:
    rng = random.Random(seed)
    path = tmp_path / f"kill-{seed}.db"
    ids = make_project(path, 6)
    args = [sys.executable, DECIDE, str(path), "alice", str(ids[0]), "1", str(len(ids)), "--loop"]
    if hold:
        args += ["--hold", str(hold)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=subprocess_env())
    lines = [proc.stdout.readline().strip()]
    assert lines[0] == "READY", proc.stderr.read()
    wanted = rng.randint(1, 40)
    while len(lines) <= wanted:
        line = proc.stdout.readline()
        assert line, proc.stderr.read()
        lines.append(line.strip())
    time.sleep(rng.uniform(0, 0.02))  # land anywhere: between decisions or inside one
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    # Read the rest through the same buffered reader (communicate() would skip what readline buffered).
    lines += proc.stdout.read().splitlines()
    proc.stdout.close()
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL

    shown = printed(lines)
    assert integrity(path) == "ok"
    log, state = stored(path, "alice", ids)
    # Every decision shown as made is stored; at most one more (committed, killed before printing).
    assert log[: len(shown)] == shown
    assert len(shown) <= len(log) <= len(shown) + 1
    assert (log, state) == expected_after(ids, len(log))
    # Read-only commands (export, stats) read it as left, -wal and all...
    reader = AnnotationStore.open(path, readonly=True)
    try:
        assert sum(reader.counts().values()) == len(ids)
    finally:
        reader.close()
    # ...and the project opens and takes new decisions at once.
    store = AnnotationStore.open(path, annotator="bob")
    try:
        store.skip(ids[0])
    finally:
        store.close()
    return len(shown)


@pytest.mark.parametrize("hold", [0.0, 0.01], ids=["quick", "holding-lock"])
def test_sigkill_at_random_moments_loses_no_shown_decision(tmp_path, hold):
    for seed in range(kill_rounds(slow=False)):
        _kill_round(tmp_path, seed, hold=hold)


@pytest.mark.slow
@pytest.mark.parametrize("hold", [0.0, 0.01], ids=["quick", "holding-lock"])
def test_sigkill_many_rounds(tmp_path, hold):
    for seed in range(1000, 1000 + kill_rounds(slow=True)):
        _kill_round(tmp_path, seed, hold=hold)


def test_decide_script_runs_to_the_end(project):
    """The helper itself: a full run prints every decision and ends cleanly."""
    result = run_python([DECIDE, str(project), "carol", "1", "1", "3"])
    assert result.returncode == 0, result.stderr
    assert len(printed(result.stdout.splitlines())) == 6


def test_a_second_connection_in_this_process_keeps_our_locks_for_other_programs(tmp_path):
    """The window opens the project several times in one process (reader, writer, look-ahead, search).

    Opening it again must not read the file outside SQLite: any close() of it in this
    process drops every POSIX lock SQLite holds on it, and another program closing its
    connection then deletes the write-ahead log that our connections still write to.
    """
    path = tmp_path / "p.db"
    ids = make_project(path, 3)
    reader = AnnotationStore.open(path, annotator="me")
    writer = AnnotationStore.open(path, annotator="me")  # a second open in this process, as the writer thread does
    writer.defer_checkpoints()
    try:
        writer.accept(ids[0])
        # another program (an export, a second window) opens the project and closes it again
        done = run_python(["-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('SELECT 1 FROM articles').fetchall(); c.close()", str(path)])
        assert done.returncode == 0, done.stderr
        assert path.with_name("p.db-wal").exists()  # it saw our connections and left the log alone
        writer.accept(ids[1])
        seen = run_python(["-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); print(c.execute(\"SELECT count(*) FROM articles WHERE status = 'accepted'\").fetchone()[0])", str(path)])
        assert seen.stdout.strip() == "2", seen.stderr  # the decision after it reached the file others read
        assert reader.article(ids[1]).status.value == "accepted"
    finally:
        writer.close()
        reader.close()
    assert integrity(path) == "ok"
