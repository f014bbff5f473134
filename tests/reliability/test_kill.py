"""The kill test: the real application, driven by key presses, killed with SIGKILL at random moments.

The driver (``scripts/gui_driver.py``) prints what the window SHOWS after each
action, read from its widgets: the article's text and highlights (which
entities, with which label, suggested or confirmed, decoded from the
document's character formats), the status bar's counts, the queue's pending
articles, the article's status and the Undo/Redo menu texts. Two things are
checked, neither against the window's own database connection:

- every action shows its effect (an accept shows the article accepted, a
  relabel the new label...): a store or writer that records something else, or
  nothing, fails here;
- after the kill, a fresh connection finds exactly what the window last
  showed, or, when a key was pressed after that, what it showed with that one
  action applied (its event's row-level changes replayed back must give the
  shown state).

Also: two windows (two processes) on one project at once, and a window
working while ``annotator import`` holds the write lock.
"""

from __future__ import annotations

import json
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter

import pytest

from annotator import history
from annotator.model import EntityState, Status
from annotator.store import AnnotationStore

from ._support import SCRIPTS, integrity, kill_rounds, make_review_project, subprocess_env, wait_for_writer

pytestmark = pytest.mark.gui

DRIVER = str(SCRIPTS / "gui_driver.py")
DECISIONS = {"accept": Status.ACCEPTED.value, "reject": Status.REJECTED.value, "skip": Status.SKIPPED.value}
# the undo step each decision or edit key writes (its event's action)
STEP_OF_KEY = {
    "accept": "accept article", "reject": "reject article", "skip": "skip article", "confirm": "confirm entity",
    "relabel": "relabel entity", "remove": "remove entity", "extend": "resize entity",
}
COUNTS = re.compile(r"accepted (\d+) · rejected (\d+) · skipped (\d+) · pending (\d+) of (\d+)")
COUNTED = [Status.ACCEPTED.value, Status.REJECTED.value, Status.SKIPPED.value, Status.PENDING.value]


