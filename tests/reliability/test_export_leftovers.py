"""A killed export's temporary file is removed by the next export to the same target."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from annotator.formats.files import remove_stale_temps
from annotator.labels import make_labels
from annotator.store import AnnotationStore

from ._support import REPO, run_python, subprocess_env

ARTICLES = 12
# Long articles without stored tokens: the export tokenizes and writes for seconds, long enough to be caught mid-write.
TEXTS = [f"Article {i}: Ada Lovelace met Charles Babbage in London on Monday. " * 1500 for i in range(ARTICLES)]


def _accepted_project(path) -> None:
    store = AnnotationStore.open(path, create=True, annotator="maker")
    try:
        store.add_labels(make_labels(["PERSON"]))
        ids, _ = store.add_articles([{"text": t} for t in TEXTS])
        for article_id in ids:
            store.accept(article_id)
    finally:
        store.close()


def _temps(folder) -> list:
    return sorted(p for p in folder.iterdir() if p.name.startswith(".out.jsonl.") and p.name.endswith(".tmp"))


def test_the_next_export_removes_what_a_killed_export_left_behind(tmp_path):
    project, out = tmp_path / "p.db", tmp_path / "out.jsonl"
    _accepted_project(project)
    proc = subprocess.Popen(
        [sys.executable, "-m", "annotator", "export", str(project), str(out)],
        cwd=REPO, env=subprocess_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        # Condition, not timing: kill once the temporary file holds written lines.
        deadline = time.monotonic() + 120
        while not any(p.stat().st_size > 0 for p in _temps(tmp_path)) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    [left] = _temps(tmp_path)  # killed mid-write: the temporary file is there and the target is not
    assert not out.exists()

    result = run_python(["-m", "annotator", "export", str(project), str(out)])
    assert result.returncode == 0, result.stderr
    assert _temps(tmp_path) == [], f"{left.name} was left behind"
    tasks = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [t["text"] for t in tasks] == TEXTS


def test_only_temporary_files_of_processes_that_are_gone_are_removed(tmp_path):
    out = tmp_path / "out.jsonl"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)  # exited and reaped: no process has this id (until it is reused)
    stale = tmp_path / f".out.jsonl.{dead_pid}.0123abcd.tmp"
    running = tmp_path / f".out.jsonl.{os.getpid()}.89abcdef.tmp"  # an export still writing, in this process
    other_target = tmp_path / f".other.jsonl.{dead_pid}.0123abcd.tmp"
    not_ours = tmp_path / f".out.jsonl.{dead_pid}.notours.tmp"
    for path in (stale, running, other_target, not_ours):
        path.write_text("partial")
    assert remove_stale_temps(out) == [stale]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in (running, other_target, not_ours))
