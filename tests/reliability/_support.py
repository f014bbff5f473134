"""Helpers shared by the reliability tests: projects to play with, and exact dumps to compare."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from annotator import schema
from annotator.labels import make_labels
from annotator.store import AnnotationStore

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = Path(__file__).resolve().parent / "scripts"


def subprocess_env(**extra: str) -> dict[str, str]:
    """The test environment (isolated XDG dirs from tests/conftest.py) plus the repo on the path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def run_python(args: list[str], *, timeout: float = 120, **popen) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=REPO, env=popen.pop("env", subprocess_env()),
        capture_output=True, text=True, timeout=timeout, **popen,
    )


def make_project(path: Path, n_articles: int = 20, *, labels=("PERSON", "ORG", "GPE"), annotator="maker") -> list[int]:
    """A project with labels and ``n_articles`` distinct short articles; returns their ids."""
    store = AnnotationStore.open(path, create=True, annotator=annotator)
    try:
        store.add_labels(make_labels(labels))
        ids, _ = store.add_articles(
            [{"text": f"Article {i}: Ada Lovelace met Charles Babbage in London.", "meta": {"n": i}} for i in range(n_articles)]
        )
        return ids
    finally:
        store.close()


def readonly(path: Path) -> sqlite3.Connection:
    """A connection that cannot write (no WAL creation on a non-WAL file, no checkpoint)."""
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def dump(path: Path) -> dict[str, list]:
    """Every table's rows (and the schema, user_version, application_id): equal dumps = same project."""
    conn = readonly(path)
    try:
        out: dict[str, list] = {
            "_schema": conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall(),
            "_pragmas": [conn.execute("PRAGMA user_version").fetchone(), conn.execute("PRAGMA application_id").fetchone()],
        }
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for table in tables:
            # Names come from sqlite_master of our own test file; quoted as identifiers.
            quoted = '"' + table.replace('"', '""') + '"'
            try:
                out[table] = conn.execute(f"SELECT * FROM {quoted} ORDER BY rowid").fetchall()
            except sqlite3.OperationalError:  # a WITHOUT ROWID table (the search index's config)
                out[table] = conn.execute(f"SELECT * FROM {quoted} ORDER BY 1").fetchall()
        return out
    finally:
        conn.close()


def integrity(path: Path) -> str:
    conn = sqlite3.connect(str(path))
    try:
        return "\n".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


def file_state(path: Path) -> tuple[bytes, int, int]:
    """Bytes, mtime and size of a file: what 'left untouched' means."""
    st = path.stat()
    return path.read_bytes(), st.st_mtime_ns, st.st_size


def siblings(path: Path) -> list[str]:
    """Files next to ``path`` whose name starts with its name (-wal, -shm, backups)."""
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name) and p != path)


DEFAULT_KILL_ROUNDS = 5
SLOW_KILL_ROUNDS = 60


def kill_rounds(slow: bool) -> int:
    """Rounds of a SIGKILL test: few by default, many under ``-m slow``; ANNOTATOR_KILL_ROUNDS overrides."""
    value = os.environ.get("ANNOTATOR_KILL_ROUNDS")
    if value:
        return int(value)
    return SLOW_KILL_ROUNDS if slow else DEFAULT_KILL_ROUNDS


REVIEW_TEXTS = [
    "Kim Jong Un met Vladimir Putin in Vladivostok on Wednesday.",
    "The Kremlin said Dmitry Peskov spoke to reporters in Moscow.",
    "Reuters reported that Pyongyang seeks help from Russia.",
    "Ada Lovelace 😀 met Charles Babbage in London.\r\nThey wrote notes.",
    "Angela Merkel visited Paris and Berlin in May.",
    "Grace Hopper joined the Navy in New York.",
    "Alan Turing worked at Bletchley Park near Milton Keynes.",
    "Marie Curie moved from Warsaw to Paris.",
]
REVIEW_ENTITIES = [
    "Kim Jong Un", "Vladimir Putin", "Vladivostok", "Wednesday", "Kremlin", "Dmitry Peskov", "Moscow", "Reuters",
    "Pyongyang", "Russia", "Ada Lovelace", "Charles Babbage", "London", "Angela Merkel", "Paris", "Berlin", "May",
    "Grace Hopper", "Navy", "New York", "Alan Turing", "Bletchley Park", "Milton Keynes", "Marie Curie", "Warsaw",
]


def make_review_project(path: Path, copies: int = 1) -> Path:
    """A project like a model left it: articles with suggestions and tokens, four labels."""
    from annotator.offsets import flatten
    from annotator.tokens import tokenize

    labels = ["PERSON", "ORG", "GPE", "DATE"]
    store = AnnotationStore.open(path, create=True, annotator="setup")
    try:
        store.add_labels(make_labels(labels))
        texts = [t if n == 0 else f"{t} ({n})" for n in range(copies) for t in REVIEW_TEXTS]
        ids, _ = store.add_articles([{"text": t, "title": t[:20], "meta": {"n": i}} for i, t in enumerate(texts)])
        source = store.source_id("model", "fake", "1")
        results = []
        for i, (article_id, text) in enumerate(zip(ids, texts)):
            spans = []
            for j, word in enumerate(w for w in REVIEW_ENTITIES if w in text):
                start = text.index(word)
                spans.append((start, start + len(word), labels[(i + j) % 4], 0.9))
            results.append((article_id, spans, flatten(tokenize(text))))
        store.save_suggestions(source, results)
    finally:
        store.close()
    return path


def wait_for_writer(project: Path, *, timeout: float, still_running: Callable[[], bool] = lambda: True) -> bool:
    """Wait until another process holds the project's write lock; False if it never did in time."""
    probe = sqlite3.connect(str(project), timeout=0, isolation_level=None)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and still_running():
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
                time.sleep(0.01)
            except sqlite3.OperationalError:
                return True
        return False
    finally:
        probe.close()


def zero_middle_leaf(path: Path, table: str) -> int:
    """Overwrite with zeros the middle leaf page of ``table`` in a closed project; returns its number.

    Give one article many rows in ``table`` and the middle page holds only its rows: reading
    that article fails with a database error, every other still reads.
    """
    conn = readonly(path)
    try:
        pages = [row[0] for row in conn.execute(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno", (table,))]
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()
    page = pages[len(pages) // 2]
    with open(path, "r+b") as f:
        f.seek((page - 1) * page_size)
        f.write(b"\0" * page_size)
    return page


def damaged_project(path):
    """Four articles; the second has 400 entities, and a page holding only its rows is zeroed."""
    store = AnnotationStore.open(path, create=True, annotator="setup")
    try:
        store.add_labels(make_labels(["PERSON"]))
        text = " ".join(["Ada"] * 400)
        ids, _ = store.add_articles([{"text": t} for t in ("First article.", text, "Third article.", "Fourth.")])
        source = store.source_id("model", "fake", "1")
        store.save_suggestions(source, [(ids[1], [(i * 4, i * 4 + 3, "PERSON", 0.9) for i in range(400)], None)])
    finally:
        store.close()
    zero_middle_leaf(path, "annotations")
    return path


def no_write_permission(monkeypatch, path: Path) -> None:
    """What a non-root user gets from a file mode 0444: the tests run as root, which may write anything."""
    real_access = os.access

    def access(target, mode, *args, **kwargs):
        if mode & os.W_OK and Path(target).resolve() == path.resolve():
            return False
        return real_access(target, mode, *args, **kwargs)

    monkeypatch.setattr(schema.os, "access", access)
