"""Reading a project on connections of its own, each in a thread of its own, a few batches ahead of the caller.

SQLite releases the GIL while it works, so the export's queries (which build
each batch's JSON in C) run while the caller formats and writes the batch
before: on two cores the export takes about the longer of the two, not their
sum; several reads can take turns over the batches. Each connection is opened,
used and closed by its thread (a connection belongs to the thread that opened
it) and is read-only: it sees what is committed, as any reader beside the GUI does.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")
DEPTH = 2  # batches read ahead: enough to keep both sides busy, little memory
_OPENED, _DONE = object(), object()


class _Failed:
    def __init__(self, error: BaseException):
        self.error = error


def read_ahead(
    connect: Callable[[], sqlite3.Connection], *reads: Callable[[sqlite3.Connection], Iterator[T]],
) -> Iterator[T] | None:
    """The items of ``reads`` taking turns, each read made in a thread of its own that opened its
    connection with ``connect``: the first item of the first read, then of the second..., then the
    second item of each. A read that ends ends them all (they take turns over one sequence: when
    read k has no next item, the reads after it have none either). None when ``connect`` raised
    sqlite3.Error (the caller reads on its own connection instead). An error while reading is
    raised here; closing the iterator stops the threads."""
    stop = threading.Event()
    started = []
    for read in reads:
        items: queue.Queue = queue.Queue(DEPTH)
        thread = threading.Thread(target=_run, args=(connect, read, items, stop), name="annotator-read-ahead", daemon=True)
        thread.start()
        started.append((items, thread))
    if not all([items.get() is _OPENED for items, _ in started]):
        _stop(stop, started)
        return None
    return _drain(started, stop)


def _drain(started: list[tuple[queue.Queue, threading.Thread]], stop: threading.Event) -> Iterator:
    try:
        while True:
            for items, _ in started:
                item = items.get()
                if item is _DONE:
                    return
                if isinstance(item, _Failed):
                    raise item.error
                yield item
    finally:
        _stop(stop, started)


def _stop(stop: threading.Event, started: list[tuple[queue.Queue, threading.Thread]]) -> None:
    stop.set()
    for _, thread in started:
        thread.join()


def _run(connect, read, items: queue.Queue, stop: threading.Event) -> None:
    try:
        conn = connect()
    except sqlite3.Error:
        items.put(None)
        return
    items.put(_OPENED)
    try:
        for item in read(conn):
            if not _put(items, item, stop):
                return
        _put(items, _DONE, stop)
    except BaseException as e:  # handed to the reader, which raises it
        _put(items, _Failed(e), stop)
    finally:
        conn.close()


def _put(items: queue.Queue, item, stop: threading.Event) -> bool:
    """Put ``item`` once there is room; False when the reader stopped first."""
    while not stop.is_set():
        try:
            items.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False
