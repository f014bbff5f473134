"""The kill test: the real application, driven by key presses, killed with SIGKILL at random moments.

Every decision the window showed as made must be in the project afterwards,
and the database must be intact. The driver prints the state it shows after
each decision (``scripts/gui_driver.py``); at the moment of the kill at most
one more decision can have been committed without being shown, and the
project must then equal the last shown state with exactly that one event
applied (replayed from the event's own row-level changes).

Also: two windows (two processes) on one project at once, and a window
working while ``annotator import`` holds the write lock.
"""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from annotator import history
from annotator.store import AnnotationStore

from ._support import SCRIPTS, integrity, kill_rounds, make_review_project, subprocess_env, wait_for_writer

pytestmark = pytest.mark.gui

DRIVER = str(SCRIPTS / "gui_driver.py")


def _start(project, settings, *args):
    return subprocess.Popen(
        [sys.executable, DRIVER, str(project), str(settings), *map(str, args)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=subprocess_env(),
    )


def _stored(path) -> dict:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        ann_cols = ", ".join(history.COLUMNS["annotations"])
        art_cols = ", ".join(history.COLUMNS["articles"])
        return {
            "events": {i: (state, json.loads(ops)) for i, state, ops in conn.execute("SELECT id, state, ops FROM events")},
            "annotations": [list(r) for r in conn.execute(f"SELECT {ann_cols} FROM annotations ORDER BY id")],
            "articles": [list(r) for r in conn.execute(f"SELECT {art_cols} FROM articles ORDER BY id")],
        }
    finally:
        conn.close()


def _replay(shown: dict, ops: list, *, backward: bool) -> tuple[list, list]:
    """The shown rows with one event's changes applied, exactly as the store's undo/redo applies them."""
    tables = {
        name: {row[0]: dict(zip(history.COLUMNS[name], row)) for row in shown[name]}
        for name in ("annotations", "articles")
    }
    for table, row_id, before, after in history.steps(ops, backward=backward):
        rows = tables[table]
        if after is None:
            rows.pop(row_id, None)
        elif before is None:
            rows[row_id] = {**dict.fromkeys(history.COLUMNS[table]), **after, "id": row_id}
        else:
            rows[row_id] = {**rows[row_id], **after}
    return tuple(
        [[rows[i][c] for c in history.COLUMNS[name]] for i in sorted(rows)]
        for name, rows in tables.items()
    )


def check_against_last_shown(path, shown: dict) -> str:
    """Raise unless the project holds every shown decision (plus at most the one in flight)."""
    stored = _stored(path)
    was = {i: s for i, s in shown["events"]}
    now = {i: s for i, (s, _) in stored["events"].items()}
    data = (stored["annotations"], stored["articles"])
    lost = [i for i in was if i not in now]
    assert not lost, f"shown events missing from the project: {lost}"
    changed = {i for i in now if was.get(i) != now[i]}
    if not changed:
        assert data == (shown["annotations"], shown["articles"]), "stored rows differ from the shown ones"
        return "as shown"
    new = [i for i in changed if i not in was]
    if new:  # one more decision committed (and any undone steps dropped by it)
        assert len(new) == 1 and now[new[0]] == "done", f"more than one new event: {new}"
        others = changed - set(new)
        assert all(was[i] == "undone" and now[i] == "dropped" for i in others), {i: (was[i], now[i]) for i in others}
        assert data == _replay(shown, stored["events"][new[0]][1], backward=False)
        return "one more decision"
    assert len(changed) == 1, f"several shown events changed state: {changed}"
    (event,) = changed
    if (was[event], now[event]) == ("done", "undone"):
        assert event == max(i for i, s in was.items() if s == "done"), "undo of a step that was not the latest"
        assert data == _replay(shown, stored["events"][event][1], backward=True)
        return "one more undo"
    assert (was[event], now[event]) == ("undone", "done"), f"event {event}: {was[event]} -> {now[event]}"
    assert data == _replay(shown, stored["events"][event][1], backward=False)
    return "one more redo"


def _kill_round(tmp_path, seed: int) -> tuple[int, str]:
    rng = random.Random(seed)
    folder = tmp_path / f"round-{seed}"
    folder.mkdir()
    project = make_review_project(folder / "news.db")
    proc = _start(project, folder / "settings", "--seed", seed)
    try:
        first = proc.stdout.readline()
        assert first.strip() == "READY", first + proc.stderr.read()
        wanted = rng.randint(1, 30)
        lines = []
        while sum(line.startswith("SHOWN ") for line in lines) < wanted:
            line = proc.stdout.readline()
            assert line, "driver ended early:\n" + proc.stderr.read()
            lines.append(line)
        time.sleep(rng.uniform(0, 0.03))  # between decisions, or in the middle of one
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        lines += proc.stdout.read().splitlines()  # what it printed before it died counts as shown
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            stream.close()
    assert proc.returncode == -signal.SIGKILL
    assert not [line for line in lines if line.startswith(("MISMATCH", "FAILED", "TIMEOUT"))]
    shown = [json.loads(line[len("SHOWN "):]) for line in lines if line.startswith("SHOWN ")]
    assert integrity(project) == "ok"
    verdict = check_against_last_shown(project, shown[-1])
    # And the project opens and takes decisions again at once.
    store = AnnotationStore.open(project, annotator="after")
    store.skip(1)
    store.close()
    return len(shown), verdict


def test_kill_the_window_at_random_moments(tmp_path):
    started = time.monotonic()
    for seed in range(kill_rounds(slow=False)):
        _kill_round(tmp_path, seed)
    assert time.monotonic() - started < 120


@pytest.mark.slow
def test_kill_the_window_many_times(tmp_path):
    verdicts = {}
    for seed in range(100, 100 + kill_rounds(slow=True)):
        _, verdict = _kill_round(tmp_path, seed)
        verdicts[verdict] = verdicts.get(verdict, 0) + 1
    print(verdicts)


def test_the_replay_check_catches_a_lost_decision(tmp_path):
    """The checker itself: a state with a decision that is not in the file must fail."""
    project = make_review_project(tmp_path / "news.db")
    store = AnnotationStore.open(project, annotator="ada")
    store.accept(1)
    store.close()
    conn = sqlite3.connect(str(project))
    ann = ", ".join(history.COLUMNS["annotations"])
    art = ", ".join(history.COLUMNS["articles"])
    shown = {
        "events": conn.execute("SELECT id, state FROM events").fetchall(),
        "annotations": [list(r) for r in conn.execute(f"SELECT {ann} FROM annotations ORDER BY id")],
        "articles": [list(r) for r in conn.execute(f"SELECT {art} FROM articles ORDER BY id")],
    }
    conn.close()
    assert check_against_last_shown(project, shown) == "as shown"
    store = AnnotationStore.open(project, annotator="ada")
    store.reject(2)
    store.close()
    assert check_against_last_shown(project, shown) == "one more decision"
    store = AnnotationStore.open(project, annotator="ada")
    store.undo()
    store.undo()  # two steps beyond what was shown: the reject and the shown accept
    store.close()
    with pytest.raises(AssertionError):
        check_against_last_shown(project, shown)


# ------------------------------------------------------------------ two at once
def _finish(proc, timeout=180, *, alone=True) -> list[str]:
    """Wait for a driver to finish normally; no crash, no unexpected error, no timeout.

    With another window on the same project a view can show what that window
    has since changed (windows do not watch each other), and a decision on
    an entity the other person just removed is refused with a message: both
    are allowed then (``alone=False``), failures with an unexpected error never.
    """
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err[-3000:]
    lines = out.splitlines()
    assert lines[-1] == "DONE", err[-3000:]
    bad = ("MISMATCH", "FAILED", "TIMEOUT") if alone else ("FAILED unexpected", "TIMEOUT")
    assert not [line for line in lines if line.startswith(bad)], [line for line in lines if not line.startswith("SHOWN")]
    return lines


def _events_of(path, annotator) -> dict[int, str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return dict(conn.execute("SELECT id, state FROM events WHERE annotator = ?", (annotator,)).fetchall())
    finally:
        conn.close()


def _own_events(lines, annotator, path) -> None:
    """The events this window last showed for its own annotator are all stored, in the same state."""
    last = json.loads([line for line in lines if line.startswith("SHOWN ")][-1][len("SHOWN "):])
    stored = _events_of(path, annotator)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    mine = {i for (i,) in conn.execute("SELECT id FROM events WHERE annotator = ?", (annotator,))}
    conn.close()
    shown = {i: s for i, s in last["events"] if i in mine}
    assert {i: stored[i] for i in shown} == shown


def test_two_windows_on_one_project(tmp_path):
    project = make_review_project(tmp_path / "news.db", copies=3)
    first = _start(project, tmp_path / "s1", "--seed", 1, "--annotator", "ada", "--actions", 25, "--close")
    second = _start(project, tmp_path / "s2", "--seed", 2, "--annotator", "bob", "--actions", 25, "--close")
    lines_a, lines_b = _finish(first, alone=False), _finish(second, alone=False)
    assert integrity(project) == "ok"
    _own_events(lines_a, "ada", project)
    _own_events(lines_b, "bob", project)
    store = AnnotationStore.open(project)
    sessions = store.sessions()
    store.close()
    assert {s["annotator"] for s in sessions} >= {"ada", "bob"}
    assert all(s["ended_at"] for s in sessions if s["annotator"] in ("ada", "bob"))


IMPORT = """
import sys
from annotator.importing import import_into_project
print(import_into_project(sys.argv[1], [sys.argv[2]]).summary(), flush=True)
"""


def test_a_window_keeps_working_while_an_import_holds_the_lock(tmp_path):
    """GUI + `annotator import` at once: the window waits (BUSY), nothing fails, nothing is lost."""
    project = make_review_project(tmp_path / "news.db")
    source = tmp_path / "many.jsonl"
    with source.open("w", encoding="utf-8") as f:
        for i in range(40_000):
            f.write(json.dumps({"text": f"Imported article {i}. " + "Ada Lovelace met Charles Babbage. " * 20}) + "\n")
    window = _start(project, tmp_path / "s", "--seed", 3, "--annotator", "ada", "--actions", 20, "--close", "--wait-go")
    assert window.stdout.readline().strip() == "READY"
    importer = subprocess.Popen(
        [sys.executable, "-c", IMPORT, str(project), str(source)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=subprocess_env(),
    )
    wait_for_writer(project, timeout=60, still_running=lambda: importer.poll() is None)
    window.stdin.write("go\n")
    window.stdin.flush()
    out, err = importer.communicate(timeout=300)
    assert importer.returncode == 0, err
    assert "imported 40000 articles" in out
    lines = _finish(window)
    assert [line for line in lines if line.startswith("BUSY")], "the window never reported waiting for the lock"
    assert integrity(project) == "ok"
    _own_events(lines, "ada", project)
    store = AnnotationStore.open(project)
    assert store.article_count() == 40_000 + 8
    store.close()
