"""Watching the SQL a piece of code runs: statements, query plans and work done.

``SqlWatch`` wraps ``sqlite3.connect`` so that every connection opened while it
is installed (in any thread: the GUI's reader, its writer thread, the
look-ahead worker) reports each statement it runs, with the number of SQLite
virtual-machine steps it took (counted through the progress handler). Two
independent checks come out of it:

- ``plans()``: ``EXPLAIN QUERY PLAN`` of every distinct statement; a ``SCAN``
  of a big table (articles, annotations, suggestions, events) means the
  statement reads the whole project.
- ``cost()``: VM steps per statement shape. A plan can say ``SEARCH`` and still
  walk most of a table (``id > ? AND status = ?`` with nothing left to find),
  so the benchmarks also compare the steps on a 10-article project with those
  on the big one: a statement whose cost grows with the project reads it.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from dataclasses import dataclass, field

BIG_TABLES = ("articles", "annotations", "suggestions", "events")
STEP = 100  # progress handler granularity (VM instructions)

_LITERAL = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")


def shape(sql: str) -> str:
    """The statement with its literal values replaced, so repeats group together."""
    return " ".join(_LITERAL.sub("?", sql).split())


@dataclass
class Statement:
    sql: str            # one expanded example (values bound), for EXPLAIN
    count: int = 0
    steps: int = 0      # VM instructions over all executions (in units of STEP)
    max_steps: int = 0
    threads: set = field(default_factory=set)


class SqlWatch:
    def __init__(self) -> None:
        self.statements: dict[str, Statement] = {}
        self._lock = threading.Lock()
        self._original = None
        self.paths: set[str] = set()
        self._flushers: list = []

    # ----------------------------------------------------------- install
    def install(self) -> SqlWatch:
        self._original = sqlite3.connect
        watch = self

        def connect(*args, **kwargs):
            conn = watch._original(*args, **kwargs)
            watch.watch(conn, str(args[0]) if args else str(kwargs.get("database", "")))
            return conn

        sqlite3.connect = connect
        return self

    def uninstall(self) -> None:
        if self._original is not None:
            sqlite3.connect = self._original
            self._original = None

    def __enter__(self) -> SqlWatch:
        return self.install()

    def __exit__(self, *exc) -> None:
        self.uninstall()

    def watch(self, conn: sqlite3.Connection, path: str = "") -> sqlite3.Connection:
        """Report this connection's statements (call in the thread that owns it)."""
        self.paths.add(path)
        current: list = [None, 0]  # shape key, steps so far
        thread = threading.current_thread().name

        def flush() -> None:
            key, steps = current
            if key is not None:
                with self._lock:
                    st = self.statements[key]
                    st.steps += steps
                    st.max_steps = max(st.max_steps, steps)
            current[0], current[1] = None, 0

        def trace(sql: str) -> None:
            flush()
            if sql.lstrip().upper().startswith(("EXPLAIN", "PRAGMA")):
                return
            key = shape(sql)
            with self._lock:
                st = self.statements.get(key)
                if st is None:
                    st = self.statements[key] = Statement(sql)
                st.count += 1
                st.threads.add(thread)
            current[0] = key

        def progress() -> int:
            current[1] += 1
            return 0

        conn.set_trace_callback(trace)
        conn.set_progress_handler(progress, STEP)
        with self._lock:
            self._flushers.append(flush)
        return conn

    def flush(self) -> None:
        """Book the steps of every connection's latest statement (call once activity stopped)."""
        with self._lock:
            flushers = list(self._flushers)
        for f in flushers:
            f()

    def reset(self) -> None:
        with self._lock:
            self.statements.clear()

    # ----------------------------------------------------------- reports
    def plans(self, db_path: str) -> dict[str, list[str]]:
        """EXPLAIN QUERY PLAN of every distinct statement, on ``db_path``."""
        out: dict[str, list[str]] = {}
        conn = (self._original or sqlite3.connect)(f"file:{db_path}?mode=ro", uri=True)
        try:
            for key, st in self.statements.items():
                if not st.sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "INSERT", "WITH")):
                    continue
                try:
                    rows = conn.execute("EXPLAIN QUERY PLAN " + st.sql).fetchall()
                except sqlite3.Error as e:
                    out[key] = [f"(cannot explain: {e})"]
                    continue
                out[key] = [r[-1] for r in rows]
        finally:
            conn.close()
        return out

    def full_scans(self, db_path: str) -> dict[str, list[str]]:
        """Statements whose plan scans a big table from end to end."""
        bad = {}
        for key, plan in self.plans(db_path).items():
            for line in plan:
                m = re.match(r"SCAN (\w+)", line)
                if m and m.group(1) in BIG_TABLES:
                    bad[key] = plan
        return bad

    def cost(self) -> dict[str, tuple[int, int, int]]:
        """shape -> (executions, total VM steps, max VM steps in one execution), steps in units of STEP."""
        self.flush()
        with self._lock:
            return {k: (s.count, s.steps * STEP, s.max_steps * STEP) for k, s in self.statements.items()}


def growing(small: dict[str, tuple[int, int, int]], big: dict[str, tuple[int, int, int]],
            *, factor: float = 20.0, floor: int = 20_000) -> dict[str, tuple[int, int]]:
    """Statements whose worst execution costs ``factor`` times more on the big project (and at least ``floor`` steps)."""
    out = {}
    for key, (_, _, big_max) in big.items():
        small_max = small.get(key, (0, 0, 0))[2]
        if big_max >= floor and big_max > factor * max(small_max, STEP):
            out[key] = (small_max, big_max)
    return out