def _start(project, settings, *args):
    return subprocess.Popen(
        [sys.executable, DRIVER, str(project), str(settings), *map(str, args)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=subprocess_env(),
    )


def _stored(path) -> dict:
    """Through a fresh read-only connection: the undo log, the rows history writes, texts and hotkeys."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        ann_cols = ", ".join(history.COLUMNS["annotations"])
        art_cols = ", ".join(history.COLUMNS["articles"])
        return {
            "events": {  # id -> (state, action, annotator, ops, article id)
                i: (state, action, annotator, json.loads(ops), article_id)
                for i, state, action, annotator, ops, article_id in conn.execute(
                    "SELECT id, state, action, annotator, ops, article_id FROM events"
                )
            },
            "annotations": [list(r) for r in conn.execute(f"SELECT {ann_cols} FROM annotations ORDER BY id")],
            "articles": [list(r) for r in conn.execute(f"SELECT {art_cols} FROM articles ORDER BY id")],
            "texts": dict(conn.execute("SELECT id, text FROM articles")),
            "hotkeys": dict(conn.execute("SELECT hotkey, name FROM labels WHERE hotkey IS NOT NULL")),
        }
    finally:
        conn.close()


def _replay(rows: dict, ops: list, *, backward: bool) -> dict:
    """The rows with one event's changes applied, exactly as the store's undo/redo applies them."""
    tables = {
        name: {row[0]: dict(zip(history.COLUMNS[name], row)) for row in rows[name]}
        for name in ("annotations", "articles")
    }
    for table, row_id, before, after in history.steps(ops, backward=backward):
        found = tables[table]
        if after is None:
            found.pop(row_id, None)
        elif before is None:
            found[row_id] = {**dict.fromkeys(history.COLUMNS[table]), **after, "id": row_id}
        else:
            found[row_id] = {**found[row_id], **after}
    replayed = {
        name: [[found[i][c] for c in history.COLUMNS[name]] for i in sorted(found)] for name, found in tables.items()
    }
    return {**rows, **replayed}


def _displayed(text: str) -> str:
    """Text as a QTextDocument gives it back: "\r\n", "\r" and "\n" are each one paragraph break."""
    return re.sub(r"\r\n?", "\n", text)


def _article_shown(view: dict, texts: dict[int, str]) -> int | None:
    found = [i for i, text in texts.items() if _displayed(text) == view["text"]]
    assert len(found) <= 1 and (found or not view["text"]), f"the window shows a text no article has: {view['text']!r}"
    return found[0] if found else None


def _seen(view: dict, texts: dict[int, str]) -> dict:
    """A SHOWN view, parsed: what the reviewer reads off the screen."""
    match = COUNTS.fullmatch(view["counts"])
    assert match, view["counts"]
    *counts, total = map(int, match.groups())
    assert sum(counts) == total, view["counts"]
    article_id = _article_shown(view, texts)
    status = view["position"].rsplit(" · ", 1)[1] if " · " in view["position"] else None
    return {
        "article": article_id,
        "entities": [tuple(e) for e in view["entities"]],
        "counts": dict(zip(COUNTED, counts)),
        "status": status,
        "pending": sorted(view["pending"]),
    }


def _would_show(rows: dict, article_id: int | None) -> dict:
    """What the window would show of these rows, on this article (the same shape as ``_seen``)."""
    statuses = {row[0]: row[1] for row in rows["articles"]}
    tally = Counter(statuses.values())
    columns = history.COLUMNS["annotations"]
    entities = [dict(zip(columns, row)) for row in rows["annotations"] if row[1] == article_id]
    text = rows["texts"].get(article_id, "")
    return {
        "article": article_id,
        "entities": sorted((e["id"], _displayed(text[e["start"]:e["end"]]), e["label"], e["state"]) for e in entities),
        "counts": {status: tally.get(status, 0) for status in COUNTED},
        "status": statuses.get(article_id),
        "pending": sorted(i for i, status in statuses.items() if status == Status.PENDING.value),
    }


def _menu_texts(events: dict, annotator: str) -> tuple[str, str]:
    """The Undo and Redo menu texts the log calls for (as MainWindow._refresh_undo writes them)."""
    mine = {i: e for i, e in events.items() if e[2] == annotator}
    done = [i for i, e in mine.items() if e[0] == "done"]
    undone = [i for i, e in mine.items() if e[0] == "undone"]
    undo = f"Undo {history.describe(mine[max(done)][1], mine[max(done)][4])}" if done else "Undo"
    redo = f"Redo {history.describe(mine[min(undone)][1], mine[min(undone)][4])}" if undone else "Redo"
    return undo, redo


def check_each_action_shows_its_effect(steps: list[tuple[dict | None, dict]], stored: dict) -> None:
    """Between consecutive SHOWN views: the decision or edit keyed in between is what the view shows.

    ``steps`` are (KEY line, SHOWN view) in order, the first with no key.
    """
    texts, hotkeys = stored["texts"], stored["hotkeys"]
    before = _seen(steps[0][1], texts)
    for key, view in steps[1:]:
        after = _seen(view, texts)
        action, target = key["action"], key["target"]
        where = f"after {action} (key {key})"
        if action in DECISIONS and before["article"] is not None:
            was, now = before["status"], DECISIONS[action]
            expected = dict(before["counts"])
            expected[was] -= 1
            expected[now] += 1
            assert after["counts"] == expected, f"{where}: counts {after['counts']}, expected {expected}"
            assert (before["article"] in after["pending"]) == (now == Status.PENDING.value), where
            if after["article"] == before["article"]:
                assert after["status"] == now, where
        old = {e[0]: e for e in before["entities"]}
        new = {e[0]: e for e in after["entities"]}
        if target in old and action in ("confirm", "relabel", "remove"):
            _, text, label, state = old[target]
            if action == "remove":
                assert target not in new, f"{where}: entity {target} still shown"
            elif action == "confirm" and state == EntityState.SUGGESTED.value:
                assert new.get(target) == (target, text, label, EntityState.CONFIRMED.value), f"{where}: {new.get(target)}"
            elif action == "relabel":
                label = hotkeys[str(key["digit"])]
                assert new.get(target) == (target, text, label, EntityState.CONFIRMED.value), f"{where}: {new.get(target)}"
        before = after


def check_against_last_shown(path, view: dict, in_flight: str | None, annotator: str = "ada") -> str:
    """Raise unless a fresh connection finds what the window last showed, or (when ``in_flight``
    names the action keyed after it) that with exactly this one action's step applied."""
    stored = _stored(path)
    seen = _seen(view, stored["texts"])
    article_id = seen["article"]
    if _would_show(stored, article_id) == seen:
        if in_flight is None:
            assert _menu_texts(stored["events"], annotator) == (view["undo"], view["redo"]), "undo menu differs"
        return "as shown"
    assert in_flight not in (None, "previous"), (
        f"the project differs from what the window showed:\nshown  {seen}\nstored {_would_show(stored, article_id)}"
    )
    mine = {i: e for i, e in stored["events"].items() if e[2] == annotator}
    done = [i for i, e in mine.items() if e[0] == "done"]
    undone = [i for i, e in mine.items() if e[0] == "undone"]
    if in_flight == "undo":  # the step it undid is now the earliest undone one: redoing it must give the shown state
        step, backward, verdict = min(undone, default=None), False, "one more undo"
    else:  # a decision, an edit or a redo: its step is the latest done one, and undoing it must give the shown state
        step, backward = max(done, default=None), True
        verdict = "one more redo" if in_flight == "redo" else "one more decision"
    assert step is not None, f"{in_flight} in flight, but no step of it in the log"
    if in_flight in STEP_OF_KEY:
        assert mine[step][1] == STEP_OF_KEY[in_flight], f"{in_flight} keyed, {mine[step][1]!r} logged"
    reverted = _replay(stored, mine[step][3], backward=backward)
    assert _would_show(reverted, article_id) == seen, (
        f"the project differs from what the window showed by more than the {in_flight} in flight:\n"
        f"shown  {seen}\nstored {_would_show(stored, article_id)}"
    )
    return verdict


def _parse(lines: list[str]) -> tuple[list[tuple[dict | None, dict]], str | None]:
    """(KEY, SHOWN view) pairs in order, and the action keyed after the last SHOWN, if any."""
    steps, key = [], None
    for line in lines:
        if line.startswith("KEY "):
            key = json.loads(line[len("KEY "):])
        elif line.startswith("SHOWN "):
            steps.append((key, json.loads(line[len("SHOWN "):])["view"]))
            key = None
    return steps, None if key is None else key["action"]


def _kill_round(tmp_path, seed: int) -> tuple[int, str]:
    rng = random.Random(seed)
    folder = tmp_path / f"round-{seed}"
    folder.mkdir()
    project = make_review_project(folder / "news.db")
    proc = _start(project, folder / "settings", "--seed", seed)
    try:
        first = proc.stdout.readline()
        assert first.strip() == "READY", first + proc.stderr.read()
        wanted = rng.randint(1, 30) + 1  # the first SHOWN is the window before any action
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
    steps, in_flight = _parse(lines)
    assert integrity(project) == "ok"
    check_each_action_shows_its_effect(steps, _stored(project))
    verdict = check_against_last_shown(project, steps[-1][1], in_flight)
    # And the project opens and takes decisions again at once.
    store = AnnotationStore.open(project, annotator="after")
    store.skip(1)
    store.close()
    return len(steps), verdict


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


def _view_of(project, article_id: int, annotator: str = "ada") -> dict:
    """A SHOWN view as the driver would print it for this state of the project (for testing the checks)."""
    stored = _stored(project)
    shown = _would_show(stored, article_id)
    counts = shown["counts"]
    undo, redo = _menu_texts(stored["events"], annotator)
    return {
        "text": _displayed(stored["texts"][article_id]),
        "entities": [list(e) for e in shown["entities"]],
        "counts": "accepted {} · rejected {} · skipped {} · pending {} of {}".format(*counts.values(), sum(counts.values())),
        "position": f"Article {article_id} of {len(stored['texts'])} · {shown['status']}",
        "pending": shown["pending"],
        "undo": undo,
        "redo": redo,
    }


def test_the_checks_catch_a_lost_or_a_wrong_decision(tmp_path):
    """The checkers themselves: a shown decision missing from the file, or a different one, must fail."""
    project = make_review_project(tmp_path / "news.db")
    store = AnnotationStore.open(project, annotator="ada")
    store.accept(1)
    store.close()
    shown = _view_of(project, 2)
    assert check_against_last_shown(project, shown, None) == "as shown"
    store = AnnotationStore.open(project, annotator="ada")
    store.reject(2)
    store.close()
    with pytest.raises(AssertionError):
        check_against_last_shown(project, shown, None)  # a change nobody keyed
    assert check_against_last_shown(project, shown, "reject") == "one more decision"
    store = AnnotationStore.open(project, annotator="ada")
    store.accept(3)  # two decisions beyond what was shown, one keyed
    store.close()
    with pytest.raises(AssertionError, match="more than the accept in flight"):
        check_against_last_shown(project, shown, "accept")
    # an accept keyed, a reject shown
    stored = _stored(project)
    before, after = _view_of(project, 1), _view_of(project, 1)
    after["counts"] = "accepted 0 · rejected 1 · skipped 0 · pending 7 of 8"
    after["position"] = "Article 1 of 8 · rejected"
    after["pending"] = [2, 3, 4, 5, 6, 7, 8]
    with pytest.raises(AssertionError, match="after accept"):
        check_each_action_shows_its_effect([(None, before), ({"action": "accept", "target": None}, after)], stored)


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
    shown = {i: s for i, s in last["log"] if i in mine}
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
